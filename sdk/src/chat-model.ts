// ChatModel: the conversations as both apps show them, built once over one ChatClient. It folds
// the client's events into one immutable state (the current room's log, private threads,
// pending sends, notices, paging, unread counts, the connection and the clock) that a Pinia
// store or a React hook reads through subscribe()/getState(). The protocol itself (reconnect,
// resume, dedupe, re-sends, receipts, clock) stays in ChatClient.
import { ApiError, type ApiClient, type PageQuery } from './api';
import { MAX_ATTACHMENTS, attachmentsReady, type PendingAttachment } from './attachments';
import { defaultTimers, type ChatClient } from './chat-client';
import type {
  ChatError,
  ConnectionStatus,
  PendingMessage,
  SendOptions,
  Timers,
} from './chat-types';
import type { ClockStats } from './clock';
import { parsePrivateCommand, typedCommand, isCommand } from './commands';
import { TYPING_SHOWN_MS, applySnippet, applyUpdate } from './conversation';
import { fillGap, type HistoryPage } from './history';
import { mentions } from './mentions';
import { mergeById, peerOf } from './messages';
import { Reads } from './reads';
import { UPLOAD_CANCELLED, type UploadInput, type UploadTask } from './uploads';
import type {
  EventEnvelope,
  HelpItem,
  JoinedEnvelope,
  MessageEnvelope,
  PrivateEnvelope,
  RoomInfo,
  TypingEnvelope,
  UpdateEnvelope,
  UserInfo,
} from './types';
import { privateKey, roomKey, totalUnread, type UnreadMap } from './unread';

/** Something said between messages: by the server, or by the model about a command. */
export type NoticeBody =
  | { kind: 'event'; event: EventEnvelope }
  /** The connection is now in `room`; `moved`: sent back to the default room, not by choice. */
  | { kind: 'joined'; room: string; moved: boolean }
  /** `#eR` typed in the default room: nothing to do but say so (nothing is sent). */
  | { kind: 'already'; room: string }
  /** `about`: what the failed command named; `unsent`: the text of a `not_sent` message. */
  | { kind: 'error'; code: string; message: string; about?: string; unsent?: string }
  | { kind: 'help'; commands: HelpItem[] }
  | { kind: 'rooms'; rooms: RoomInfo[] }
  | { kind: 'users'; users: UserInfo[] }
  /** Messages missed during a drop could not all be loaded: they are older than this point. */
  | { kind: 'more' };

export type Notice = NoticeBody & {
  key: string;
  /** Shown after the message with this id (0: before every message). */
  afterId: number;
  /** Server time it happened. */
  at: number;
};

/** Paging back through a conversation's stored history (REST). */
export interface Paging {
  /** Older messages may exist on the server. */
  hasMore: boolean;
  loading: boolean;
  /** The last page failed (not a 404): paging waits until asked with `retry`. */
  failed: boolean;
  /** A thread's latest page came (a room's log starts with its joined history). */
  loaded: boolean;
}

/** One conversation's stored messages, inline notices and paging. */
export interface ConversationLog<M> {
  messages: readonly M[];
  notices: readonly Notice[];
  paging: Paging;
}

/** The conversation on screen. */
export type ConversationRef = { kind: 'room' } | { kind: 'private'; login: string };

/** A send not stored yet, with its time on the server's clock. */
export interface ShownPending extends PendingMessage {
  at: number;
}

/** Someone typing, until a local time. `where`: 'room', or the login of a private thread. */
export interface TypingPerson {
  user: string;
  where: string;
  until: number;
}

/** An edit or deletion by someone else in the conversation on screen, for screen readers. */
export interface Announcement {
  key: number;
  kind: 'edited' | 'deleted';
  by: string;
}

/** A message elsewhere that mentions the user (a `mention` envelope, or a live message). */
export interface MentionItem {
  /** The room it was said in. */
  room: string;
  message_id: number;
  from: string;
  text: string;
  at: number;
}

/** Where the "New messages" line goes in the conversation on screen. */
export interface NewMessagesLine {
  /** The conversation (`#room`, `@login`) it belongs to. */
  key: string;
  /** How many were unread when it opened. */
  count: number;
  /** The first unread message (the line goes before it); null until it is loaded. */
  id: number | null;
}

/**
 * Something that needs the user: a private message or a mention that arrived live while its
 * conversation was not seen (another one on screen, or the window not focused). Apps show a
 * notification or a banner; `key` grows with each.
 */
export interface Alert {
  key: number;
  kind: 'private' | 'mention';
  /** Where to go: the room, or the private thread with `from`. */
  ref: { kind: 'room'; room: string } | { kind: 'private'; login: string };
  from: string;
  text: string;
}

/** One row of a conversation on screen. */
export type TimelineItem =
  | {
      kind: 'message';
      key: string;
      message: MessageEnvelope | PrivateEnvelope;
      id: number;
      from: string;
      text: string;
      at: number;
    }
  | { kind: 'pending'; key: string; pending: ShownPending; from: string; text: string; at: number }
  | { kind: 'notice'; key: string; notice: Notice; at: number };

export interface ChatModelState {
  connection: ConnectionStatus;
  /** `latency` is null while not connected, and after a reconnect until a new sample. */
  clock: ClockStats;
  /** The signed-in user's login. */
  me: string;
  /** The room the connection is in (null before the first joined). */
  room: string | null;
  defaultRoom: string;
  rooms: readonly RoomInfo[];
  users: readonly UserInfo[];
  commands: readonly HelpItem[];
  roomLog: ConversationLog<MessageEnvelope>;
  /** Private threads by the other person's login. */
  threads: Readonly<Record<string, ConversationLog<PrivateEnvelope>>>;
  active: ConversationRef;
  /** Sends not stored yet; one whose message already arrived is not listed. */
  pending: readonly ShownPending[];
  lastError: ChatError | null;
  /** The latest `#private` typed in a room that the server stored (its thread opens). */
  privateSent: { id: string; login: string } | null;
  /** Who is typing where, each until TYPING_SHOWN_MS after their last signal. */
  typing: readonly TypingPerson[];
  /** The latest edit or deletion by someone else on screen (null: none yet). */
  announcement: Announcement | null;
  /** Unread counts by conversation (`#room`, `@login`): welcome's, then kept up to date. */
  unread: UnreadMap;
  /** Messages that mention the user, newest first. */
  mentions: readonly MentionItem[];
  /** The "New messages" line of the conversation on screen (null: nothing was unread). */
  newMessages: NewMessagesLine | null;
  /** The latest private message or mention that needs the user (null: none yet). */
  alert: Alert | null;
  /** The composers' files, each in its conversation (`where`), in the order they were added. */
  attachments: readonly PendingAttachment[];
  /**
   * The message openMessage() brought on screen, loaded with its context: the apps scroll to it
   * and mark it. `key` changes with every open, the same message opened again included.
   */
  focus: { id: number; key: number } | null;
}

/** What the model needs of ChatClient. */
export type ChatModelClient = Pick<
  ChatClient,
  | 'on'
  | 'connect'
  | 'close'
  | 'send'
  | 'sendPrivate'
  | 'edit'
  | 'delete'
  | 'react'
  | 'typing'
  | 'read'
  | 'reconnectNow'
  | 'state'
  | 'serverNow'
  | 'toServerTime'
>;

export interface ChatModelOptions {
  client: ChatModelClient;
  /** `upload` is needed only to attach files, `mentions` only for the mentions list. */
  api: Pick<ApiClient, 'roomHistory' | 'dmHistory' | 'users' | 'commands'> &
    Partial<Pick<ApiClient, 'mentions' | 'upload'>>;
  /** The signed-in login, until welcome says it. */
  me?: string;
  /** Messages per history page (default 50). */
  pageSize?: number;
  /** Defaults to the global setTimeout/clearTimeout. */
  timers?: Timers;
  /** A user_left followed by the same person's user_joined within this (ms) shows neither. */
  foldMs?: number;
  /** Called when the server refused the token: the user must log in again. */
  onAuthLost?: () => void;
  /** Local clock, ms, for typing expiry and read throttling. Defaults to Date.now. */
  now?: () => number;
  /** The least time between two `read` envelopes for one conversation, ms (default 1000). */
  readIntervalMs?: number;
}

const noClock: ClockStats = { offset: 0, latency: null, bestRtt: null, samples: 0 };
const roomPaging: Paging = { hasMore: false, loading: false, failed: false, loaded: true };
const threadPaging: Paging = { hasMore: true, loading: false, failed: false, loaded: false };
/**
 * A message's file links are fetched again at most this often (ms): a link works for one to
 * two hours, so a link that fails again soon after is a file that is gone, not an old link.
 */
const LINK_REFRESH_MS = 5 * 60_000;
/** People are refreshed over REST at most this often after join/leave events. */
const USERS_REFRESH_MS = 300;
export { MENTIONS_KEPT, READ_INTERVAL_MS } from './reads';

function emptyLog<M>(paging: Paging): ConversationLog<M> {
  return { messages: [], notices: [], paging };
}

/** The state of a model not started: signed out, or before the first connection. */
export function emptyChatState(me = ''): ChatModelState {
  return {
    connection: { state: 'idle', attempt: 0 },
    clock: noClock,
    me,
    room: null,
    defaultRoom: 'general',
    rooms: [],
    users: [],
    commands: [],
    roomLog: emptyLog(roomPaging),
    threads: {},
    active: { kind: 'room' },
    pending: [],
    lastError: null,
    privateSent: null,
    typing: [],
    announcement: null,
    unread: {},
    mentions: [],
    newMessages: null,
    alert: null,
    attachments: [],
    focus: null,
  };
}

/** The chat model of one signed-in session: create, start(), read, stop() at log-out. */
export class ChatModel {
  private state: ChatModelState;
  private readonly client: ChatModelClient;
  private readonly opts: ChatModelOptions;
  private readonly timers: Timers;
  private readonly listeners = new Set<() => void>();
  private offs: Array<() => void> = [];
  private stopped = false;
  private noticeSeq = 0;
  private usersTimer: unknown = null;
  private rawPending: readonly PendingMessage[] = [];
  /** Client ids of my messages that arrived: their pending copies are hidden. */
  private readonly stored = new Set<string>();
  /** `#lR` / `#show users` typed and not answered yet: their answers are shown. */
  private expectRooms = 0;
  private expectUsers = 0;
  /** A typed room move (#cR, #gR, #eR) is on its way: its joined opens the room. */
  private followNextJoin = false;
  /** The current room's room_deleted: shown in the room the server moves us to. */
  private deletedRoom: EventEnvelope | null = null;
  /** Client ids of sends whose errors belong elsewhere: a thread's login, or '' for a move. */
  private readonly sentIds = new Map<string, string>();
  /** Client ids of `#private` commands typed → the recipient. */
  private readonly privateCommands = new Map<string, string>();
  /** Message id → the id of the latest update applied to it: older or repeated ones are ignored. */
  private readonly applied = new Map<number, number>();
  private typingTimer: unknown = null;
  private announced = 0;
  /** Counts openMessage()'s opens: each one's `focus.key`. */
  private opens = 0;
  private readonly now: () => number;
  private readonly reads: Reads;
  /** Each pending attachment's file (kept for a retry) and its running upload. */
  private readonly files = new Map<
    string,
    { file: UploadInput; task: UploadTask | null; run: number }
  >();
  private attachSeq = 0;
  /** Message id → local time its links were last fetched again. */
  private readonly linksFetched = new Map<number, number>();

  constructor(options: ChatModelOptions) {
    this.opts = options;
    this.client = options.client;
    this.timers = options.timers ?? defaultTimers();
    this.now = options.now ?? (() => Date.now());
    this.state = emptyChatState(options.me);
    this.reads = new Reads({
      getState: () => this.state,
      update: (patch) => this.update(patch),
      client: this.client,
      timers: this.timers,
      now: this.now,
      intervalMs: options.readIntervalMs,
      stopped: () => this.stopped,
    });
  }

  getState = (): ChatModelState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private update(patch: Partial<ChatModelState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Subscribes to the client and connects. */
  start(): void {
    const c = this.client;
    this.offs = [
      c.on('state', (s) => this.onState(s)),
      c.on('welcome', (w) => {
        this.update({ me: w.user.login, commands: w.commands });
        this.reads.onWelcome(w);
        void this.loadUsers();
      }),
      c.on('rooms', (rooms) => this.setRooms(rooms)),
      c.on('roomsReply', (rooms) => {
        if (this.expectRooms === 0) return;
        this.expectRooms--;
        this.addNotice(this.activeRef(), { kind: 'rooms', rooms });
      }),
      c.on('users', (users) => {
        this.update({ users });
        if (this.expectUsers === 0) return;
        this.expectUsers--;
        this.addNotice(this.activeRef(), { kind: 'users', users });
      }),
      c.on('joined', (j) => this.onJoined(j)),
      c.on('message', (m) => this.onMessage(m)),
      c.on('private', (m) => this.onPrivate(m)),
      c.on('event', (e) => this.onEvent(e)),
      c.on('help', (commands) => {
        this.update({ commands });
        this.addNotice(this.activeRef(), { kind: 'help', commands });
      }),
      c.on('update', (u) => this.onUpdate(u)),
      c.on('typing', (t) => this.onTyping(t)),
      c.on('read', (r) => this.reads.onRead(r)),
      c.on('mention', (m) => this.reads.onMention(m)),
      c.on('ack', (a) => this.onAck(a.id)),
      c.on('error', (e) => this.onError(e)),
      c.on('pending', (list) => {
        this.rawPending = list;
        this.showPending();
      }),
      c.on('clock', (clock) => this.update({ clock })),
    ];
    c.connect();
    this.opts.api.commands().then(
      (commands) => {
        if (!this.stopped && this.state.commands.length === 0) this.update({ commands });
      },
      () => undefined, // welcome brings them too
    );
    void this.loadMentions();
  }

  /** Unsubscribes, closes the connection for good and cancels every timer (log out). */
  stop(): void {
    this.stopped = true;
    for (const off of this.offs.splice(0)) off();
    this.client.close();
    if (this.usersTimer !== null) this.timers.clearTimeout(this.usersTimer);
    this.usersTimer = null;
    if (this.typingTimer !== null) this.timers.clearTimeout(this.typingTimer);
    this.typingTimer = null;
    this.reads.stop();
    for (const { task } of this.files.values()) task?.cancel();
    this.files.clear();
    this.listeners.clear();
  }

  /** After `closed` (`#exit`): connect again. Otherwise a waiting reconnect happens now. */
  reconnect(): void {
    if (this.client.state === 'closed') this.client.connect();
    else this.client.reconnectNow();
  }

  /** The network or the app came back: a waiting reconnect happens now, an open socket is probed. */
  reconnectNow(): void {
    this.client.reconnectNow();
  }

  serverNow(): number {
    return this.client.serverNow();
  }

  // ---- actions -----------------------------------------------------------------------------

  /**
   * Sends what a composer holds: a `#` command, or a message to the conversation on screen with
   * the composer's uploaded files. Returns the client id ('' when nothing was sent: nothing to
   * send, or a file is still uploading or failed — see attachmentsReady).
   */
  send(text: string, options: SendOptions = {}): string {
    const active = this.state.active;
    if (!isCommand(text) && active.kind === 'private') {
      return this.sendPrivate(active.login, text, options);
    }
    if (isCommand(text)) return text.trim() === '' ? '' : this.sendCommand(text);
    return this.withFiles('room', text, options, (o) => this.client.send(text, o));
  }

  /** Sends a `#` command (a `#private` one too, without the composer's files). */
  private sendCommand(text: string): string {
    const word = typedCommand(text.trim());
    if (word === '#er' && this.state.room !== null && this.state.room === this.state.defaultRoom) {
      this.addNotice(this.activeRef(), { kind: 'already', room: this.state.room });
      return '';
    }
    if (word === '#lr') this.expectRooms++;
    if (word === '#show') this.expectUsers++;
    const id = this.client.send(text);
    if (word === '#cr' || word === '#gr' || word === '#er') {
      this.followNextJoin = true;
      this.sentIds.set(id, '');
    }
    const to = parsePrivateCommand(text)?.to;
    if (to !== undefined) this.privateCommands.set(id, to);
    return id;
  }

  /**
   * Sends a private message with the files of its thread's composer; an error about it shows in
   * its thread. '' when nothing was sent (as send()).
   */
  sendPrivate(login: string, text: string, options: SendOptions = {}): string {
    return this.withFiles(`@${login}`, text, options, (o) => {
      const id = this.client.sendPrivate(login, text, o);
      this.sentIds.set(id, login);
      return id;
    });
  }

  /**
   * Sends with the uploaded files of the composer `where` (which then empties), unless one is
   * still uploading or failed; nothing goes without text or files.
   */
  private withFiles(
    where: string,
    text: string,
    options: SendOptions,
    go: (options: SendOptions) => string,
  ): string {
    const files = this.state.attachments.filter((a) => a.where === where);
    if (!attachmentsReady(files)) return '';
    const ids = files.flatMap((a) => (a.state === 'done' && a.upload ? [a.upload.id] : []));
    if (text.trim() === '' && ids.length === 0) return '';
    const id = go(ids.length > 0 ? { ...options, attachments: ids } : options);
    this.dropAttachments(where);
    return id;
  }

  /** Replaces the text of one of my messages in the conversation on screen. */
  edit(messageId: number, text: string): string {
    if (text.trim() === '') return '';
    return this.acted(this.client.edit(messageId, text));
  }

  /** Deletes a message of the conversation on screen (mine, or any in a room I own). */
  deleteMessage(messageId: number): string {
    return this.acted(this.client.delete(messageId));
  }

  /** Toggles my reaction with `emoji` on a message of the conversation on screen. */
  react(messageId: number, emoji: string): string {
    return this.acted(this.client.react(messageId, emoji));
  }

  /**
   * Adds a file to the composer of the conversation on screen and uploads it; its progress and
   * outcome show in `attachments`. Returns its key ('' when the composer already holds
   * MAX_ATTACHMENTS files, or the model has no `api.upload`).
   */
  attach(file: UploadInput): string {
    const where = whereOf(this.state.active);
    const held = this.state.attachments.filter((a) => a.where === where && a.state !== 'cancelled');
    if (held.length >= MAX_ATTACHMENTS || !this.opts.api.upload || this.stopped) return '';
    const key = `a${++this.attachSeq}`;
    const a: PendingAttachment = {
      key,
      where,
      name: file.name,
      size: file.size,
      type: file.type ?? '',
      state: 'uploading',
      loaded: 0,
      total: file.size,
    };
    this.files.set(key, { file, task: null, run: 0 });
    this.setAttachments([...this.state.attachments, a]);
    this.startUpload(key);
    return key;
  }

  /** Calls off a file's upload: it stays listed as `cancelled` until removed or sent. */
  cancelAttachment(key: string): void {
    const entry = this.files.get(key);
    if (!entry?.task) return;
    entry.task.cancel();
  }

  /** Takes a file out of its composer, calling its upload off if it is running. */
  removeAttachment(key: string): void {
    const entry = this.files.get(key);
    this.files.delete(key);
    entry?.task?.cancel();
    this.setAttachments(this.state.attachments.filter((a) => a.key !== key));
  }

  /** Uploads a failed or cancelled file again. */
  retryAttachment(key: string): void {
    const a = this.state.attachments.find((x) => x.key === key);
    if (!a || a.state === 'uploading' || a.state === 'done' || this.stopped) return;
    this.patchAttachment(key, { state: 'uploading', loaded: 0, total: a.size, error: undefined });
    this.startUpload(key);
  }

  private startUpload(key: string): void {
    const entry = this.files.get(key);
    const upload = this.opts.api.upload;
    if (!entry || !upload) return;
    const run = ++entry.run;
    // Only the latest run of a file still in the composer may change it.
    const current = () => this.files.get(key) === entry && entry.run === run;
    const task = upload(entry.file, (p) => {
      if (current()) this.patchAttachment(key, { ...p });
    });
    entry.task = task;
    task.done.then(
      (stored) => {
        if (!current()) return;
        entry.task = null;
        this.patchAttachment(key, { state: 'done', upload: stored, loaded: entry.file.size });
      },
      (err: unknown) => {
        if (!current()) return;
        entry.task = null;
        const code = err instanceof ApiError ? err.code : 'network_error';
        const message = err instanceof Error ? err.message : String(err);
        if (code === UPLOAD_CANCELLED) this.patchAttachment(key, { state: 'cancelled' });
        else this.patchAttachment(key, { state: 'failed', error: { code, message } });
      },
    );
  }

  private patchAttachment(key: string, patch: Partial<PendingAttachment>): void {
    if (this.stopped) return;
    const list = this.state.attachments.map((a) => (a.key === key ? { ...a, ...patch } : a));
    this.setAttachments(list);
  }

  private setAttachments(attachments: readonly PendingAttachment[]): void {
    this.update({ attachments });
  }

  /** A message went with a composer's files: the composer is empty again. */
  private dropAttachments(where: string): void {
    const kept = this.state.attachments.filter((a) => a.where !== where);
    if (kept.length === this.state.attachments.length) return;
    for (const a of this.state.attachments) if (a.where === where) this.files.delete(a.key);
    this.setAttachments(kept);
  }

  /** The composer of the conversation on screen changed: tell the others (throttled). */
  typing(): void {
    const a = this.state.active;
    this.client.typing(a.kind === 'private' ? a.login : undefined);
  }

  /** An action's error belongs to the conversation it was made in. */
  private acted(id: string): string {
    const a = this.state.active;
    if (a.kind === 'private') this.sentIds.set(id, a.login);
    return id;
  }

  createRoom = (name: string): string => this.send(`#cR ${name}`);
  /** Moves into `name`; the room already joined just comes on screen. */
  joinRoom = (name: string): string => {
    if (name === this.state.room) {
      this.openRoom();
      return '';
    }
    return this.send(`#gR ${name}`);
  };
  leaveRoom = (): string => this.send('#eR');
  deleteRoom = (name: string): string => this.send(`#dR ${name}`);
  showHelp = (): string => this.send('#help');
  /** Refreshes the people list (`#show users`) without an inline answer. */
  refreshUsers = (): string => this.client.send('#show users');

  /** Puts the room on screen. */
  openRoom(): void {
    const was = this.state.active;
    this.update({ active: { kind: 'room' } });
    if (was.kind !== 'room') this.reads.opened();
  }

  /** Puts the thread with `login` on screen, loading its latest page the first time. */
  openPrivate(login: string): void {
    const t = this.thread(login);
    const was = this.state.active;
    this.update({
      active: { kind: 'private', login },
      threads: { ...this.state.threads, [login]: t },
    });
    if (!(was.kind === 'private' && was.login === login)) this.reads.opened();
    if (!t.paging.loaded) void this.loadOlder({ kind: 'private', login });
  }

  /**
   * Whether the newest message of the conversation on screen is visible (the list is scrolled
   * to its end). With the window focused, what is on screen is read.
   */
  setNewestVisible(visible: boolean): void {
    this.reads.setNewestVisible(visible);
  }

  /** Whether the window (web) or the app (phone) has the user's attention. */
  setFocused(focused: boolean): void {
    this.reads.setFocused(focused);
  }

  /**
   * Loads the page before a conversation's oldest message (a thread's first: its latest page)
   * and merges it by id; notices keep their places. Nothing happens while a page is loading,
   * once the server said there is no more, or after a failure unless `retry`. A 404 (the room
   * or the user is gone) ends paging quietly.
   */
  async loadOlder(ref: ConversationRef = this.state.active, retry = false): Promise<void> {
    const log = this.log(ref);
    const p = log.paging;
    if (p.loading || !p.hasMore || (p.failed && !retry)) return;
    const room = this.state.room;
    const before = p.loaded ? log.messages[0]?.id : undefined;
    if (ref.kind === 'room' && (before === undefined || room === null)) {
      this.setPaging(ref, { ...p, hasMore: false });
      return;
    }
    this.setPaging(ref, { ...p, loading: true, failed: false });
    const query = { before, limit: this.opts.pageSize ?? 50 };
    try {
      const page =
        ref.kind === 'room'
          ? await this.opts.api.roomHistory(room!, query)
          : await this.opts.api.dmHistory(ref.login, query);
      if (this.stopped || (ref.kind === 'room' && this.state.room !== room)) return;
      this.merge(ref, page.messages);
      this.setPaging(ref, { hasMore: page.has_more, loading: false, failed: false, loaded: true });
      if (sameRef(ref, this.state.active)) this.reads.markSeen();
    } catch (err) {
      if (this.stopped || (ref.kind === 'room' && this.state.room !== room)) return;
      const gone = err instanceof ApiError && err.status === 404;
      this.setPaging(ref, { hasMore: !gone, loading: false, failed: !gone, loaded: p.loaded });
    }
  }

  /**
   * A file of a message failed to load (its signed link may have expired): loads that message
   * again, with fresh links, from its conversation's history. At most once per message every
   * few minutes, so a file that is gone is not asked for in a loop.
   */
  async refreshLinks(messageId: number, ref: ConversationRef = this.state.active): Promise<void> {
    const last = this.linksFetched.get(messageId);
    if (last !== undefined && this.now() - last < LINK_REFRESH_MS) return;
    if (!this.log(ref).messages.some((m) => m.id === messageId)) return;
    this.linksFetched.set(messageId, this.now());
    const room = this.state.room;
    const query = { before: messageId + 1, limit: 1 };
    try {
      const page =
        ref.kind === 'room'
          ? room === null
            ? null
            : await this.opts.api.roomHistory(room, query)
          : await this.opts.api.dmHistory(ref.login, query);
      const fresh = page?.messages.filter((m) => m.id === messageId) ?? [];
      if (this.stopped || fresh.length === 0) return;
      if (ref.kind === 'room' && this.state.room !== room) return;
      this.merge(ref, fresh);
    } catch {
      // the links stay as they were; the next failure after LINK_REFRESH_MS asks again
    }
  }

  /**
   * Puts a message on screen in its conversation (a search result): the room is joined when it
   * is not the current one, the history around the message is loaded (`around`), then the
   * messages between it and the newest ones the log holds, so the log stays one unbroken run;
   * `focus` names the message. Resolves false when it could not be opened (the room is gone,
   * the join took longer than `joinTimeoutMs`, a request failed).
   */
  async openMessage(
    target: { room: string } | { with: string },
    id: number,
    joinTimeoutMs = 10_000,
  ): Promise<boolean> {
    let ref: ConversationRef;
    if ('with' in target) {
      ref = { kind: 'private', login: target.with };
      const t = this.thread(target.with);
      this.update({
        active: ref,
        threads: { ...this.state.threads, [target.with]: t },
      });
    } else {
      if (this.state.room !== target.room) {
        this.joinRoom(target.room);
        if (!(await this.until(() => this.state.room === target.room, joinTimeoutMs))) return false;
      }
      ref = { kind: 'room' };
      this.openRoom();
    }
    if (!this.log(ref).messages.some((m) => m.id === id)) {
      try {
        if (!(await this.loadAround(ref, id))) return false;
      } catch {
        return false;
      }
    }
    this.update({ focus: { id, key: ++this.opens } });
    return true;
  }

  /** Loads the page around message `id` and what lies between it and the log's newest part. */
  private async loadAround(ref: ConversationRef, id: number): Promise<boolean> {
    const room = this.state.room;
    type Page = HistoryPage<MessageEnvelope | PrivateEnvelope> & { has_newer?: boolean };
    const load = (query: PageQuery): Promise<Page> =>
      ref.kind === 'room'
        ? this.opts.api.roomHistory(room!, query)
        : this.opts.api.dmHistory(ref.login, query);
    const wanted = () => !this.stopped && (ref.kind !== 'room' || this.state.room === room);
    const page = await load({ around: id, limit: this.opts.pageSize ?? 50 });
    if (!wanted()) return false;
    const before = this.log(ref);
    const newest = page.messages[0]?.id ?? id;
    // Below the log's oldest message, or below anything for a thread not loaded yet.
    const below = before.paging.loaded
      ? (before.messages[0]?.id ?? Number.MAX_SAFE_INTEGER)
      : Number.MAX_SAFE_INTEGER;
    this.merge(ref, page.messages);
    this.setPaging(ref, { hasMore: page.has_more, loading: false, failed: false, loaded: true });
    if (!page.has_newer) return true;
    const result = await fillGap({
      load,
      below,
      knownUpTo: newest,
      wanted,
      onPage: (messages) => this.merge(ref, messages),
    });
    if (result === 'abandoned') return false;
    if (result === 'incomplete') this.addNotice(ref, { kind: 'more' }, this.serverNow(), newest);
    return true;
  }

  /** Resolves true once `ready()` holds, false after `ms` or when the model stops. */
  private until(ready: () => boolean, ms: number): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        off();
        this.timers.clearTimeout(timer);
        resolve(ok);
      };
      const off = this.subscribe(() => {
        if (this.stopped) done(false);
        else if (ready()) done(true);
      });
      const timer = this.timers.setTimeout(() => done(false), ms);
    });
  }

  /** Removes an inline notice of the conversation on screen. */
  dismissNotice(key: string): void {
    const ref = this.state.active;
    const log = this.log(ref);
    this.setLog(ref, { ...log, notices: log.notices.filter((n) => n.key !== key) });
  }

  /** Replaces the people list (e.g. from GET /users). */
  setUsers(users: readonly UserInfo[]): void {
    this.update({ users });
  }

  /** Replaces the live rooms (e.g. from GET /rooms). */
  setRooms(rooms: readonly RoomInfo[]): void {
    this.update({
      rooms,
      defaultRoom: rooms.find((r) => r.default)?.name ?? this.state.defaultRoom,
    });
  }

  // ---- envelopes ---------------------------------------------------------------------------

  private onState(connection: ConnectionStatus): void {
    const clock =
      connection.state === 'open' ? this.state.clock : { ...this.state.clock, latency: null };
    this.update({ connection, clock });
    if (connection.state === 'auth') this.opts.onAuthLost?.();
  }

  private onJoined(j: JoinedEnvelope): void {
    const log = this.state.roomLog;
    if (j.resumed && j.room === this.state.room) {
      const knownUpTo = log.messages.at(-1)?.id;
      this.merge({ kind: 'room' }, j.history);
      this.reads.markSeen();
      const below = j.history[0]?.id;
      if (j.more && below !== undefined && knownUpTo !== undefined) {
        void this.fillGap(j.room, below, knownUpTo);
      }
      return;
    }
    const moved = this.deletedRoom !== null || (this.state.room !== null && !this.followNextJoin);
    const follow = this.followNextJoin;
    this.followNextJoin = false;
    const hasMore = j.history.length > 0 || j.more;
    if (this.state.typing.some((p) => p.where === 'room')) {
      this.setTyping(this.state.typing.filter((p) => p.where !== 'room'));
    }
    this.update({
      room: j.room,
      roomLog: { ...emptyLog(roomPaging), messages: j.history, paging: { ...roomPaging, hasMore } },
      ...(follow ? { active: { kind: 'room' } } : {}),
    });
    if (this.deletedRoom) {
      const event = this.deletedRoom;
      this.deletedRoom = null;
      this.addNotice({ kind: 'room' }, { kind: 'event', event }, event.at);
    }
    const back = moved && j.room === this.state.defaultRoom;
    this.addNotice({ kind: 'room' }, { kind: 'joined', room: j.room, moved: back });
    if (this.state.active.kind === 'room') this.reads.opened();
  }

  /** Pages the messages missed between `knownUpTo` and `below`; if that fails, says so there. */
  private async fillGap(room: string, below: number, knownUpTo: number): Promise<void> {
    let complete: boolean;
    try {
      const result = await fillGap({
        load: (query) => this.opts.api.roomHistory(room, query),
        below,
        knownUpTo,
        wanted: () => !this.stopped && this.state.room === room,
        onPage: (messages) => this.merge({ kind: 'room' }, messages),
      });
      complete = result !== 'incomplete';
    } catch (err) {
      complete = err instanceof ApiError && err.status === 404; // the room is gone
    }
    if (complete || this.stopped || this.state.room !== room) return;
    this.addNotice({ kind: 'room' }, { kind: 'more' }, this.serverNow(), knownUpTo);
  }

  private onMessage(m: MessageEnvelope): void {
    if (m.room !== this.state.room) return;
    this.noteStored(m);
    this.stopTyping(m.from, 'room');
    const log = this.state.roomLog;
    this.update({ roomLog: { ...log, messages: mergeById(log.messages, [m]) } });
    const mentioned = mentions(m, this.state.me);
    const counted = this.reads.countLive(roomKey(m.room), m, mentioned);
    if (counted && mentioned) {
      this.reads.addMention({
        room: m.room,
        message_id: m.id,
        from: m.from,
        text: m.text,
        at: m.sent_at,
      });
      this.reads.raise('mention', { kind: 'room', room: m.room }, m);
    }
    this.reads.markSeen();
  }

  private onPrivate(m: PrivateEnvelope): void {
    this.noteStored(m);
    const login = peerOf(m, this.state.me);
    this.stopTyping(m.from, login);
    const t = this.thread(login);
    this.update({
      threads: { ...this.state.threads, [login]: { ...t, messages: mergeById(t.messages, [m]) } },
    });
    if (this.reads.countLive(privateKey(login), m, mentions(m, this.state.me))) {
      this.reads.raise('private', { kind: 'private', login }, m);
    }
    this.reads.markSeen();
    if (!this.state.users.some((u) => u.login === login)) this.refreshUsersSoon();
  }

  /** The mentions stored on the server (a reload or a new device starts with them). */
  private async loadMentions(): Promise<void> {
    const load = this.opts.api.mentions;
    if (!load) return;
    try {
      const page = await load.call(this.opts.api, { limit: 50 });
      if (this.stopped) return;
      for (const m of page.mentions) {
        const { room, message_id, from, text, sent_at } = m;
        this.reads.addMention({ room, message_id, from, text, at: sent_at });
      }
    } catch {
      // the list fills from live mentions
    }
  }

  /**
   * Applies an edit, deletion or reaction to the message it changes, in id order: an update
   * older than (or the same as) one already applied to that message is ignored. An update of a
   * message not loaded is dropped: a history page brings the message in its current state.
   */
  private onUpdate(u: UpdateEnvelope): void {
    const me = this.state.me;
    let ref: ConversationRef;
    if (u.room !== undefined) {
      if (u.room !== this.state.room) return;
      ref = { kind: 'room' };
    } else {
      const login = u.by === me ? u.to : u.by;
      if (login === undefined || !this.state.threads[login]) return;
      ref = { kind: 'private', login };
    }
    const log = this.log(ref);
    if (!log.messages.some((m) => m.id === u.message_id)) return;
    if ((this.applied.get(u.message_id) ?? 0) >= u.id) return;
    this.applied.set(u.message_id, u.id);
    const messages = log.messages.map((m) =>
      m.id === u.message_id ? applyUpdate(m, u) : applySnippet(m, u),
    );
    this.setLog(ref, { ...log, messages });
    if (u.kind === 'reaction' || u.by === me || !sameRef(ref, this.state.active)) return;
    this.update({ announcement: { key: ++this.announced, kind: u.kind, by: u.by } });
  }

  /** Someone is typing: shown until TYPING_SHOWN_MS after their latest signal. */
  private onTyping(t: TypingEnvelope): void {
    if (t.user === this.state.me) return;
    let where: string;
    if (t.room !== undefined) {
      if (t.room !== this.state.room) return;
      where = 'room';
    } else if (t.from !== undefined) {
      where = t.from;
    } else {
      return;
    }
    const others = this.state.typing.filter((p) => p.user !== t.user || p.where !== where);
    this.setTyping([...others, { user: t.user, where, until: this.now() + TYPING_SHOWN_MS }]);
  }

  private stopTyping(user: string, where: string): void {
    const typing = this.state.typing.filter((p) => p.user !== user || p.where !== where);
    if (typing.length !== this.state.typing.length) this.setTyping(typing);
  }

  /** Sets who is typing and wakes up when the first of them should be gone. */
  private setTyping(typing: readonly TypingPerson[]): void {
    this.update({ typing });
    if (this.typingTimer !== null) this.timers.clearTimeout(this.typingTimer);
    this.typingTimer = null;
    if (typing.length === 0 || this.stopped) return;
    const first = Math.min(...typing.map((p) => p.until));
    this.typingTimer = this.timers.setTimeout(
      () => {
        this.typingTimer = null;
        const now = this.now();
        this.setTyping(this.state.typing.filter((p) => p.until > now));
      },
      Math.max(0, first - this.now()),
    );
  }

  private onEvent(e: EventEnvelope): void {
    if (e.kind === 'room_deleted' && e.room === this.state.room) {
      this.deletedRoom = e;
      return;
    }
    const me = this.state.me;
    if (e.kind === 'room_created' && e.user === me) return; // our own joined says it
    const presence = e.kind === 'user_joined' || e.kind === 'user_left';
    if (presence) this.refreshUsersSoon();
    if (presence && e.user === me) return;
    if (e.kind === 'user_joined' && this.foldRejoin(e)) return;
    this.addNotice({ kind: 'room' }, { kind: 'event', event: e }, e.at);
  }

  /** A reload shows as user_left then user_joined: within foldMs, neither is shown. */
  private foldRejoin(e: EventEnvelope): boolean {
    const log = this.state.roomLog;
    const window = this.opts.foldMs ?? 5_000;
    let left = -1;
    log.notices.forEach((n, i) => {
      if (n.kind !== 'event' || n.event.kind !== 'user_left') return;
      if (n.event.user === e.user && n.event.room === e.room && e.at - n.event.at <= window) {
        left = i;
      }
    });
    if (left < 0) return false;
    this.setLog({ kind: 'room' }, { ...log, notices: log.notices.filter((_, i) => i !== left) });
    return true;
  }

  /** A `#private` typed in the room leaves no trace there: once stored, its thread opens. */
  private onAck(id: string): void {
    this.sentIds.delete(id);
    const login = this.privateCommands.get(id);
    if (login === undefined) return;
    this.privateCommands.delete(id);
    this.update({ privateSent: { id, login } });
    if (this.state.active.kind === 'room') this.openPrivate(login);
  }

  private onError(e: ChatError): void {
    const where = e.id !== undefined ? this.sentIds.get(e.id) : undefined;
    if (e.id !== undefined) {
      this.sentIds.delete(e.id);
      this.privateCommands.delete(e.id);
    }
    if (where === '') this.followNextJoin = false; // that move failed
    this.update({ lastError: e });
    const ref: ConversationRef = where ? { kind: 'private', login: where } : this.activeRef();
    const { code, message, about, unsent } = e;
    this.addNotice(ref, { kind: 'error', code, message, about, unsent });
  }

  // ---- helpers -----------------------------------------------------------------------------

  private noteStored(m: { from: string; client_id?: string }): void {
    if (m.from !== this.state.me || !m.client_id) return;
    if (!this.rawPending.some((p) => p.id === m.client_id)) return;
    this.stored.add(m.client_id);
    this.showPending();
  }

  private showPending(): void {
    for (const id of this.stored) {
      if (!this.rawPending.some((p) => p.id === id)) this.stored.delete(id);
    }
    const pending = this.rawPending
      .filter((p) => !this.stored.has(p.id))
      .map((p) => ({ ...p, at: this.client.toServerTime(p.createdAt) }));
    this.update({ pending });
  }

  /** The conversation on screen, for answers and errors. */
  private activeRef(): ConversationRef {
    return this.state.active;
  }

  private thread(login: string): ConversationLog<PrivateEnvelope> {
    return this.state.threads[login] ?? emptyLog(threadPaging);
  }

  private log(ref: ConversationRef): ConversationLog<MessageEnvelope | PrivateEnvelope> {
    return ref.kind === 'room' ? this.state.roomLog : this.thread(ref.login);
  }

  private setLog(ref: ConversationRef, log: ConversationLog<MessageEnvelope | PrivateEnvelope>) {
    if (ref.kind === 'room') {
      this.update({ roomLog: log as ConversationLog<MessageEnvelope> });
    } else {
      const threads = { ...this.state.threads, [ref.login]: log };
      this.update({ threads: threads as ChatModelState['threads'] });
    }
  }

  private setPaging(ref: ConversationRef, paging: Paging): void {
    this.setLog(ref, { ...this.log(ref), paging });
  }

  private merge(ref: ConversationRef, messages: ReadonlyArray<MessageEnvelope | PrivateEnvelope>) {
    const log = this.log(ref);
    this.setLog(ref, { ...log, messages: mergeById(log.messages, messages) });
  }

  private addNotice(
    ref: ConversationRef,
    body: NoticeBody,
    at = this.serverNow(),
    afterId?: number,
  ) {
    const log = this.log(ref);
    const after = afterId ?? log.messages.at(-1)?.id ?? 0;
    const notice = { ...body, key: `n${++this.noticeSeq}`, afterId: after, at } as Notice;
    this.setLog(ref, { ...log, notices: [...log.notices, notice] });
  }

  private async loadUsers(): Promise<void> {
    try {
      const users = await this.opts.api.users();
      if (!this.stopped) this.update({ users });
    } catch {
      // the list keeps its last state; #show users can refresh it
    }
  }

  private refreshUsersSoon(): void {
    if (this.usersTimer !== null || this.stopped) return;
    this.usersTimer = this.timers.setTimeout(() => {
      this.usersTimer = null;
      void this.loadUsers();
    }, USERS_REFRESH_MS);
  }
}

const noPending: readonly ShownPending[] = [];
const timelines = new WeakMap<
  object,
  { pending: readonly ShownPending[]; items: TimelineItem[] }
>();

/**
 * The rows of a conversation: its messages and notices in order, then (unless `pending` is
 * false) its sends not stored yet. The same log and pending list give the same array.
 */
export function timeline(
  state: ChatModelState,
  ref: ConversationRef = state.active,
  withPending = true,
): TimelineItem[] {
  const log = ref.kind === 'room' ? state.roomLog : state.threads[ref.login];
  if (!log) return [];
  const pending = withPending ? state.pending : noPending;
  const cached = timelines.get(log);
  if (cached && cached.pending === pending) return cached.items;
  const items: TimelineItem[] = [];
  const notices = [...log.notices].sort((a, b) => a.afterId - b.afterId);
  let n = 0;
  for (const m of log.messages) {
    while (n < notices.length && notices[n]!.afterId < m.id) items.push(noticeItem(notices[n++]!));
    items.push({
      kind: 'message',
      key: `m${m.id}`,
      message: m,
      id: m.id,
      from: m.from,
      text: m.text,
      at: m.sent_at,
    });
  }
  while (n < notices.length) items.push(noticeItem(notices[n++]!));
  for (const p of pending) {
    const here =
      ref.kind === 'room'
        ? p.kind === 'message' && (p.room === null || p.room === state.room)
        : p.kind === 'private' && p.to === ref.login;
    if (!here) continue;
    items.push({
      kind: 'pending',
      key: `p${p.id}`,
      pending: p,
      from: state.me,
      text: p.body ?? p.text,
      at: p.at,
    });
  }
  timelines.set(log, { pending, items });
  return items;
}

function noticeItem(notice: Notice): TimelineItem {
  return { kind: 'notice', key: notice.key, notice, at: notice.at };
}

/** The `where` of a conversation's composer files: 'room', or '@' and the other person's login. */
function whereOf(ref: ConversationRef): string {
  return ref.kind === 'room' ? 'room' : `@${ref.login}`;
}

/** The files of a conversation's composer (the one on screen by default). */
export function attachmentsIn(
  state: ChatModelState,
  ref: ConversationRef = state.active,
): PendingAttachment[] {
  const where = whereOf(ref);
  return state.attachments.filter((a) => a.where === where);
}

/** Who is typing in a conversation (the one on screen by default), in the order they started. */
export function typingIn(state: ChatModelState, ref: ConversationRef = state.active): string[] {
  const where = ref.kind === 'room' ? 'room' : ref.login;
  return state.typing.filter((p) => p.where === where).map((p) => p.user);
}

function sameRef(a: ConversationRef, b: ConversationRef): boolean {
  return a.kind === 'room' ? b.kind === 'room' : b.kind === 'private' && a.login === b.login;
}

/** Unread private messages over every thread. */
export function privateUnread(state: ChatModelState): number {
  return totalUnread(state.unread, '@');
}
