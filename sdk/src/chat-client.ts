// ChatClient: the only place that speaks Sala's WebSocket protocol (docs/protocol.md). It owns
// reconnecting with backoff, resuming (last_id + room), deduping messages by id, pending sends
// until their ack (re-sent with the same id after a reconnect), delivery receipts, and the
// clock/latency estimate.
import type {
  BackoffOptions,
  ChatClientOptions,
  ChatEvents,
  ConnectionState,
  ConnectionStatus,
  PendingMessage,
  PingOptions,
  SendOptions,
  Timers,
  WebSocketCtor,
  WebSocketLike,
} from './chat-types';
import { ClockSync, type ClockStats } from './clock';
import { commandArgument, isCommand, parsePrivateCommand } from './commands';
import { TYPING_INTERVAL_MS } from './conversation';
import { Emitter } from './emitter';
import { applyRoomsChanged } from './rooms';
import type {
  AckEnvelope,
  ClientEnvelope,
  SendEnvelope,
  ErrorEnvelope,
  HelpItem,
  JoinedEnvelope,
  Profile,
  RoomInfo,
  ServerEnvelope,
  WelcomeEnvelope,
} from './types';
import {
  CLOSE_TOKEN_EXPIRED,
  CONNECTING,
  OPEN,
  TERMINAL_CLOSE_CODES,
  parseFrame,
  wsUrl,
} from './wire';

/** How many sent commands' texts the client keeps for naming what an error is about. */
const SENT_COMMANDS_KEPT = 32;
/**
 * How many message ids the dedupe set keeps. Duplicates arrive close to the newest ids (a
 * resume's overlap with live messages, a re-sent backlog), so the oldest ids are forgotten
 * first; an app that merges by id (ChatModel) shows even a late duplicate once.
 */
export const SEEN_KEPT = 10_000;
/** The least time between two receipts while the highest id grows. */
export const RECEIPT_INTERVAL_MS = 1_000;

/** The global setTimeout/clearTimeout, typed without DOM or Node types. */
export function defaultTimers(): Timers {
  const g = globalThis as unknown as {
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(h: unknown): void;
  };
  return { setTimeout: (fn, ms) => g.setTimeout(fn, ms), clearTimeout: (h) => g.clearTimeout(h) };
}

/**
 * The real-time client. Create it, subscribe with `on(...)`, call `connect()`; `send(text)`
 * for messages and `#` commands; `close()` to stop. It reconnects by itself after a drop.
 */
export class ChatClient extends Emitter<ChatEvents> {
  private readonly opts: ChatClientOptions;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly pingOpts: PingOptions;
  private readonly clock: ClockSync;
  private readonly idPrefix: string;

  private ws: WebSocketLike | null = null;
  private status: ConnectionStatus = { state: 'idle', attempt: 0 };
  private ready = false; // welcome and the first joined received on this socket
  private stopped = true;
  private counter = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private probeTimer: unknown = null;
  private receiptTimer: unknown = null;
  /** The last_id of the latest receipt sent on this socket (0: none yet). */
  private receiptSent = 0;
  /** The socket just became ready: send a receipt once its first frame is handled. */
  private receiptNow = false;
  private pingsSent = 0;
  private lastPongAt = 0;
  private readonly pings = new Map<string, number>();
  private readonly seen = new Set<number>();
  private pendingList: PendingMessage[] = [];
  // Sends the server answered `unavailable`, waiting to be sent again (see onError).
  private readonly resendTimers = new Map<string, unknown>();
  // The texts of the latest commands sent, by client id: commands leave the pending list once
  // sent, and an error answering one names what it was about (see ChatError).
  private readonly sentCommands = new Map<string, string>();
  /** When the latest typing signal went out, by conversation (`#room` or `@login`). */
  private readonly typingSent = new Map<string, number>();
  /** Client ids of the latest `read` envelopes: their answers are not the app's business. */
  private readonly readIds = new Set<string>();

  private lastIdValue = 0;
  private roomValue: string | null = null;
  private userValue: Profile | null = null;
  private roomsValue: RoomInfo[] = [];
  private commandsValue: HelpItem[] = [];

  constructor(options: ChatClientOptions) {
    super();
    this.opts = options;
    this.now = options.now ?? (() => Date.now());
    this.timers = options.timers ?? defaultTimers();
    this.random = options.random ?? Math.random;
    this.backoff = { baseMs: 500, maxMs: 4_000, ...options.backoff };
    this.pingOpts = {
      burst: 5,
      burstGapMs: 100,
      intervalMs: 10_000,
      staleAfterMs: 25_000,
      probeTimeoutMs: 4_000,
      ...options.ping,
    };
    this.clock = new ClockSync(options.clockWindow ?? 30);
    this.idPrefix = randomId(this.random);
  }

  // ---- state -------------------------------------------------------------------------------

  /** The connection state and retry details. */
  get connection(): ConnectionStatus {
    return { ...this.status };
  }
  get state(): ConnectionState {
    return this.status.state;
  }
  /** The room the connection is in (null before the first joined). */
  get room(): string | null {
    return this.roomValue;
  }
  /** The signed-in user, from welcome. */
  get user(): Profile | null {
    return this.userValue;
  }
  /** The latest live room list. */
  get rooms(): readonly RoomInfo[] {
    return this.roomsValue;
  }
  /** The `#` commands, from welcome. */
  get commands(): readonly HelpItem[] {
    return this.commandsValue;
  }
  /** The highest message id seen (room or private); sent as `last_id` on reconnect. */
  get lastId(): number {
    return this.lastIdValue;
  }
  /** Sends not yet acknowledged (messages, private messages) or not yet sent (commands). */
  get pending(): readonly PendingMessage[] {
    return this.pendingList;
  }
  /** Clock offset and average latency. */
  get clockStats(): ClockStats {
    return this.clock.stats();
  }
  /** The server's clock now, ms (local clock + offset). */
  serverNow(): number {
    return this.clock.serverNow(this.now());
  }
  /** Converts a local time to server time. */
  toServerTime(local: number): number {
    return this.clock.serverNow(local);
  }
  /** Whether a message id was already received. */
  hasSeen(id: number): boolean {
    return this.seen.has(id);
  }

  // ---- lifecycle ---------------------------------------------------------------------------

  /** Starts connecting (again, after `closed` or `auth`). No-op while already running. */
  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.status = { state: 'idle', attempt: 0 };
    this.open();
  }

  /** Stops for good: closes the socket normally (1000) and cancels every timer. */
  close(): void {
    this.stop('closed', 1000);
  }

  /**
   * Call when the network or the app comes back: a waiting reconnect happens now, and an open
   * socket is probed with a ping (no pong within `probeTimeoutMs` → reconnect).
   */
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.status.state === 'reconnecting') {
      this.clearTimer('retryTimer');
      this.status.attempt = 0;
      this.open();
      return;
    }
    if (this.ws && this.ws.readyState === OPEN && this.ready) {
      const probe = this.ping();
      this.clearTimer('probeTimer');
      this.probeTimer = this.timers.setTimeout(() => {
        this.probeTimer = null;
        if (probe !== null && this.pings.has(probe)) this.drop(4000);
      }, this.pingOpts.probeTimeoutMs);
    }
  }

  /**
   * Sends a message to the current room, or a `#` command. Returns the client id. Messages
   * (and `#private`) stay pending until their ack; while disconnected everything waits and
   * goes out after the reconnect, with the same id.
   */
  send(text: string, options: SendOptions = {}): string {
    const priv = isCommand(text) ? parsePrivateCommand(text) : null;
    const kind: PendingMessage['kind'] = priv ? 'private' : isCommand(text) ? 'command' : 'message';
    const p: Omit<PendingMessage, 'id' | 'room' | 'createdAt' | 'attempts'> = { kind, text };
    if (priv) {
      p.to = priv.to;
      p.body = priv.text;
    }
    if (options.replyTo !== undefined && kind !== 'command') p.replyTo = options.replyTo;
    if (options.attachments?.length && kind !== 'command') p.attachments = options.attachments;
    return this.queue(p);
  }

  /** Adds a send to the pending list and writes it now when the connection is ready. */
  private queue(fields: Omit<PendingMessage, 'id' | 'room' | 'createdAt' | 'attempts'>): string {
    const id = `${this.idPrefix}-${++this.counter}`;
    const p: PendingMessage = {
      ...fields,
      id,
      room: this.roomValue,
      createdAt: this.now(),
      attempts: 0,
    };
    this.pendingList = [...this.pendingList, p];
    if (this.ready) this.transmit(p);
    this.emitPending();
    return id;
  }

  /** Sends a private message (`#private <login> <text>`). Returns the client id. */
  sendPrivate(login: string, text: string, options: SendOptions = {}): string {
    if (text.trim() !== '' || !options.attachments?.length) {
      return this.send(`#private ${login} ${text}`, options);
    }
    // A message of files only: `#private login` with no text, which send() would take for a command.
    const p: Omit<PendingMessage, 'id' | 'room' | 'createdAt' | 'attempts'> = {
      kind: 'private',
      text: `#private ${login}`,
      to: login.toLowerCase(),
      body: '',
      attachments: options.attachments,
    };
    if (options.replyTo !== undefined) p.replyTo = options.replyTo;
    return this.queue(p);
  }

  /** Replaces the text of one of the user's messages; pending until its ack, like a send. */
  edit(messageId: number, text: string): string {
    return this.queue({ kind: 'edit', text, messageId });
  }

  /** Deletes a message (the user's, or any in a room the user owns). */
  delete(messageId: number): string {
    return this.queue({ kind: 'delete', text: '', messageId });
  }

  /** Toggles the user's reaction with `emoji` on a message. */
  react(messageId: number, emoji: string): string {
    return this.queue({ kind: 'react', text: emoji, messageId, emoji });
  }

  /**
   * Says the user is typing in the current room, or (with `to`) to one person. At most one
   * signal per conversation every TYPING_INTERVAL_MS goes out; none while disconnected.
   */
  typing(to?: string): void {
    const key = to === undefined ? `#${this.roomValue ?? ''}` : `@${to}`;
    const last = this.typingSent.get(key);
    const now = this.now();
    if (!this.ready || (last !== undefined && now - last < TYPING_INTERVAL_MS)) return;
    const sent = this.write(to === undefined ? { type: 'typing' } : { type: 'typing', to });
    if (sent) this.typingSent.set(key, now);
  }

  /**
   * Tells the server the user has read a conversation (`room` or the thread `with` a login) up
   * to `messageId`. Not queued: false when not connected (the next welcome's counts still hold
   * it unread, and the app reads it again). Its ack and error are the client's own: a read
   * refused (the room ended meanwhile) is nothing to show.
   */
  read(target: { room: string } | { with: string }, messageId: number): boolean {
    if (!this.ready) return false;
    const id = `${this.idPrefix}-${++this.counter}`;
    const sent = this.write({ type: 'read', id, ...target, message_id: messageId });
    if (sent) {
      this.readIds.add(id);
      if (this.readIds.size > SENT_COMMANDS_KEPT) {
        this.readIds.delete(this.readIds.values().next().value!);
      }
    }
    return sent;
  }

  // ---- socket ------------------------------------------------------------------------------

  private open(): void {
    const token = this.opts.getToken();
    if (!token) {
      this.stop('auth');
      return;
    }
    const Ctor =
      this.opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketCtor }).WebSocket ?? null;
    if (!Ctor) throw new Error('no global WebSocket: pass one in ChatClientOptions.WebSocket');
    const url = wsUrl(this.opts.baseUrl ?? '', {
      token,
      last_id: this.lastIdValue > 0 ? this.lastIdValue : undefined,
      room: this.roomValue ?? (this.opts.room || undefined),
    });
    this.ready = false;
    this.receiptSent = 0;
    this.setState('connecting');
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch {
      this.scheduleReconnect(1006);
      return;
    }
    this.ws = ws;
    let welcomed = false;
    ws.onmessage = (ev: { data: unknown }) => {
      if (this.ws !== ws) return;
      if (typeof ev.data !== 'string') return;
      for (const env of parseFrame(ev.data)) {
        if (env.type === 'welcome') welcomed = true;
        this.handle(env);
      }
      this.afterFrame();
    };
    ws.onclose = (ev: { code?: number }) => {
      if (this.ws !== ws) return;
      this.onSocketClosed(ev.code ?? 1006, welcomed);
    };
    ws.onerror = () => {
      // A close event always follows; it decides what to do.
    };
  }

  private onSocketClosed(code: number, welcomed: boolean): void {
    this.ws = null;
    this.ready = false;
    this.stopPings();
    this.clearTimer('receiptTimer');
    if (this.stopped) return;
    if (code === CLOSE_TOKEN_EXPIRED) return this.stop('auth', code);
    if (TERMINAL_CLOSE_CODES.includes(code)) return this.stop('closed', code);
    if (!welcomed && this.opts.checkAuth) {
      const check = this.opts.checkAuth;
      this.scheduleReconnect(code);
      check().then(
        (ok) => {
          if (!ok && !this.stopped && !this.ready) this.stop('auth', code);
        },
        () => undefined, // unknown (e.g. offline): keep retrying
      );
      return;
    }
    this.scheduleReconnect(code);
  }

  private scheduleReconnect(code: number): void {
    const attempt = this.status.attempt;
    const ceiling = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** attempt);
    const delay = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    this.status = {
      state: 'reconnecting',
      attempt: attempt + 1,
      closeCode: code,
      retryAt: this.now() + delay,
    };
    this.emit('state', this.connection);
    this.clearTimer('retryTimer');
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  /** Closes the current socket and reconnects (a dead or stale socket). */
  private drop(code: number): void {
    const ws = this.ws;
    if (!ws) return;
    this.ws = null;
    detach(ws);
    try {
      ws.close();
    } catch {
      // already closing
    }
    this.onSocketClosed(code, this.ready);
  }

  private stop(state: 'closed' | 'auth', code?: number): void {
    this.stopped = true;
    this.ready = false;
    this.clearResends();
    this.clearTimer('retryTimer');
    this.clearTimer('probeTimer');
    this.clearTimer('receiptTimer');
    this.stopPings();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      detach(ws);
      if (ws.readyState === OPEN || ws.readyState === CONNECTING) {
        try {
          ws.close(1000);
        } catch {
          // ignore
        }
      }
    }
    this.status = { state, attempt: this.status.attempt };
    if (code !== undefined) this.status.closeCode = code;
    this.emit('state', this.connection);
  }

  private setState(state: ConnectionState): void {
    if (this.status.state === state) return;
    this.status = { state, attempt: this.status.attempt };
    this.emit('state', this.connection);
  }

  private write(env: ClientEnvelope): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== OPEN) return false;
    try {
      ws.send(JSON.stringify(env));
      return true;
    } catch {
      return false;
    }
  }

  /** Writes a pending send on the socket and updates the pending list (immutably). */
  private transmit(p: PendingMessage): void {
    if (!this.write(envelopeOf(p))) return;
    if (p.kind === 'command') {
      // Commands are not stored, so no ack comes: once sent, they are done.
      this.pendingList = this.pendingList.filter((x) => x.id !== p.id);
      this.sentCommands.set(p.id, p.text);
      if (this.sentCommands.size > SENT_COMMANDS_KEPT) {
        this.sentCommands.delete(this.sentCommands.keys().next().value!);
      }
      return;
    }
    this.pendingList = this.pendingList.map((x) =>
      x.id === p.id ? { ...x, attempts: x.attempts + 1 } : x,
    );
  }

  // ---- envelopes ---------------------------------------------------------------------------

  private handle(env: ServerEnvelope): void {
    switch (env.type) {
      case 'welcome':
        this.onWelcome(env);
        break;
      case 'joined':
        this.onJoined(env);
        break;
      case 'message':
        if (this.markSeen(env.id)) this.emit('message', env);
        break;
      case 'private':
        if (this.markSeen(env.id)) this.emit('private', env);
        break;
      case 'update':
        if (this.markSeen(env.id)) this.emit('update', env);
        break;
      case 'typing':
        this.emit('typing', env);
        break;
      case 'read':
        this.emit('read', env);
        break;
      case 'mention':
        if (this.markSeen(env.id)) this.emit('mention', env);
        break;
      case 'ack':
        this.onAck(env);
        break;
      case 'pong':
        this.onPong(env.id, env.t0, env.server_time);
        break;
      case 'rooms':
        this.roomsValue = env.rooms;
        this.emit('rooms', env.rooms);
        this.emit('roomsReply', env.rooms);
        break;
      case 'rooms_changed':
        this.roomsValue = applyRoomsChanged(this.roomsValue, env);
        this.emit('rooms', this.roomsValue);
        break;
      case 'users':
        this.emit('users', env.users);
        break;
      case 'event':
        this.emit('event', env);
        break;
      case 'help':
        this.emit('help', env.commands);
        break;
      case 'error':
        this.onError(env);
        break;
    }
    this.emit('envelope', env);
  }

  private onWelcome(env: WelcomeEnvelope): void {
    this.userValue = env.user;
    this.roomsValue = env.rooms;
    this.commandsValue = env.commands;
    this.clock.seed(env.server_time, this.now());
    this.lastPongAt = this.now();
    this.emit('welcome', env);
    this.emit('rooms', env.rooms);
    this.startPings();
  }

  private onJoined(env: JoinedEnvelope): void {
    const history = env.resumed ? env.history.filter((m) => !this.seen.has(m.id)) : env.history;
    for (const m of env.history) this.markSeen(m.id);
    this.roomValue = env.room;
    this.emit('joined', { ...env, history });
    if (!this.ready) {
      this.ready = true;
      this.receiptNow = true;
      this.status.attempt = 0;
      this.setState('open');
      this.flush(env);
    }
  }

  /** Re-sends what waited, in order, once a (re)connection is in its room. */
  private flush(joined: JoinedEnvelope): void {
    this.clearResends(); // everything pending goes now
    const roomGone: PendingMessage[] = [];
    for (const p of [...this.pendingList]) {
      if (p.kind === 'message' && p.room !== null && p.room !== joined.room) {
        // Typed for a room that did not survive the drop: never post it elsewhere.
        roomGone.push(p);
        continue;
      }
      this.transmit(p);
    }
    if (roomGone.length) {
      this.pendingList = this.pendingList.filter((p) => !roomGone.some((g) => g.id === p.id));
      for (const p of roomGone) {
        this.emit('error', {
          type: 'error',
          id: p.id,
          code: 'not_sent',
          message: `the room ${p.room ?? ''} is gone; the message was not sent`,
          about: p.room ?? undefined,
          unsent: p.text,
        });
      }
    }
    this.emitPending();
  }

  private onAck(env: AckEnvelope): void {
    if (this.readIds.delete(env.id)) return;
    this.clearResend(env.id);
    const before = this.pendingList.length;
    this.pendingList = this.pendingList.filter((p) => p.id !== env.id);
    this.emit('ack', env);
    if (this.pendingList.length !== before) this.emitPending();
  }

  private onError(env: ErrorEnvelope): void {
    if (env.id && this.readIds.delete(env.id)) return;
    if (!env.id) {
      this.emit('error', env);
      return;
    }
    const id = env.id;
    const waiting = this.pendingList.find((p) => p.id === id);
    if (waiting && waiting.kind !== 'command' && env.code === 'unavailable') {
      // The server could not store it now, or can't tell whether its database did: the same id
      // again later is stored once (docs/protocol.md). It stays pending, as while disconnected.
      this.scheduleResend(waiting);
      return;
    }
    // An edit's text or a reaction's emoji names nothing an error could be about.
    const action = waiting?.messageId !== undefined;
    const text = action ? undefined : (waiting?.text ?? this.sentCommands.get(id));
    this.sentCommands.delete(id);
    const before = this.pendingList.length;
    this.pendingList = this.pendingList.filter((p) => p.id !== id);
    if (this.pendingList.length !== before) this.emitPending();
    const about = text === undefined ? undefined : commandArgument(text);
    this.emit('error', about === undefined ? env : { ...env, about });
  }

  /** Sends a pending message again after a backoff, unless acknowledged or re-sent meanwhile. */
  private scheduleResend(p: PendingMessage): void {
    this.clearResend(p.id);
    const delay = Math.min(
      this.backoff.maxMs,
      this.backoff.baseMs * 2 ** Math.max(0, p.attempts - 1),
    );
    this.resendTimers.set(
      p.id,
      this.timers.setTimeout(() => {
        this.resendTimers.delete(p.id);
        const now = this.pendingList.find((x) => x.id === p.id);
        if (now && this.ready) this.transmit(now);
      }, delay),
    );
  }

  private clearResend(id: string): void {
    const t = this.resendTimers.get(id);
    if (t === undefined) return;
    this.timers.clearTimeout(t);
    this.resendTimers.delete(id);
  }

  private clearResends(): void {
    for (const t of this.resendTimers.values()) this.timers.clearTimeout(t);
    this.resendTimers.clear();
  }

  /** Records an id; false when it was already seen (a duplicate). */
  private markSeen(id: number): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > SEEN_KEPT) this.seen.delete(this.seen.values().next().value!);
    if (id > this.lastIdValue) this.lastIdValue = id;
    return true;
  }

  // ---- receipts ----------------------------------------------------------------------------

  /**
   * After each frame: tells the server the highest id handed to the app (docs/protocol.md,
   * "Receipts"), at once after a (re)connection's joined and its backlog, then at most once per
   * RECEIPT_INTERVAL_MS while it grows. Private messages above it are sent again next time.
   */
  private afterFrame(): void {
    if (!this.ready || this.lastIdValue <= this.receiptSent) return;
    if (this.receiptNow) {
      this.receiptNow = false;
      this.clearTimer('receiptTimer');
      this.sendReceipt();
      return;
    }
    if (this.receiptTimer !== null) return;
    this.receiptTimer = this.timers.setTimeout(() => {
      this.receiptTimer = null;
      if (this.ready && this.lastIdValue > this.receiptSent) this.sendReceipt();
    }, RECEIPT_INTERVAL_MS);
  }

  private sendReceipt(): void {
    if (this.write({ type: 'receipt', last_id: this.lastIdValue })) {
      this.receiptSent = this.lastIdValue;
    }
  }

  private emitPending(): void {
    this.emit('pending', this.pendingList);
  }

  // ---- clock -------------------------------------------------------------------------------

  private startPings(): void {
    this.stopPings();
    this.pingsSent = 0;
    const tick = (): void => {
      if (!this.ws) return;
      if (this.now() - this.lastPongAt > this.pingOpts.staleAfterMs) {
        this.drop(4000);
        return;
      }
      this.ping();
      this.pingsSent++;
      const gap =
        this.pingsSent < this.pingOpts.burst ? this.pingOpts.burstGapMs : this.pingOpts.intervalMs;
      this.pingTimer = this.timers.setTimeout(tick, gap);
    };
    tick();
  }

  private stopPings(): void {
    this.clearTimer('pingTimer');
    this.pings.clear();
  }

  /** Sends a ping; returns its id, or null when the socket is not open. */
  private ping(): string | null {
    const id = `p${++this.counter}`;
    const t0 = this.now();
    if (!this.write({ type: 'ping', id, t0 })) return null;
    this.pings.set(id, t0);
    return id;
  }

  private onPong(id: string, t0: number, serverTime: number): void {
    const sentAt = this.pings.get(id);
    if (sentAt === undefined) return; // not ours, or from an older socket
    this.pings.delete(id);
    const t1 = this.now();
    this.lastPongAt = t1;
    this.clock.add(sentAt ?? t0, serverTime, t1);
    this.emit('clock', this.clock.stats());
  }

  private clearTimer(name: 'retryTimer' | 'pingTimer' | 'probeTimer' | 'receiptTimer'): void {
    if (this[name] !== null) {
      this.timers.clearTimeout(this[name]);
      this[name] = null;
    }
  }
}

/** The envelope that carries a pending send. */
function envelopeOf(p: PendingMessage): ClientEnvelope {
  const id = p.id;
  const messageId = p.messageId ?? 0;
  switch (p.kind) {
    case 'edit':
      return { type: 'edit', id, message_id: messageId, text: p.text };
    case 'delete':
      return { type: 'delete', id, message_id: messageId };
    case 'react':
      return { type: 'react', id, message_id: messageId, emoji: p.emoji ?? '' };
    default: {
      const env: SendEnvelope = { type: 'send', id, text: p.text };
      if (p.replyTo !== undefined) env.reply_to = p.replyTo;
      if (p.attachments?.length) env.attachments = p.attachments;
      return env;
    }
  }
}

function detach(ws: WebSocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  ws.onerror = null;
}

function randomId(random: () => number): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += Math.floor(random() * 36).toString(36);
  return s;
}
