// The chat session: wires one ChatClient (the SDK) to reactive state — connection, rooms,
// the current room's timeline, private threads, people, pending sends and the clock.
// Components read this store and call its actions; only the SDK touches the network.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import {
  ApiError,
  fillGap as fillHistoryGap,
  isCommand,
  parsePrivateCommand,
  typedCommand,
  mergeById,
  peerOf,
  type ChatClient,
  type ClockStats,
  type ConnectionStatus,
  type ChatError,
  type EventEnvelope,
  type HelpItem,
  type JoinedEnvelope,
  type MessageEnvelope,
  type PendingMessage,
  type PrivateEnvelope,
  type RoomInfo,
  type UserInfo,
} from '@sala/sdk';
import { config } from '../config';
import { salaServices } from '../services/sala';
import { useSessionStore } from './session';

/** Something the server or the app says inline, between messages. */
export type NoticeBody =
  | { type: 'event'; event: EventEnvelope }
  | { type: 'joined'; room: string; moved: boolean }
  /** `about`: the room or user the failed command named, when known (see ChatError). */
  /** `unsent`: the text of a message that was not sent (not_sent), shown so it is not lost. */
  | { type: 'error'; code: string; message: string; about?: string; unsent?: string }
  | { type: 'help'; commands: HelpItem[] }
  | { type: 'rooms'; rooms: RoomInfo[] }
  | { type: 'users'; users: UserInfo[] };

export type Notice = NoticeBody & {
  key: string;
  /** Shown after the message with this id (0: before every message). */
  afterId: number;
  /** Server time it happened. */
  at: number;
};

/** One row of a conversation's log. */
export type TimelineItem =
  | { kind: 'message'; key: string; id: number; from: string; text: string; at: number }
  | { kind: 'pending'; key: string; from: string; text: string; at: number }
  | { kind: 'notice'; key: string; notice: Notice };

/** A conversation's stored messages and inline notices. */
interface Log<M> {
  messages: M[];
  notices: Notice[];
  /** Older messages may exist on the server (REST pages). */
  hasMore: boolean;
  loading: boolean;
}

export interface Thread extends Log<PrivateEnvelope> {
  login: string;
  unread: number;
  loaded: boolean;
}

export type Conversation = { kind: 'room' } | { kind: 'private'; login: string };

function emptyLog<M>(): Log<M> {
  return { messages: [], notices: [], hasMore: false, loading: false };
}

/** The room this tab was in (sessionStorage: a reload keeps it, a new tab starts afresh). */
function savedRoom(): string | undefined {
  try {
    return sessionStorage.getItem(config.storage.room) ?? undefined;
  } catch {
    return undefined; // storage unavailable: a reload starts in the default room
  }
}

/** Remembers the tab's room, or forgets it (null, on logout). */
function saveRoom(name: string | null): void {
  try {
    if (name === null) sessionStorage.removeItem(config.storage.room);
    else sessionStorage.setItem(config.storage.room, name);
  } catch {
    // storage unavailable: nothing to keep
  }
}

const idleStatus: ConnectionStatus = { state: 'idle', attempt: 0 };
const noClock: ClockStats = { offset: 0, latency: null, bestRtt: null, samples: 0 };

export const useChatStore = defineStore('chat', () => {
  const session = useSessionStore();

  const client = shallowRef<ChatClient | null>(null);
  const status = ref<ConnectionStatus>(idleStatus);
  const clock = ref<ClockStats>(noClock);
  const pending = shallowRef<readonly PendingMessage[]>([]);
  const commands = shallowRef<HelpItem[]>([]);
  const rooms = shallowRef<RoomInfo[]>([]);
  const users = shallowRef<UserInfo[]>([]);
  const room = ref<string>('');
  const roomLog = ref<Log<MessageEnvelope>>(emptyLog());
  const roomUnread = ref(0);
  const threads = ref<Record<string, Thread>>({});
  const conversation = ref<Conversation>({ kind: 'room' });

  let noticeSeq = 0;
  let unsubscribe: Array<() => void> = [];
  let expectRoomsReply = 0;
  let expectUsersReply = 0;
  let followNextJoin = false;
  let deletedRoom: EventEnvelope | null = null;
  /** Client ids of sends whose errors belong elsewhere: private → login; room moves → ''. */
  const sentIds = new Map<string, string>();
  /** Client ids of `#private` commands typed in the composer → the recipient's login. */
  const privateCommands = new Map<string, string>();
  let usersTimer: ReturnType<typeof setTimeout> | null = null;

  const me = computed(() => session.user?.login ?? '');
  const defaultRoom = computed(() => rooms.value.find((r) => r.default)?.name ?? 'general');
  const currentRoomInfo = computed(() => rooms.value.find((r) => r.name === room.value) ?? null);
  const activeThread = computed<Thread | null>(() =>
    conversation.value.kind === 'private'
      ? (threads.value[conversation.value.login] ?? placeholderThread(conversation.value.login))
      : null,
  );
  const totalPrivateUnread = computed(() =>
    Object.values(threads.value).reduce((n, t) => n + t.unread, 0),
  );

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Connects for the signed-in user (no-op when already started). */
  function start(): void {
    if (client.value) return;
    // A reload goes back to the room the tab was in, if it still lives.
    const c = salaServices().chat(() => session.token, session.api, savedRoom());
    client.value = c;
    unsubscribe = [
      c.on('state', onState),
      c.on('welcome', (w) => {
        commands.value = w.commands;
        void loadUsers();
      }),
      c.on('rooms', (list) => (rooms.value = list)),
      c.on('roomsReply', onRoomsReply),
      c.on('joined', onJoined),
      c.on('message', onMessage),
      c.on('private', onPrivate),
      c.on('users', onUsers),
      c.on('event', onEvent),
      c.on('help', (items) => addNotice(currentLog(), { type: 'help', commands: items })),
      c.on('error', onError),
      c.on('pending', (p) => (pending.value = p)),
      c.on('ack', onAck),
      c.on('clock', (s) => (clock.value = s)),
    ];
    c.connect();
    if (commands.value.length === 0) {
      session.api.commands().then(
        (list) => {
          if (commands.value.length === 0) commands.value = list;
        },
        () => undefined,
      );
    }
  }

  /** Disconnects and forgets everything (log out). */
  function stop(): void {
    for (const off of unsubscribe) off();
    unsubscribe = [];
    client.value?.close();
    client.value = null;
    saveRoom(null);
    if (usersTimer) clearTimeout(usersTimer);
    status.value = idleStatus;
    clock.value = noClock;
    pending.value = [];
    rooms.value = [];
    users.value = [];
    room.value = '';
    roomLog.value = emptyLog();
    roomUnread.value = 0;
    threads.value = {};
    conversation.value = { kind: 'room' };
    sentIds.clear();
    expectRoomsReply = 0;
    expectUsersReply = 0;
    followNextJoin = false;
    deletedRoom = null;
  }

  /** After `closed` (e.g. #exit): connect again. While waiting to retry: retry now. */
  function reconnect(): void {
    const c = client.value;
    if (!c) return start();
    if (c.state === 'closed') c.connect();
    else c.reconnectNow();
  }

  // ---- actions -----------------------------------------------------------------------------

  /** Sends what the composer holds: a message to the room or thread, or a `#` command. */
  function send(text: string): void {
    const c = client.value;
    if (!c || text.trim() === '') return;
    if (isCommand(text)) {
      command(text);
    } else if (conversation.value.kind === 'private') {
      sentIds.set(c.sendPrivate(conversation.value.login, text), conversation.value.login);
    } else {
      c.send(text);
    }
  }

  function command(text: string): void {
    const c = client.value;
    if (!c) return;
    const follows = noteCommand(text);
    const to = parsePrivateCommand(text)?.to;
    const id = c.send(text);
    if (follows) sentIds.set(id, '');
    if (to !== undefined) privateCommands.set(id, to);
  }

  const createRoom = (name: string) => command(`#cR ${name}`);
  const joinRoom = (name: string) => {
    if (name === room.value) return openRoom();
    command(`#gR ${name}`);
  };
  const leaveRoom = () => command('#eR');
  const deleteRoom = (name: string) => command(`#dR ${name}`);
  const showHelp = () => command('#help');
  /** Refreshes the people panel (#show users) without an inline list. */
  const refreshUsers = () => client.value?.send('#show users');

  /** Remembers what a typed command's answer means; true for a room move. */
  function noteCommand(text: string): boolean {
    const word = typedCommand(text.trim());
    if (word === '#lr') expectRoomsReply++;
    if (word === '#show') expectUsersReply++;
    if (word === '#cr' || word === '#gr' || word === '#er') {
      followNextJoin = true;
      return true;
    }
    return false;
  }

  /** Shows the room's conversation. */
  function openRoom(): void {
    conversation.value = { kind: 'room' };
    roomUnread.value = 0;
  }

  /** Shows the private thread with `login`, loading its history the first time. */
  function openPrivate(login: string): void {
    const t = ensureThread(login);
    conversation.value = { kind: 'private', login };
    t.unread = 0;
    if (!t.loaded) void loadOlder();
  }

  /** Loads the previous page of the current conversation (infinite scroll). */
  async function loadOlder(): Promise<void> {
    const conv = conversation.value;
    if (conv.kind === 'room') {
      const log = roomLog.value;
      const name = room.value;
      const first = log.messages[0];
      if (log.loading || !log.hasMore || !first || !name) return;
      log.loading = true;
      try {
        const page = await session.api.roomHistory(name, {
          before: first.id,
          limit: config.pageSize,
        });
        if (room.value !== name) return;
        log.messages = mergeById(log.messages, page.messages);
        log.hasMore = page.has_more;
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) log.hasMore = false;
      } finally {
        log.loading = false;
      }
      return;
    }
    const t = ensureThread(conv.login);
    if (t.loading || (t.loaded && !t.hasMore)) return;
    t.loading = true;
    try {
      const before = t.loaded ? t.messages[0]?.id : undefined;
      const page = await session.api.dmHistory(t.login, { before, limit: config.pageSize });
      t.messages = mergeById(t.messages, page.messages);
      t.hasMore = page.has_more;
      t.loaded = true;
    } catch (e) {
      if (e instanceof ApiError) {
        t.loaded = true;
        t.hasMore = false;
        addNotice(t, { type: 'error', code: e.code, message: e.message });
      }
    } finally {
      t.loading = false;
    }
  }

  /** Removes an inline notice (e.g. a help or error box). */
  function dismissNotice(key: string): void {
    const log = currentLog();
    log.notices = log.notices.filter((n) => n.key !== key);
  }

  // ---- envelopes ---------------------------------------------------------------------------

  function onState(s: ConnectionStatus): void {
    status.value = s;
    if (s.state === 'auth') {
      stop();
      session.logout('auth.sessionExpired');
    }
  }

  /** The answer to a `#lR` the user typed is shown in the conversation. */
  function onRoomsReply(list: RoomInfo[]): void {
    if (expectRoomsReply > 0) {
      expectRoomsReply--;
      addNotice(currentLog(), { type: 'rooms', rooms: list });
    }
  }

  function onUsers(list: UserInfo[]): void {
    users.value = list;
    if (expectUsersReply > 0) {
      expectUsersReply--;
      addNotice(currentLog(), { type: 'users', users: list });
    }
  }

  function onJoined(j: JoinedEnvelope): void {
    const log = roomLog.value;
    if (j.resumed && j.room === room.value) {
      const knownUpTo = log.messages.at(-1)?.id ?? 0;
      log.messages = mergeById(log.messages, j.history);
      if (j.more && j.history[0]) void fillGap(j.room, j.history[0].id, knownUpTo);
      return;
    }
    const moved = deletedRoom !== null || (room.value !== '' && !followNextJoin);
    room.value = j.room;
    saveRoom(j.room);
    roomLog.value = { ...emptyLog(), messages: [...j.history], hasMore: j.history.length > 0 };
    if (deletedRoom)
      addNotice(roomLog.value, { type: 'event', event: deletedRoom }, deletedRoom.at);
    addNotice(roomLog.value, {
      type: 'joined',
      room: j.room,
      moved: moved && j.room === defaultRoom.value,
    });
    deletedRoom = null;
    if (followNextJoin) {
      followNextJoin = false;
      openRoom();
    }
    if (conversation.value.kind === 'room') roomUnread.value = 0;
  }

  /** After a resume with `more`, pages the missed messages between `knownUpTo` and `below`. */
  async function fillGap(name: string, below: number, knownUpTo: number): Promise<void> {
    try {
      await fillHistoryGap({
        load: (page) => session.api.roomHistory(name, page),
        below,
        knownUpTo,
        wanted: () => room.value === name,
        onPage: (messages) => {
          roomLog.value.messages = mergeById(roomLog.value.messages, messages);
        },
      });
    } catch {
      // what arrived stays; older pages can still be loaded by scrolling up
    }
  }

  function onMessage(m: MessageEnvelope): void {
    if (m.room !== room.value) return;
    roomLog.value.messages = mergeById(roomLog.value.messages, [m]);
    if (conversation.value.kind !== 'room' && m.from !== me.value) roomUnread.value++;
  }

  function onPrivate(m: PrivateEnvelope): void {
    const login = peerOf(m, me.value);
    const t = ensureThread(login);
    t.messages = mergeById(t.messages, [m]);
    const viewing = conversation.value.kind === 'private' && conversation.value.login === login;
    if (!viewing && m.from !== me.value) t.unread++;
    if (!users.value.some((u) => u.login === login)) scheduleUsersRefresh();
  }

  function onEvent(e: EventEnvelope): void {
    if (e.kind === 'room_deleted' && e.room === room.value) {
      deletedRoom = e; // shown in the room we are moved to, before its joined notice
      return;
    }
    if (e.kind === 'room_created' && e.user === me.value) return; // our own joined says it
    if (e.kind === 'user_joined' || e.kind === 'user_left') scheduleUsersRefresh();
    const mine = (e.kind === 'user_joined' || e.kind === 'user_left') && e.user === me.value;
    if (!mine) addNotice(roomLog.value, { type: 'event', event: e }, e.at);
  }

  /**
   * A stored send. A `#private` typed in a room has no trace in the room: once it is stored,
   * its thread opens, where the sender sees it arrive.
   */
  function onAck(a: { id: string }): void {
    sentIds.delete(a.id);
    const to = privateCommands.get(a.id);
    if (to === undefined) return;
    privateCommands.delete(a.id);
    if (conversation.value.kind === 'room') openPrivate(to);
  }

  function onError(e: ChatError): void {
    const where = e.id !== undefined ? sentIds.get(e.id) : undefined;
    if (e.id !== undefined) sentIds.delete(e.id);
    if (e.id !== undefined) privateCommands.delete(e.id);
    if (where === '') followNextJoin = false; // that move failed
    const target = where ? ensureThread(where) : currentLog();
    addNotice(target, {
      type: 'error',
      code: e.code,
      message: e.message,
      about: e.about,
      unsent: e.unsent,
    });
  }

  // ---- helpers -----------------------------------------------------------------------------

  function ensureThread(login: string): Thread {
    let t = threads.value[login];
    if (!t) {
      threads.value[login] = { ...emptyLog<PrivateEnvelope>(), login, unread: 0, loaded: false };
      t = threads.value[login]!;
    }
    return t;
  }

  function currentLog(): Log<MessageEnvelope> | Thread {
    return conversation.value.kind === 'private'
      ? ensureThread(conversation.value.login)
      : roomLog.value;
  }

  function addNotice(log: Log<{ id: number }>, body: NoticeBody, at = serverNow()): void {
    const afterId = log.messages.at(-1)?.id ?? 0;
    log.notices = [...log.notices, { ...body, key: `n${++noticeSeq}`, afterId, at }];
  }

  async function loadUsers(): Promise<void> {
    try {
      users.value = await session.api.users();
    } catch {
      // the panel keeps its last list; #show users can refresh it
    }
  }

  function scheduleUsersRefresh(): void {
    if (usersTimer) return;
    usersTimer = setTimeout(() => {
      usersTimer = null;
      void loadUsers();
    }, 300);
  }

  /** The server's clock now (local clock + offset). */
  function serverNow(): number {
    return client.value ? client.value.serverNow() : Date.now();
  }

  /** The rows of the conversation on screen: messages, notices, then pending sends. */
  const timeline = computed<TimelineItem[]>(() => {
    const conv = conversation.value;
    const log: Log<MessageEnvelope | PrivateEnvelope> =
      conv.kind === 'room' ? roomLog.value : (activeThread.value ?? placeholderThread(conv.login));
    const items: TimelineItem[] = [];
    const notices = [...log.notices].sort((a, b) => a.afterId - b.afterId);
    let n = 0;
    const clientIds = new Set<string>();
    for (const m of log.messages) {
      while (n < notices.length && notices[n]!.afterId < m.id) pushNotice(items, notices[n++]!);
      items.push({
        kind: 'message',
        key: `m${m.id}`,
        id: m.id,
        from: m.from,
        text: m.text,
        at: m.sent_at,
      });
      if (m.client_id) clientIds.add(m.client_id);
    }
    while (n < notices.length) pushNotice(items, notices[n++]!);
    const c = client.value;
    for (const p of pending.value) {
      if (clientIds.has(p.id)) continue;
      const here =
        conv.kind === 'room'
          ? p.kind === 'message' && (p.room === null || p.room === room.value)
          : p.kind === 'private' && p.to === conv.login;
      if (!here) continue;
      const at = c ? c.toServerTime(p.createdAt) : p.createdAt;
      items.push({ kind: 'pending', key: `p${p.id}`, from: me.value, text: p.body ?? p.text, at });
    }
    return items;
  });

  const hasMore = computed(() =>
    conversation.value.kind === 'room'
      ? roomLog.value.hasMore
      : !(activeThread.value?.loaded ?? false) || (activeThread.value?.hasMore ?? false),
  );
  const loadingOlder = computed(() =>
    conversation.value.kind === 'room'
      ? roomLog.value.loading
      : (activeThread.value?.loading ?? false),
  );

  return {
    // state
    status,
    clock,
    pending,
    commands,
    rooms,
    users,
    room,
    roomLog,
    roomUnread,
    threads,
    conversation,
    // getters
    me,
    defaultRoom,
    currentRoomInfo,
    activeThread,
    totalPrivateUnread,
    timeline,
    hasMore,
    loadingOlder,
    // actions
    start,
    stop,
    reconnect,
    send,
    createRoom,
    joinRoom,
    leaveRoom,
    deleteRoom,
    showHelp,
    refreshUsers,
    openRoom,
    openPrivate,
    loadOlder,
    dismissNotice,
    serverNow,
  };
});

function placeholderThread(login: string): Thread {
  return { ...emptyLog<PrivateEnvelope>(), login, unread: 0, loaded: false };
}

function pushNotice(items: TimelineItem[], notice: Notice): void {
  items.push({ kind: 'notice', key: notice.key, notice });
}
