// Unread counts and the "New messages" line (docs/protocol.md, "Read cursors"): what both apps
// show from ChatModel's state. Conversations are keyed `#room` and `@login`.
import type { AnyMessage } from './conversation';
import { mentions } from './mentions';

/** How many messages of a conversation the user has not seen, and how many of them mention them. */
export interface UnreadCount {
  count: number;
  mentions: number;
}

/** Counts by conversation key (`#room`, `@login`); a conversation not listed has none. */
export type UnreadMap = Readonly<Record<string, UnreadCount>>;

export const NO_UNREAD: UnreadCount = Object.freeze({ count: 0, mentions: 0 });

/** The key of a room's counts. */
export const roomKey = (room: string): string => `#${room}`;
/** The key of a private thread's counts. */
export const privateKey = (login: string): string => `@${login}`;

/** A conversation's counts. */
export function unreadOf(map: UnreadMap, key: string): UnreadCount {
  return map[key] ?? NO_UNREAD;
}

/** Every conversation's unread messages together (for a tab's title or an app badge). */
export function totalUnread(map: UnreadMap, prefix = ''): number {
  let n = 0;
  for (const [key, c] of Object.entries(map)) if (key.startsWith(prefix)) n += c.count;
  return n;
}

/** Mentions of the user together. */
export function totalMentions(map: UnreadMap, prefix = ''): number {
  let n = 0;
  for (const [key, c] of Object.entries(map)) if (key.startsWith(prefix)) n += c.mentions;
  return n;
}

/**
 * A count as a badge shows it: `99+` from 100 on, where the server's counts stop (openapi.yaml,
 * `UnreadEntry.count`), so a sum of stopped counts reads the same.
 */
export function countLabel(n: number): string {
  return n > 99 ? '99+' : String(n);
}

/** The tab's title: `(3) Sala` with 3 unread messages, the name alone with none. */
export function unreadTitle(map: UnreadMap, name: string): string {
  const n = totalUnread(map);
  return n > 0 ? `(${countLabel(n)}) ${name}` : name;
}

/**
 * The first unread message of a conversation that opened with `count` unread: walking back from
 * the newest, the `count`-th message from someone else (one's own never count); null when none
 * is unread or the loaded messages don't reach that far.
 */
export function firstUnreadId(
  messages: readonly AnyMessage[],
  count: number,
  me: string,
): number | null {
  if (count <= 0) return null;
  let seen = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.from === me) continue;
    if (++seen === count) return m.id;
  }
  return null;
}

/**
 * The counts a conversation keeps after being read up to `upTo`: only its loaded messages from
 * others past that point stay unread (never more than before). A conversation with nothing
 * loaded past it is read.
 */
export function afterRead(
  before: UnreadCount,
  messages: readonly AnyMessage[],
  upTo: number,
  me: string,
): UnreadCount {
  let count = 0;
  let mention = 0;
  for (const m of messages) {
    if (m.id <= upTo || m.from === me) continue;
    count++;
    if (mentions(m, me)) mention++;
  }
  return { count: Math.min(count, before.count), mentions: Math.min(mention, before.mentions) };
}
