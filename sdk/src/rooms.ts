import type { RoomInfo, RoomsChangedEnvelope } from './types';

/**
 * Applies a `rooms_changed` push to a room list: changed rooms replace (or join) the list,
 * removed ones leave it. The result is ordered as the server orders `rooms`: the default room
 * first, then by name ignoring case.
 */
export function applyRoomsChanged(
  list: readonly RoomInfo[],
  change: RoomsChangedEnvelope,
): RoomInfo[] {
  const byName = new Map(list.map((r) => [r.name.toLowerCase(), r]));
  for (const name of change.removed) byName.delete(name.toLowerCase());
  for (const r of change.rooms) byName.set(r.name.toLowerCase(), r);
  return [...byName.values()].sort(
    (a, b) =>
      Number(b.default) - Number(a.default) ||
      a.name.toLowerCase().localeCompare(b.name.toLowerCase()),
  );
}
