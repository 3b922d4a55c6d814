import type {
  ApiClient,
  ChatClient,
  ChatError,
  ConnectionState,
  EventEnvelope,
  HelpItem,
  JoinedEnvelope,
  MessageEnvelope,
  PendingMessage as SdkPending,
  PrivateEnvelope,
  RoomInfo,
  UserInfo,
} from '@sala/sdk';
import { ApiError, fillGap, mergeById, parsePrivateCommand, peerOf, typedCommand } from '@sala/sdk';

/** Messages per page when paging back through a conversation's history. */
export const PAGE_SIZE = 50;

/** The connection as the screens show it. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A message the user sent that the server has not acknowledged yet, ready to show. */
export interface PendingMessage {
  id: string;
  text: string;
  /** The room it goes to, for a room message. */
  room?: string;
  /** The other user, for a private message. */
  peer?: string;
  /** Server time when it was typed. */
  at: number;
}

export type Notice =
  | { kind: 'event'; event: EventEnvelope }
  /** `unsent`: the text of a message that was not sent (not_sent), shown so it is not lost. */
  | { kind: 'error'; code: string; message: string; about?: string; unsent?: string }
  | { kind: 'help'; commands: HelpItem[] }
  /** The answer to a `#lR` typed in the chat: the live rooms. */
  | { kind: 'rooms'; rooms: RoomInfo[] }
  /** The answer to a `#show users` typed in the chat: every user with presence. */
  | { kind: 'users'; users: UserInfo[] }
  | { kind: 'more' };

/** One row of a room's timeline: a message, or a notice from the server. */
export type TimelineItem =
  | { key: string; kind: 'message'; message: MessageEnvelope }
  | { key: string; kind: 'notice'; notice: Notice; at: number };

/** A conversation: a room's timeline, or the private thread with a peer. */
export type Conversation = { room: string } | { peer: string };

/** The key of a conversation in `ChatState.paging`. */
export function pagingKey(c: Conversation): string {
  return 'room' in c ? `#${c.room}` : `@${c.peer}`;
}

/** Paging back through a conversation's stored history (REST). */
export interface Paging {
  /** Older messages may exist on the server. */
  hasMore: boolean;
  /** A page is being fetched. */
  loading: boolean;
  /** The last page failed (not a 404): paging waits until the user asks again. */
  failed: boolean;
}

export interface ChatState {
  status: ConnectionStatus;
  /** Average ping round trip, when known. */
  latencyMs: number | null;
  /** The signed-in user's login. */
  me: string;
  /** The room this connection is in. */
  room: string | null;
  rooms: RoomInfo[];
  users: UserInfo[];
  timelines: Record<string, TimelineItem[]>;
  /** Paging state by pagingKey(); a thread has none until its first page is asked for. */
  paging: Record<string, Paging>;
  /** Private conversations by the other user's login, oldest first. */
  threads: Record<string, PrivateEnvelope[]>;
  unread: Record<string, number>;
  /** The private conversation on screen (its messages are read as they come). */
  activePeer: string | null;
  pending: PendingMessage[];
  commands: HelpItem[];
  lastError: ChatError | null;
  /** The latest `#private` typed in the room that the server stored: its thread opens. */
  privateSent: { id: string; peer: string } | null;
}

/** What the store needs of the SDK's ChatClient (the real one, or one over a fake socket). */
export type ChatConnection = Pick<
  ChatClient,
  | 'on'
  | 'connect'
  | 'close'
  | 'send'
  | 'sendPrivate'
  | 'reconnectNow'
  | 'state'
  | 'serverNow'
  | 'toServerTime'
>;

/** The history endpoints the store pages with (the SDK's ApiClient, or one over a fake fetch). */
export type HistoryApi = Pick<ApiClient, 'roomHistory' | 'dmHistory'>;

const idlePaging: Paging = { hasMore: false, loading: false, failed: false };

function screenStatus(state: ConnectionState): ConnectionStatus {
  switch (state) {
    case 'open':
    case 'reconnecting':
    case 'closed':
      return state;
    case 'auth':
      return 'closed';
    default:
      return 'connecting';
  }
}

/**
 * The chat as the screens see it: rooms, timelines with notices, private threads with unread
 * counts, pending sends. It folds the SDK ChatClient's events into one immutable state that
 * React reads with useSyncExternalStore; the protocol itself (reconnect, resume, dedupe,
 * pending re-sends, clock) is the ChatClient's.
 */
export class ChatStore {
  private state: ChatState;
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribers: (() => void)[] = [];
  private noticeSeq = 0;
  /** Client ids of `#private` commands sent with send() → the recipient. */
  private readonly privateCommands = new Map<string, string>();
  /**
   * The room_deleted event of the room the connection was in: it is shown in the room the
   * server moves us to (its joined follows), not in the deleted room's timeline, which is no
   * longer on screen.
   */
  private deletedRoom: EventEnvelope | null = null;
  /** `#lR` / `#show users` typed in the chat and not answered yet: their answers are shown. */
  private expectRoomsReply = 0;
  private expectUsersReply = 0;
  private stopped = false;

  constructor(
    private readonly client: ChatConnection,
    me: string,
    private readonly history: HistoryApi,
    /** Called when the server refuses the token (expired): the user must log in again. */
    private readonly onAuthLost: () => void = () => undefined,
  ) {
    this.state = {
      status: 'connecting',
      latencyMs: null,
      me,
      room: null,
      rooms: [],
      users: [],
      timelines: {},
      paging: {},
      threads: {},
      unread: {},
      activePeer: null,
      pending: [],
      commands: [],
      lastError: null,
      privateSent: null,
    };
  }

  getState = (): ChatState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(patch: Partial<ChatState>) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  /** Subscribes to the client and connects. */
  start() {
    const c = this.client;
    this.unsubscribers.push(
      c.on('state', (s) => {
        this.update({ status: screenStatus(s.state) });
        if (s.state === 'auth') this.onAuthLost();
      }),
      c.on('welcome', (w) => this.update({ me: w.user.login, commands: w.commands })),
      c.on('rooms', (rooms) => this.update({ rooms })),
      // The answers to a `#lR` / `#show users` typed in the chat show in the conversation too
      // (like the web app, only as many as were typed). The lists loaded over REST come
      // through setRooms / setUsers and add no notice.
      c.on('roomsReply', (rooms) => {
        if (this.expectRoomsReply === 0) return;
        this.expectRoomsReply -= 1;
        this.notice(null, { kind: 'rooms', rooms });
      }),
      c.on('users', (users) => {
        this.update({ users });
        if (this.expectUsersReply === 0) return;
        this.expectUsersReply -= 1;
        this.notice(null, { kind: 'users', users });
      }),
      c.on('joined', (j) => this.joined(j)),
      c.on('message', (m) => this.message(m)),
      c.on('private', (m) =>
        this.privateMessages(m.from === this.state.me ? m.to : m.from, [m], true),
      ),
      c.on('event', (event) => {
        if (event.kind === 'room_deleted' && event.room === this.state.room) {
          this.deletedRoom = event;
          return;
        }
        this.notice(event.kind.startsWith('user_') ? event.room : null, { kind: 'event', event });
      }),
      c.on('help', (commands) => {
        this.update({ commands });
        this.notice(null, { kind: 'help', commands });
      }),
      c.on('ack', (a) => {
        const peer = this.privateCommands.get(a.id);
        if (peer === undefined) return;
        this.privateCommands.delete(a.id);
        this.update({ privateSent: { id: a.id, peer } });
      }),
      c.on('error', (e) => {
        if (e.id !== undefined) this.privateCommands.delete(e.id);
        this.update({ lastError: e });
        const { code, message, about, unsent } = e;
        this.notice(null, { kind: 'error', code, message, about, unsent });
      }),
      c.on('pending', (list) => this.update({ pending: this.visiblePending(list) })),
      c.on('clock', (stats) => this.update({ latencyMs: stats.latency })),
    );
    c.connect();
  }

  /** Unsubscribes and closes the connection for good (log out). */
  stop() {
    this.stopped = true;
    for (const off of this.unsubscribers.splice(0)) off();
    this.client.close();
  }

  serverNow(): number {
    return this.client.serverNow();
  }

  /**
   * For the automatic triggers (foreground, network back): a waiting reconnect happens now, an
   * open socket is probed. A stopped connection (the user typed `#exit`) stays closed.
   */
  reconnectNow() {
    this.client.reconnectNow();
  }

  /**
   * For the "Reconnect now" button: after `closed` (`#exit`, or a terminal close) connect
   * again, resuming where it was; otherwise the same as reconnectNow().
   */
  reconnect() {
    if (this.client.state === 'closed') this.client.connect();
    else this.client.reconnectNow();
  }

  // ---- sending -------------------------------------------------------------------------------

  /** Sends text exactly as typed: a message to the current room, or a `#` command. */
  send(text: string): string {
    const id = this.client.send(text);
    const command = parsePrivateCommand(text);
    if (command) this.privateCommands.set(id, command.to);
    const word = typedCommand(text);
    if (word === '#lr') this.expectRoomsReply += 1;
    if (word === '#show') this.expectUsersReply += 1;
    return id;
  }

  sendPrivate(peer: string, text: string): string {
    return this.client.sendPrivate(peer, text);
  }

  createRoom(name: string): string {
    return this.client.send(`#cR ${name}`);
  }

  joinRoom(name: string): string {
    return this.client.send(`#gR ${name}`);
  }

  deleteRoom(name: string): string {
    return this.client.send(`#dR ${name}`);
  }

  /** Marks a private conversation as on screen (read), or none. */
  openThread(peer: string | null) {
    const unread = { ...this.state.unread };
    if (peer) delete unread[peer];
    this.update({ activePeer: peer, unread });
  }

  /** Loads the latest page of a private conversation, the first time it is asked for. */
  loadThread(peer: string): Promise<void> {
    if (this.state.paging[pagingKey({ peer })]) return Promise.resolve();
    return this.loadOlder({ peer });
  }

  /**
   * Loads the page before the oldest message of a conversation (for a thread never loaded: its
   * latest page) and merges it by id; notices keep their places. Nothing happens while a page
   * is loading, once the server said there is no more, or after a failure unless `retry`.
   * A 404 (the room or user is gone) ends paging quietly.
   */
  async loadOlder(conversation: Conversation, retry = false): Promise<void> {
    const key = pagingKey(conversation);
    const known = this.state.paging[key];
    const paging = known ?? { ...idlePaging, hasMore: 'peer' in conversation };
    if (paging.loading || !paging.hasMore || (paging.failed && !retry)) return;
    // A thread's first page is its latest; a room always starts with its joined history.
    const before = known || 'room' in conversation ? this.oldestId(conversation) : undefined;
    if (before === undefined && 'room' in conversation) {
      this.setPaging(key, { ...paging, hasMore: false });
      return;
    }
    this.setPaging(key, { ...paging, loading: true, failed: false });
    try {
      const query = { before, limit: PAGE_SIZE };
      if ('room' in conversation) {
        const page = await this.history.roomHistory(conversation.room, query);
        if (this.stopped) return;
        this.roomMessages(conversation.room, page.messages);
        this.setPaging(key, { ...idlePaging, hasMore: page.has_more });
      } else {
        const page = await this.history.dmHistory(conversation.peer, query);
        if (this.stopped) return;
        this.privateMessages(conversation.peer, page.messages, false);
        this.setPaging(key, { ...idlePaging, hasMore: page.has_more });
      }
    } catch (err) {
      if (this.stopped) return;
      const gone = err instanceof ApiError && err.status === 404;
      this.setPaging(key, { ...idlePaging, hasMore: !gone, failed: !gone });
    }
  }

  /** Replaces the user list (REST GET /users). */
  setUsers(users: UserInfo[]) {
    this.update({ users });
  }

  /** Replaces the room list (REST GET /rooms). */
  setRooms(rooms: RoomInfo[]) {
    this.update({ rooms });
  }

  // ---- receiving -----------------------------------------------------------------------------

  private visiblePending(list: readonly SdkPending[]): PendingMessage[] {
    const out: PendingMessage[] = [];
    for (const p of list) {
      const at = this.client.toServerTime(p.createdAt);
      if (p.kind === 'private' && p.to) out.push({ id: p.id, text: p.body ?? '', peer: p.to, at });
      else if (p.kind === 'message' && p.room)
        out.push({ id: p.id, text: p.text, room: p.room, at });
    }
    return out;
  }

  private joined(env: JoinedEnvelope) {
    const before = env.resumed ? (this.state.timelines[env.room] ?? []) : [];
    let items = withMessages(before, env.history);
    if (this.deletedRoom) {
      items = [...items, this.noticeItem({ kind: 'event', event: this.deletedRoom })];
      this.deletedRoom = null;
    }
    const key = pagingKey({ room: env.room });
    const paging =
      env.resumed && this.state.paging[key]
        ? this.state.paging[key]
        : { ...idlePaging, hasMore: env.more || items.some((it) => it.kind === 'message') };
    this.update({
      room: env.room,
      timelines: { ...this.state.timelines, [env.room]: items },
      paging: { ...this.state.paging, [key]: paging },
    });
    // More than the resume carries was missed: page the gap between what was shown before
    // the drop and the resumed messages. (With nothing shown before, scrolling up pages back.)
    const knownUpTo = newestId(before);
    const below = env.history.reduce((min, m) => Math.min(min, m.id), Infinity);
    if (env.resumed && env.more && knownUpTo !== undefined && below !== Infinity) {
      void this.fillGap(env.room, below, knownUpTo);
    }
  }

  /** Pages the messages missed between `knownUpTo` and `below`; if that fails, says so there. */
  private async fillGap(room: string, below: number, knownUpTo: number) {
    let complete: boolean;
    try {
      const result = await fillGap({
        load: (query) => this.history.roomHistory(room, query),
        below,
        knownUpTo,
        wanted: () => !this.stopped && this.state.room === room,
        onPage: (messages) => this.roomMessages(room, messages),
      });
      complete = result !== 'incomplete';
    } catch (err) {
      complete = err instanceof ApiError && err.status === 404; // the room is gone
    }
    if (complete || this.stopped) return;
    const items = this.state.timelines[room] ?? [];
    const at = items.findIndex((it) => it.kind === 'message' && it.message.id > knownUpTo);
    const gap = at === -1 ? items.length : at;
    const notice = this.noticeItem({ kind: 'more' });
    this.update({
      timelines: {
        ...this.state.timelines,
        [room]: [...items.slice(0, gap), notice, ...items.slice(gap)],
      },
    });
  }

  private message(message: MessageEnvelope) {
    this.roomMessages(message.room, [message]);
  }

  private roomMessages(room: string, messages: readonly MessageEnvelope[]) {
    const items = this.state.timelines[room] ?? [];
    const next = withMessages(items, messages);
    if (next === items) return;
    this.update({ timelines: { ...this.state.timelines, [room]: next } });
  }

  private oldestId(conversation: Conversation): number | undefined {
    if ('peer' in conversation) return this.state.threads[conversation.peer]?.[0]?.id;
    const items = this.state.timelines[conversation.room] ?? [];
    for (const it of items) if (it.kind === 'message') return it.message.id;
    return undefined;
  }

  private setPaging(key: string, paging: Paging) {
    this.update({ paging: { ...this.state.paging, [key]: paging } });
  }

  private privateMessages(peer: string, messages: PrivateEnvelope[], live: boolean) {
    const list = this.state.threads[peer] ?? [];
    const next = mergeById(list, messages);
    const unread = { ...this.state.unread };
    if (live && this.state.activePeer !== peer) {
      const incoming = messages.filter(
        (m) => peerOf(m, this.state.me) === peer && m.from !== this.state.me,
      ).length;
      if (incoming) unread[peer] = (unread[peer] ?? 0) + incoming;
    }
    this.update({ threads: { ...this.state.threads, [peer]: next }, unread });
  }

  private noticeItem(notice: Notice): TimelineItem {
    this.noticeSeq += 1;
    return { key: `n${this.noticeSeq}`, kind: 'notice', notice, at: this.serverNow() };
  }

  /** Adds a notice to `room`'s timeline, or to the current room's when room is null. */
  private notice(room: string | null, notice: Notice) {
    const target = room ?? this.state.room;
    if (!target) return;
    const items = this.state.timelines[target] ?? [];
    this.update({
      timelines: { ...this.state.timelines, [target]: [...items, this.noticeItem(notice)] },
    });
  }
}

/**
 * Inserts messages (any order) by id among a timeline's messages: each goes just before the
 * first shown message with a higher id, or at the end. Notices keep their places; an id
 * already shown is skipped. Returns `items` itself when nothing is new.
 */
function withMessages(items: TimelineItem[], messages: readonly MessageEnvelope[]): TimelineItem[] {
  const shown = new Set<number>();
  for (const it of items) if (it.kind === 'message') shown.add(it.message.id);
  const fresh = new Map<number, MessageEnvelope>();
  for (const m of messages) if (!shown.has(m.id)) fresh.set(m.id, m);
  if (fresh.size === 0) return items;
  const incoming = [...fresh.values()].sort((a, b) => a.id - b.id);
  const out: TimelineItem[] = [];
  let next = 0;
  for (const it of items) {
    if (it.kind === 'message') {
      while (next < incoming.length && incoming[next].id < it.message.id) {
        out.push(messageItem(incoming[next++]));
      }
    }
    out.push(it);
  }
  while (next < incoming.length) out.push(messageItem(incoming[next++]));
  return out;
}

function messageItem(message: MessageEnvelope): TimelineItem {
  return { key: `m${message.id}`, kind: 'message', message };
}

/** The highest message id of a timeline, if it shows any message. */
function newestId(items: readonly TimelineItem[]): number | undefined {
  let max: number | undefined;
  for (const it of items) {
    if (it.kind === 'message' && (max === undefined || it.message.id > max)) max = it.message.id;
  }
  return max;
}

/** Total unread private messages. */
export function totalUnread(state: ChatState): number {
  return Object.values(state.unread).reduce((sum, n) => sum + n, 0);
}
