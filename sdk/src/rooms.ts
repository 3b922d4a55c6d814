import { sortRooms } from './sort';
import type { RoomInfo, RoomsChangedEnvelope } from './types';

/** The server's rule for a room name: 1–32 letters, digits, `-` or `_` (openapi.yaml's RoomName). */
const ROOM_NAME = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Whether `name` is a room name the server accepts. A form checks it before sending `#cR`:
 * a name with a space would reach the server as two arguments and come back as the command's
 * usage, which says nothing about the name the person typed.
 */
export function isRoomName(name: string): boolean {
  return ROOM_NAME.test(name);
}

/**
 * Applies a `rooms_changed` push to a room list: changed rooms replace (or join) the list,
 * removed ones leave it. The result is in the apps' order ({@link sortRooms}): the default room
 * first, then by name, numbers by value (`room-2` before `room-10`), case ignored.
 */
export function applyRoomsChanged(
  list: readonly RoomInfo[],
  change: RoomsChangedEnvelope,
): RoomInfo[] {
  const byName = new Map(list.map((r) => [r.name.toLowerCase(), r]));
  for (const name of change.removed) byName.delete(name.toLowerCase());
  for (const r of change.rooms) byName.set(r.name.toLowerCase(), r);
  return sortRooms([...byName.values()]);
}
