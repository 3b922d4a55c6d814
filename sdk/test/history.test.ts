import { describe, expect, it } from 'vitest';
import { fillGap, mergeById, type HistoryPage, type PageQuery } from '../src';

interface Msg {
  id: number;
}

/** A server's stored history with these ids, answering pages newest first as it does. */
function server(ids: number[]) {
  const queries: PageQuery[] = [];
  const load = async (q: PageQuery): Promise<HistoryPage<Msg>> => {
    queries.push(q);
    const below = ids.filter((id) => q.before === undefined || id < q.before).sort((a, b) => b - a);
    const limit = q.limit ?? 50;
    return {
      messages: below.slice(0, limit).map((id) => ({ id })),
      has_more: below.length > limit,
    };
  };
  return { load, queries };
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('fillGap', () => {
  it('pages from below the resumed messages down to the newest known one', async () => {
    const { load, queries } = server(range(1, 100));
    let have: Msg[] = [...range(1, 10), ...range(71, 100)].map((id) => ({ id }));
    const result = await fillGap({
      load,
      below: 71,
      knownUpTo: 10,
      limit: 25,
      onPage: (page) => (have = mergeById(have, page)),
    });
    expect(result).toBe('filled');
    expect(have.map((m) => m.id)).toEqual(range(1, 100));
    expect(queries).toEqual([
      { before: 71, limit: 25 },
      { before: 46, limit: 25 },
      { before: 21, limit: 25 },
    ]);
  });

  it('stops when the server has no more', async () => {
    const { load, queries } = server(range(50, 60));
    const pages: number[][] = [];
    const result = await fillGap({
      load,
      below: 58,
      knownUpTo: 3,
      limit: 5,
      onPage: (page) => pages.push(page.map((m) => m.id)),
    });
    expect(result).toBe('filled');
    expect(pages).toEqual([
      [57, 56, 55, 54, 53],
      [52, 51, 50],
    ]);
    expect(queries).toHaveLength(2);
  });

  it('stops at an empty page', async () => {
    const load = async (): Promise<HistoryPage<Msg>> => ({ messages: [], has_more: true });
    const result = await fillGap({ load, below: 9, knownUpTo: 1, onPage: () => undefined });
    expect(result).toBe('filled');
  });

  it('asks nothing when there is no gap', async () => {
    const { load, queries } = server(range(1, 10));
    const result = await fillGap({ load, below: 6, knownUpTo: 5, onPage: () => undefined });
    expect(result).toBe('filled');
    expect(queries).toEqual([]);
  });

  it('is bounded: at most maxPages pages', async () => {
    const { load, queries } = server(range(1, 1000));
    const result = await fillGap({
      load,
      below: 1000,
      knownUpTo: 0,
      limit: 10,
      maxPages: 3,
      onPage: () => undefined,
    });
    expect(result).toBe('incomplete');
    expect(queries).toHaveLength(3);
  });

  it('uses 200-message pages and 20 pages by default', async () => {
    const { load, queries } = server(range(1, 10_000));
    const result = await fillGap({ load, below: 10_000, knownUpTo: 0, onPage: () => undefined });
    expect(result).toBe('incomplete');
    expect(queries).toHaveLength(20);
    expect(queries.every((q) => q.limit === 200)).toBe(true);
  });

  it('drops the answer and stops once the caller no longer wants it', async () => {
    const { load, queries } = server(range(1, 100));
    let wanted = true;
    const pages: number[] = [];
    const result = await fillGap({
      load: async (q) => {
        const page = await load(q);
        if (queries.length === 2) wanted = false; // e.g. the user moved to another room
        return page;
      },
      below: 90,
      knownUpTo: 1,
      limit: 10,
      wanted: () => wanted,
      onPage: (page) => pages.push(page.length),
    });
    expect(result).toBe('abandoned');
    expect(pages).toEqual([10]);
    expect(queries).toHaveLength(2);
  });

  it('rejects with the error of a failed page, after passing on the pages before it', async () => {
    const { load } = server(range(1, 100));
    const failure = new Error('offline');
    let calls = 0;
    const pages: number[] = [];
    const filling = fillGap({
      load: (q) => (++calls === 2 ? Promise.reject(failure) : load(q)),
      below: 90,
      knownUpTo: 1,
      limit: 10,
      onPage: (page) => pages.push(page.length),
    });
    await expect(filling).rejects.toBe(failure);
    expect(pages).toEqual([10]);
  });
});
