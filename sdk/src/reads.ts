// Unread counts, read cursors, the "New messages" line, mentions and alerts: the part of
// ChatModel that decides what is unread and when what is on screen is read (docs/protocol.md,
// "Read cursors, unread counts and mentions"). It reads and patches the model's state through
// its host.
import type { Alert, ChatModelClient, ChatModelState, MentionItem } from './chat-model';
import type { Timers } from './chat-types';
import type {
  MentionEnvelope,
  MessageEnvelope,
  PrivateEnvelope,
  ReadEnvelope,
  WelcomeEnvelope,
} from './types';
import { NO_UNREAD, afterRead, firstUnreadId, privateKey, roomKey } from './unread';

/** The least time between two `read` envelopes for one conversation, ms. */
export const READ_INTERVAL_MS = 1_000;
/** How many mentions the list keeps. */
export const MENTIONS_KEPT = 100;

/** What Reads needs of the model it works for. */
export interface ReadsHost {
  getState(): ChatModelState;
  update(patch: Partial<ChatModelState>): void;
  client: Pick<ChatModelClient, 'read'>;
  timers: Timers;
  now(): number;
  /** The least time between two reads of one conversation (default READ_INTERVAL_MS). */
  intervalMs?: number;
  stopped(): boolean;
}

/** The model's unread counts and reads; see ChatModel. */
export class Reads {
  private alerted = 0;
  /** Server time of the latest welcome: what was stored before it is in its counts. */
  private welcomeAt = 0;
  /** By conversation key: the newest message id its count reflects (a repeat never counts). */
  private readonly counted = new Map<string, number>();
  /** By conversation key: how far the user has read (sent, or heard from another connection). */
  private readonly readUpTo = new Map<string, number>();
  /** By conversation key: when the latest `read` went out, and a later one waiting for it. */
  private readonly readSentAt = new Map<string, number>();
  private readonly readTimers = new Map<string, unknown>();
  /** What the app says: the newest message of the conversation on screen is visible. */
  private newestVisible = false;
  /** What the app says: the window or app has the user's attention. */
  private focused = false;

  constructor(private readonly host: ReadsHost) {}

  private get state(): ChatModelState {
    return this.host.getState();
  }

  private update(patch: Partial<ChatModelState>): void {
    this.host.update(patch);
  }

  /** Whether the newest message of the conversation on screen is visible. */
  setNewestVisible(visible: boolean): void {
    if (this.newestVisible === visible) return;
    this.newestVisible = visible;
    this.markSeen();
  }

  /** Whether the window (web) or the app (phone) has the user's attention. */
  setFocused(focused: boolean): void {
    if (this.focused === focused) return;
    this.focused = focused;
    this.markSeen();
  }

  /** Cancels the reads waiting for their interval. */
  stop(): void {
    for (const t of this.readTimers.values()) this.host.timers.clearTimeout(t);
    this.readTimers.clear();
  }

  /** welcome's counts replace the known ones: they include everything stored before it. */
  onWelcome(w: WelcomeEnvelope): void {
    this.welcomeAt = w.server_time;
    const unread: Record<string, { count: number; mentions: number }> = {};
    for (const u of w.unread ?? []) {
      const key = u.room !== undefined ? roomKey(u.room) : privateKey(u.with ?? '');
      unread[key] = { count: u.count, mentions: u.mentions };
      if (u.last_read > (this.readUpTo.get(key) ?? 0)) this.readUpTo.set(key, u.last_read);
    }
    this.update({ unread });
  }

  /**
   * Counts a live message from someone else, unless welcome's counts already hold it (stored
   * before it: a resumed backlog), it is a repeat, it is read already, or its conversation is
   * seen right now (it is read at once instead). True when it counted, or was seen as it came.
   */
  countLive(
    key: string,
    m: { id: number; from: string; sent_at: number },
    mentioned: boolean,
  ): boolean {
    if (m.from === this.state.me || m.sent_at <= this.welcomeAt) return false;
    if (m.id <= (this.counted.get(key) ?? 0) || m.id <= (this.readUpTo.get(key) ?? 0)) return false;
    this.counted.set(key, m.id);
    if (this.seen(key)) return true;
    const c = this.state.unread[key] ?? NO_UNREAD;
    const next = { count: c.count + 1, mentions: c.mentions + (mentioned ? 1 : 0) };
    this.update({ unread: { ...this.state.unread, [key]: next } });
    return true;
  }

  /**
   * Another connection of the user read a conversation: what it read is read here too. The
   * server's counts after the move hold for a conversation this one has no messages of; for
   * one it holds, the messages past the cursor tell (a live one may have come since).
   */
  onRead(r: ReadEnvelope): void {
    const key = r.room !== undefined ? roomKey(r.room) : privateKey(r.with ?? '');
    if (r.message_id <= (this.readUpTo.get(key) ?? 0)) return; // a cursor never moves back
    this.readUpTo.set(key, r.message_id);
    const messages = this.messagesOf(key);
    const server = { count: r.count, mentions: r.mentions };
    const here = this.state.unread[key] ?? NO_UNREAD;
    const hasPast = messages.some((m) => m.id > r.message_id);
    this.setUnread(key, hasPast ? afterRead(here, messages, r.message_id, this.state.me) : server);
  }

  /** A mention in a room the user is not in (stored, so it comes again after a drop). */
  onMention(m: MentionEnvelope): void {
    const at = m.sent_at;
    const fresh = this.addMention({
      room: m.room,
      message_id: m.message_id,
      from: m.from,
      text: m.text,
      at,
    });
    const key = roomKey(m.room);
    if (!fresh || at <= this.welcomeAt) return;
    if (m.message_id <= (this.counted.get(key) ?? 0)) return;
    if (m.message_id <= (this.readUpTo.get(key) ?? 0)) return;
    this.counted.set(key, m.message_id);
    const c = this.state.unread[key] ?? NO_UNREAD;
    this.setUnread(key, { count: c.count + 1, mentions: c.mentions + 1 });
    this.raise('mention', { kind: 'room', room: m.room }, m);
  }

  /** Adds a mention to the list, once by message id; false when it was there already. */
  addMention(item: MentionItem): boolean {
    if (this.state.mentions.some((x) => x.message_id === item.message_id)) return false;
    const list = [...this.state.mentions, item]
      .sort((a, b) => b.message_id - a.message_id)
      .slice(0, MENTIONS_KEPT);
    this.update({ mentions: list });
    return true;
  }

  raise(kind: Alert['kind'], ref: Alert['ref'], m: { from: string; text: string }): void {
    const key = ref.kind === 'room' ? roomKey(ref.room) : privateKey(ref.login);
    if (this.seen(key)) return;
    this.update({ alert: { key: ++this.alerted, kind, ref, from: m.from, text: m.text } });
  }

  private setUnread(key: string, c: { count: number; mentions: number }): void {
    const others = Object.entries(this.state.unread).filter(([k]) => k !== key);
    const none = c.count === 0 && c.mentions === 0;
    this.update({ unread: Object.fromEntries(none ? others : [...others, [key, c]]) });
  }

  /** The key of the conversation on screen ('' before the first joined). */
  private activeKey(): string {
    const a = this.state.active;
    if (a.kind === 'private') return privateKey(a.login);
    return this.state.room === null ? '' : roomKey(this.state.room);
  }

  /** Whether the user sees the newest messages of `key` now. */
  private seen(key: string): boolean {
    return this.newestVisible && this.focused && key !== '' && key === this.activeKey();
  }

  private messagesOf(key: string): ReadonlyArray<MessageEnvelope | PrivateEnvelope> {
    if (key.startsWith('@')) return this.state.threads[key.slice(1)]?.messages ?? [];
    return this.state.room !== null && key === roomKey(this.state.room)
      ? this.state.roomLog.messages
      : [];
  }

  /** A conversation came on screen: where its "New messages" line goes, then maybe read it. */
  opened(): void {
    const key = this.activeKey();
    const count = (this.state.unread[key] ?? NO_UNREAD).count;
    this.update({ newMessages: count > 0 ? { key, count, id: null } : null });
    this.placeLine();
    this.markSeen();
  }

  /** Finds the first unread message of the line once it is loaded. */
  private placeLine(): void {
    const line = this.state.newMessages;
    if (line === null || line.id !== null) return;
    const id = firstUnreadId(this.messagesOf(line.key), line.count, this.state.me);
    if (id !== null) this.update({ newMessages: { ...line, id } });
  }

  /**
   * The user sees the newest messages on screen: the conversation is read up to its newest
   * message. Its counts clear now; the `read` goes out at most once per interval (the latest).
   */
  markSeen(): void {
    this.placeLine();
    const key = this.activeKey();
    if (!this.seen(key)) return;
    const messages = this.messagesOf(key);
    const newest = messages.at(-1)?.id ?? 0;
    const unread = this.state.unread[key];
    if (newest === 0 || (newest <= (this.readUpTo.get(key) ?? 0) && !unread)) return;
    if (unread) this.setUnread(key, { count: 0, mentions: 0 });
    this.counted.set(key, Math.max(this.counted.get(key) ?? 0, newest));
    this.readUpTo.set(key, Math.max(this.readUpTo.get(key) ?? 0, newest));
    this.sendRead(key);
  }

  private sendRead(key: string): void {
    if (this.readTimers.has(key)) return; // the waiting one sends the latest
    const interval = this.host.intervalMs ?? READ_INTERVAL_MS;
    const wait = (this.readSentAt.get(key) ?? -Infinity) + interval - this.host.now();
    const go = () => {
      this.readTimers.delete(key);
      if (this.host.stopped()) return;
      const upTo = this.readUpTo.get(key) ?? 0;
      const target = key.startsWith('@') ? { with: key.slice(1) } : { room: key.slice(1) };
      if (this.host.client.read(target, upTo)) this.readSentAt.set(key, this.host.now());
      else this.readUpTo.delete(key); // not connected: the next welcome's counts say it again
    };
    if (wait <= 0) go();
    else this.readTimers.set(key, this.host.timers.setTimeout(go, wait));
  }
}
