import {
  type Alert,
  ChatModel,
  type ChatModelClient,
  type ChatModelOptions,
  type ChatModelState,
  type ConversationRef,
  type Paging,
  type PrivateEnvelope,
  type RoomInfo,
  type TimelineItem,
  timeline,
  totalUnread as unreadOver,
  type UnreadMap,
  type UploadInput,
  type UserInfo,
} from '@sala/sdk';

export type { Notice, Paging, TimelineItem } from '@sala/sdk';

/** The connection as the screens show it. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A send not stored yet: `room` for a room message, `peer` for a private one; server time. */
export type PendingMessage = { id: string; text: string; room?: string; peer?: string; at: number };

export type Conversation = { room: string } | { peer: string }; // a room, or a private thread

/** The key of a conversation in `ChatState.paging`. */
export function pagingKey(c: Conversation): string {
  return 'room' in c ? `#${c.room}` : `@${c.peer}`;
}

/** The SDK model's state, shaped for the screens' selectors (each part keeps its identity). */
export interface ChatState extends Pick<
  ChatModelState,
  | 'me'
  | 'room'
  | 'rooms'
  | 'users'
  | 'typing'
  | 'announcement'
  | 'mentions'
  | 'newMessages'
  | 'attachments'
  | 'focus'
> {
  status: ConnectionStatus;
  latencyMs: number | null; // none while disconnected
  /** The current room's messages and notices (pending sends are in `pending`). */
  timelines: Record<string, TimelineItem[]>;
  /** By pagingKey(); a thread has none until its first page is asked for. */
  paging: Record<string, Paging>;
  threads: Record<string, readonly PrivateEnvelope[]>;
  /** Unread private messages by login. */
  unread: Record<string, number>;
  /** Unread messages and mentions by conversation (`#room`, `@login`). */
  counts: UnreadMap;
  /** The latest private message or mention that needs the user. */
  alert: Alert | null;
  activePeer: string | null;
  pending: PendingMessage[];
  commands: ChatModelState['commands'];
  lastError: ChatModelState['lastError'];
  privateSent: { id: string; peer: string } | null;
}

/**
 * The chat for React: a thin adapter over the SDK's ChatModel (which owns the conversations
 * for both apps), read with useSyncExternalStore through getState()/subscribe().
 */
export class ChatStore {
  private readonly model: ChatModel;
  private source: ChatModelState | null = null;
  private shown!: ChatState;

  /** `onAuthLost`: the server refused the token (expired), the user must log in again. */
  constructor(
    client: ChatModelClient,
    me: string,
    api: ChatModelOptions['api'],
    onAuthLost?: () => void,
  ) {
    this.model = new ChatModel({ client, api, me, onAuthLost });
  }

  /** The screens whose list shows its newest message, by screen (only a focused one says so). */
  private readonly atEnd = new Map<string, boolean>();

  /** A screen's list shows its newest message (it is focused and scrolled to the end), or not. */
  setNewestVisible = (screen: string, visible: boolean) => {
    this.atEnd.set(screen, visible);
    this.model.setNewestVisible([...this.atEnd.values()].some(Boolean));
  };
  /** The app is in the foreground. */
  setFocused = (focused: boolean) => this.model.setFocused(focused);

  getState = (): ChatState => {
    const s = this.model.getState();
    if (s !== this.source) this.shown = toScreen(s, this.source, this.shown);
    this.source = s;
    return this.shown;
  };

  subscribe = (listener: () => void): (() => void) => this.model.subscribe(listener);

  start = () => this.model.start();
  stop = () => this.model.stop();
  serverNow = () => this.model.serverNow();
  reconnectNow = () => this.model.reconnectNow();
  reconnect = () => this.model.reconnect();
  send = (text: string, replyTo?: number) => this.model.send(text, { replyTo });
  sendPrivate = (peer: string, text: string, replyTo?: number) =>
    this.model.sendPrivate(peer, text, { replyTo });
  edit = (messageId: number, text: string) => this.model.edit(messageId, text);
  deleteMessage = (messageId: number) => this.model.deleteMessage(messageId);
  react = (messageId: number, emoji: string) => this.model.react(messageId, emoji);
  /** Uploads a file into the composer of the conversation on screen. */
  attach = (file: UploadInput) => this.model.attach(file);
  cancelAttachment = (key: string) => this.model.cancelAttachment(key);
  removeAttachment = (key: string) => this.model.removeAttachment(key);
  retryAttachment = (key: string) => this.model.retryAttachment(key);
  /** A file of a message on screen failed to load: fetch the message's fresh links. */
  refreshLinks = (messageId: number) => void this.model.refreshLinks(messageId);
  /** The composer of the conversation on screen changed (the SDK throttles the signals). */
  typing = () => this.model.typing();
  createRoom = (name: string) => this.model.createRoom(name);
  joinRoom = (name: string) => this.model.joinRoom(name);
  deleteRoom = (name: string) => this.model.deleteRoom(name);
  setUsers = (users: UserInfo[]) => this.model.setUsers(users);
  setRooms = (rooms: RoomInfo[]) => this.model.setRooms(rooms);

  /**
   * Opens a message (a search result) in its conversation, the history around it loaded;
   * `focus` then names it. False when it could not be opened.
   */
  openMessage = (target: { room: string } | { with: string }, id: number) =>
    this.model.openMessage(target, id);

  /** Marks a private conversation as on screen (read), or none; loads its first page. */
  openThread(peer: string | null) {
    if (peer) this.model.openPrivate(peer);
    else this.model.openRoom();
  }

  /** Loads the latest page of a private conversation, the first time it is asked for. */
  loadThread(peer: string): Promise<void> {
    if (this.model.getState().threads[peer]?.paging.loaded) return Promise.resolve();
    return this.model.loadOlder({ kind: 'private', login: peer });
  }

  /** The page before a conversation's oldest message; after a failure only with `retry`. */
  loadOlder(conversation: Conversation, retry = false): Promise<void> {
    const ref: ConversationRef =
      'room' in conversation ? { kind: 'room' } : { kind: 'private', login: conversation.peer };
    return this.model.loadOlder(ref, retry);
  }
}

function toScreen(s: ChatModelState, prev: ChatModelState | null, shown?: ChatState): ChatState {
  const c = s.connection.state;
  const same = <K extends keyof ChatModelState>(k: K) => prev !== null && prev[k] === s[k];
  const paging: Record<string, Paging> = {};
  if (s.room) paging[pagingKey({ room: s.room })] = s.roomLog.paging;
  const threads: Record<string, readonly PrivateEnvelope[]> = {};
  const unread: Record<string, number> = {};
  for (const [key, c] of Object.entries(s.unread)) {
    if (key.startsWith('@') && c.count > 0) unread[key.slice(1)] = c.count;
  }
  for (const [peer, t] of Object.entries(s.threads)) {
    threads[peer] = t.messages;
    if (t.paging.loaded || t.paging.loading || t.paging.failed) {
      paging[pagingKey({ peer })] = t.paging;
    }
  }
  const keepThreads = shown && same('threads');
  return {
    status: c === 'auth' ? 'closed' : c === 'idle' ? 'connecting' : c,
    latencyMs: s.clock.latency,
    me: s.me,
    room: s.room,
    rooms: s.rooms,
    users: s.users,
    typing: s.typing,
    announcement: s.announcement,
    attachments: s.attachments,
    focus: s.focus,
    timelines: s.room ? { [s.room]: timeline(s, { kind: 'room' }, false) } : {},
    paging,
    threads: keepThreads ? shown.threads : threads,
    unread: shown && same('unread') ? shown.unread : unread,
    counts: s.unread,
    mentions: s.mentions,
    newMessages: s.newMessages,
    alert: s.alert,
    activePeer: s.active.kind === 'private' ? s.active.login : null,
    pending: shown && same('pending') ? shown.pending : s.pending.map(shownPending),
    commands: s.commands,
    lastError: s.lastError,
    privateSent:
      shown && same('privateSent')
        ? shown.privateSent
        : s.privateSent && { id: s.privateSent.id, peer: s.privateSent.login },
  };
}

function shownPending(p: ChatModelState['pending'][number]): PendingMessage {
  const room = p.kind === 'message' ? (p.room ?? undefined) : undefined;
  return { id: p.id, text: p.body ?? p.text, room, peer: p.to, at: p.at };
}

/** Total unread private messages. */
export const totalUnread = (s: ChatState) => unreadOver(s.counts, '@');

/** Unread messages of the current room. */
export const roomUnread = (s: ChatState) => (s.room ? (s.counts[`#${s.room}`]?.count ?? 0) : 0);

/** Unread messages of the rooms other than the current one. */
export const otherRoomsUnread = (s: ChatState) => unreadOver(s.counts, '#') - roomUnread(s);
