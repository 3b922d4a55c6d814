import { describe, expect, it } from 'vitest';
import { ClockSync, isRoomName, mergeById, peerOf } from '../src';

describe('mergeById', () => {
  const m = (id: number, text = `m${id}`) => ({ id, text });

  it('appends newer messages', () => {
    expect(mergeById([m(1), m(2)], [m(3)]).map((x) => x.id)).toEqual([1, 2, 3]);
  });

  it('merges overlapping history, live and resumed pages once each, in id order', () => {
    const live = [m(5), m(6)];
    const olderPage = [m(4), m(3), m(2)]; // REST pages are newest first
    const resumed = [m(6), m(7)];
    const all = mergeById(mergeById(live, olderPage), resumed);
    expect(all.map((x) => x.id)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('lets the incoming copy win', () => {
    expect(mergeById([m(1, 'old')], [m(1, 'new')])).toEqual([m(1, 'new')]);
  });
});

describe('peerOf', () => {
  it('is the other side of a private message', () => {
    expect(peerOf({ from: 'a', to: 'b' }, 'a')).toBe('b');
    expect(peerOf({ from: 'a', to: 'b' }, 'b')).toBe('a');
  });
});

describe('ClockSync', () => {
  it('uses the welcome estimate until the first pong', () => {
    const c = new ClockSync();
    expect(c.offset).toBe(0);
    c.seed(1_500, 1_000);
    expect(c.offset).toBe(500);
    c.add(1_000, 1_210, 1_020);
    expect(c.offset).toBe(200);
    expect(c.serverNow(2_000)).toBe(2_200);
  });

  it('forgets samples beyond the window, best one included', () => {
    const c = new ClockSync(3);
    c.add(0, 100, 2); // rtt 2, offset 99
    c.add(0, 200, 10);
    c.add(0, 200, 10);
    expect(c.offset).toBe(99);
    c.add(0, 300, 10); // rtt 10, offset 295
    expect(c.stats()).toMatchObject({ samples: 3, bestRtt: 10, offset: 195, latency: 10 });
  });
});

describe('isRoomName', () => {
  it('accepts what openapi.yaml’s RoomName accepts', () => {
    for (const ok of ['a', 'books', 'Club-2_x', 'x'.repeat(32)]) expect(isRoomName(ok)).toBe(true);
  });

  it('refuses spaces, other characters, an empty name and more than 32', () => {
    for (const bad of ['', 'bad name', 'bad!', 'ñandú', '#books', 'x'.repeat(33)]) {
      expect(isRoomName(bad)).toBe(false);
    }
  });
});
