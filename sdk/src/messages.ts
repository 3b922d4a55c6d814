// Helpers for lists of stored messages: both room and private messages carry a growing `id`.

/** Anything with a message id. */
export interface HasId {
  readonly id: number;
}

/**
 * Merges `incoming` into `list` (both in any order) and returns a new list sorted by id with
 * each id once; for an id in both, the incoming copy wins. History pages, live messages and
 * resumed history can overlap freely: nothing shows twice.
 */
export function mergeById<T extends HasId>(list: readonly T[], incoming: readonly T[]): T[] {
  if (incoming.length === 0) return [...list];
  const last = list.length ? list[list.length - 1]!.id : -Infinity;
  if (isAscendingAbove(incoming, last)) return [...list, ...incoming];
  const byId = new Map<number, T>();
  for (const m of list) byId.set(m.id, m);
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

function isAscendingAbove(items: readonly HasId[], floor: number): boolean {
  let prev = floor;
  for (const m of items) {
    if (m.id <= prev) return false;
    prev = m.id;
  }
  return true;
}

/** The other participant of a private message, seen by `me`. */
export function peerOf(m: { from: string; to: string }, me: string): string {
  return m.from === me ? m.to : m.from;
}
