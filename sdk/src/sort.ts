// The order people read lists in: names with numbers in numeric order, case ignored.
import type { RoomInfo } from './types';

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Compares two names as people read them: numbers by value (`room-2` before `room-10`), case
 * and accents ignored (`Books` next to `books`); ties are broken by the plain code-unit order,
 * so a sort is stable whatever the list's order was.
 */
export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Rooms in the order the apps list them: the default room first, then by name (naturally). */
export function sortRooms<T extends Pick<RoomInfo, 'name' | 'default'>>(rooms: readonly T[]): T[] {
  return [...rooms].sort(
    (a, b) =>
      Number(Boolean(b.default)) - Number(Boolean(a.default)) || compareNames(a.name, b.name),
  );
}
