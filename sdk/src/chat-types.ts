// The types of ChatClient's options, state and events.
import type { ClockStats } from './clock';
import type {
  AckEnvelope,
  ErrorEnvelope,
  EventEnvelope,
  HelpItem,
  JoinedEnvelope,
  MentionEnvelope,
  MessageEnvelope,
  PrivateEnvelope,
  ReadEnvelope,
  RoomInfo,
  ServerEnvelope,
  TypingEnvelope,
  UpdateEnvelope,
  UserInfo,
  WelcomeEnvelope,
} from './types';

/**
 * An error for an app to show. The server's `message` names the room or user concerned, but in
 * English; an app that translates `code` takes the name from `about`.
 */
export interface ChatError extends ErrorEnvelope {
  /**
   * What the failed send named, from the text this client sent: the room of `#gR`, `#cR` or
   * `#dR`, the login of `#private`; for `not_sent`, the room the message was typed in.
   */
  about?: string;
  /**
   * For `not_sent`: the text that was not sent, so that an app can show it (or offer it again)
   * rather than lose what the user typed.
   */
  unsent?: string;
}

/** The part of the browser WebSocket the client uses; the global WebSocket satisfies it. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: never) => unknown) | null;
  onmessage: ((ev: never) => unknown) | null;
  onclose: ((ev: never) => unknown) | null;
  onerror: ((ev: never) => unknown) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** A WebSocket constructor (the global one, or a test double). */
export type WebSocketCtor = new (url: string) => WebSocketLike;

/** Timer functions, injectable for tests. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Where the connection is:
 * - `idle`: connect() not called yet;
 * - `connecting`: a socket is opening, or open and waiting for welcome + joined;
 * - `open`: welcome and joined received, sends go out at once;
 * - `reconnecting`: dropped, waiting for the backoff timer (see `retryAt`);
 * - `closed`: stopped for good (close(), `#exit`, or a terminal close code: 1000, 1008, 1009);
 * - `auth`: the token is missing, expired (4001) or refused: log in again, then connect().
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'auth';

/** The payload of the `state` event. */
export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts since the last successful connection. */
  attempt: number;
  /** Close code of the last closed socket, if any. */
  closeCode?: number;
  /** Local time of the next attempt, when `reconnecting`. */
  retryAt?: number;
}

/** A send waiting to be stored (ack) or, for a command, to go out. */
export interface PendingMessage {
  /** The client id of the send envelope (kept across re-sends). */
  id: string;
  /** The text as typed (for a private message: the whole command). */
  text: string;
  /**
   * `message`: to the room; `private`: `#private` (acked); `command`: any other `#` command;
   * `edit`, `delete`, `react`: an action on message `messageId` (acked like a message).
   */
  kind: 'message' | 'private' | 'command' | 'edit' | 'delete' | 'react';
  /** The room the connection was in when it was typed (null before the first joined). */
  room: string | null;
  /** For `private`: the recipient's login and the text. */
  to?: string;
  body?: string;
  /** The message a send answers (`reply_to`). */
  replyTo?: number;
  /** The ids of the sender's uploads the message carries (`attachments`). */
  attachments?: string[];
  /** For `edit`, `delete`, `react`: the message acted on. */
  messageId?: number;
  /** For `react`: the emoji. */
  emoji?: string;
  /** Local time of send(). */
  createdAt: number;
  /** How many times it went out on a socket. */
  attempts: number;
}

/** Options of a send. */
export interface SendOptions {
  /** The id of a message of the same conversation this one answers. */
  replyTo?: number;
  /** The ids of the sender's own uploads to attach (up to MAX_ATTACHMENTS). */
  attachments?: string[];
}

/** Events of {@link ChatClient}: name → payload. */
export interface ChatEvents {
  /** The connection state changed. */
  state: ConnectionStatus;
  welcome: WelcomeEnvelope;
  /**
   * The connection is in `room`. When `resumed` is false `history` is the room's latest messages
   * (replace the room's view); when true it holds only the messages not seen yet (merge them).
   */
  joined: JoinedEnvelope;
  /** A room message not seen before (duplicates by id are dropped). */
  message: MessageEnvelope;
  /** A private message to or from the user, not seen before. */
  private: PrivateEnvelope;
  ack: AckEnvelope;
  /** An edit, deletion or reaction not seen before (duplicates by id are dropped). */
  update: UpdateEnvelope;
  /** Someone is typing in the connection's room or to the user. */
  typing: TypingEnvelope;
  /** The user's read cursor of a conversation moved on another of their connections. */
  read: ReadEnvelope;
  /** A message of a room the user is not in mentions them, not seen before (deduped by id). */
  mention: MentionEnvelope;
  /**
   * The live rooms, whenever they change: from welcome, the `#lR` answer, and every
   * `rooms_changed` push applied to the list.
   */
  rooms: RoomInfo[];
  /** The answer to `#lR` (a `rooms` envelope), for showing it in the conversation. */
  roomsReply: RoomInfo[];
  users: UserInfo[];
  event: EventEnvelope;
  /** The `#help` answer. */
  help: HelpItem[];
  /**
   * An `error` envelope (its `id` names the send that failed; that send left the pending list),
   * or one made by the client: code `not_sent` when a pending message's room was gone after a
   * reconnect. `about` is added when the client knows what the failed send named.
   */
  error: ChatError;
  /** The pending list changed. */
  pending: readonly PendingMessage[];
  /** A pong updated the clock estimate. */
  clock: ClockStats;
  /** Every envelope received, after the client handled it. */
  envelope: ServerEnvelope;
}

/**
 * Backoff between reconnect attempts: min(maxMs, baseMs·2^attempt), jittered to [½, 1]×. The
 * default cap (4 s) finds a server that came back within a few seconds; the jitter spreads
 * the clients' returns.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Ping schedule: a burst at connect, then one every `intervalMs`. */
export interface PingOptions {
  burst: number;
  burstGapMs: number;
  intervalMs: number;
  /** No pong for this long on an open socket: the socket is dead, reconnect. */
  staleAfterMs: number;
  /** After reconnectNow() on an open socket, how long to wait for the probe's pong. */
  probeTimeoutMs: number;
}

/** Options of {@link ChatClient}. */
export interface ChatClientOptions {
  /** Origin of the Sala server (`http(s)://host`); empty means the page's origin. */
  baseUrl?: string;
  /** The current JWT; called on every connection attempt. Null means signed out (`auth`). */
  getToken: () => string | null | undefined;
  /**
   * Called when a socket closes before welcome (a browser can't see the 401 of a refused
   * upgrade). Resolve false when the token is no longer valid (e.g. GET /me answered 401):
   * the client then stops in state `auth` instead of retrying.
   */
  checkAuth?: () => Promise<boolean>;
  /** Defaults to the global WebSocket. */
  WebSocket?: WebSocketCtor;
  /** Local clock, ms. Defaults to Date.now. */
  now?: () => number;
  /** Defaults to the global setTimeout/clearTimeout. */
  timers?: Timers;
  /** Random in [0, 1) for jitter and client ids. Defaults to Math.random. */
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  ping?: Partial<PingOptions>;
  /** Samples kept for the clock and the average latency. Default 30. */
  clockWindow?: number;
  /**
   * The room to land in on the first connection, when it is still live (the default room
   * otherwise): the room a reloaded page was in. Reconnections go back to the current room.
   */
  room?: string;
}
