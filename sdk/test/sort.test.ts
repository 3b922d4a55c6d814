import { describe, expect, it } from 'vitest';
import { applyRoomsChanged, compareNames, sortRooms } from '../src';

describe('compareNames', () => {
  it('orders numbers by value and ignores case', () => {
    const names = ['room-10', 'Room-2', 'room-1', 'books', 'Art', 'room-9', 'zeta'];
    expect([...names].sort(compareNames)).toEqual([
      'Art',
      'books',
      'room-1',
      'Room-2',
      'room-9',
      'room-10',
      'zeta',
    ]);
  });

  it('breaks ties between names that differ only in case, so the order is stable', () => {
    expect(['bob', 'Bob'].sort(compareNames)).toEqual(['Bob', 'bob']);
    expect(['Bob', 'bob'].sort(compareNames)).toEqual(['Bob', 'bob']);
  });
});

describe('sortRooms', () => {
  const room = (name: string, isDefault = false) => ({
    name,
    default: isDefault,
    members: 0,
    ...(isDefault ? {} : { owner: 'alice' }),
  });

  it('puts the default room first, then the rest in natural order', () => {
    const rooms = [room('room-10'), room('room-2'), room('lobby', true), room('room-1')];
    expect(sortRooms(rooms).map((r) => r.name)).toEqual(['lobby', 'room-1', 'room-2', 'room-10']);
    expect(rooms[0]!.name).toBe('room-10'); // the input is not sorted in place
  });

  it('is the order applyRoomsChanged keeps', () => {
    const list = applyRoomsChanged([room('general', true), room('room-1'), room('room-2')], {
      type: 'rooms_changed',
      rooms: [room('room-10')],
      removed: [],
    });
    expect(list.map((r) => r.name)).toEqual(['general', 'room-1', 'room-2', 'room-10']);
  });
});
