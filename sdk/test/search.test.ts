// Search: the results model, the words marked in a result, and a result opened in its
// conversation (history around it, then the messages between it and the newest ones).
import { describe, expect, it } from 'vitest';
import {
  ChatModel,
  MessageSearch,
  highlight,
  resultConversation,
  type MessageEnvelope,
  type SearchResult,
} from '../src';
import {
  fakeClients,
  FakeWebSocket,
  ManualClock,
  failure,
  msg,
  priv,
  settle,
  welcome,
  type FakeRoute,
} from './fakes';

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A history endpoint over `stored` as Sala answers it: pages back with before, or around an id. */
function historyOf<M extends { id: number }>(
  stored: M[],
): (url: URL) => { status: number; body: unknown } {
  return (url) => {
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const desc = [...stored].sort((a, b) => b.id - a.id);
    const around = url.searchParams.get('around');
    if (around !== null) {
      const id = Number(around);
      const newerLimit = limit - Math.max(1, Math.floor(limit / 2));
      const newer = desc.filter((m) => m.id > id).reverse();
      const shownNewer = newer.slice(0, newerLimit);
      const older = desc.filter((m) => m.id <= id);
      const olderLimit = limit - shownNewer.length;
      return {
        status: 200,
        body: {
          messages: [...shownNewer.reverse(), ...older.slice(0, olderLimit)],
          has_more: older.length > olderLimit,
          has_newer: newer.length > newerLimit,
        },
      };
    }
    const before = url.searchParams.get('before');
    const older = desc.filter((m) => before === null || m.id < Number(before));
    return {
      status: 200,
      body: { messages: older.slice(0, limit), has_more: older.length > limit },
    };
  };
}

function setup(routes: Record<string, FakeRoute>, pageSize = 10) {
  const clock = new ManualClock();
  const { http, api, client } = fakeClients(routes, clock);
  const model = new ChatModel({
    client,
    api,
    me: 'alice',
    timers: clock,
    now: clock.now,
    pageSize,
  });
  model.start();
  return { model, api, http, clock, state: () => model.getState() };
}

function accept(history: MessageEnvelope[], room = 'general'): FakeWebSocket {
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(), { type: 'joined', room, history, resumed: false, more: false });
  return ws;
}

const ids = (list: readonly { id: number }[]) => list.map((m) => m.id);

describe('highlight', () => {
  it('marks the words that begin with a term, any case, and keeps the rest as it is', () => {
    expect(highlight('The Budget, budgeting; nobudget!', ['budget'])).toEqual([
      { text: 'The ', match: false },
      { text: 'Budget', match: true },
      { text: ', ', match: false },
      { text: 'budgeting', match: true },
      { text: '; nobudget!', match: false },
    ]);
  });
  it('marks words of every script, and a text without matches is one plain piece', () => {
    expect(highlight('café Crème', ['caf', 'crè'])).toEqual([
      { text: 'café', match: true },
      { text: ' ', match: false },
      { text: 'Crème', match: true },
    ]);
    expect(highlight('nothing here', ['x'])).toEqual([{ text: 'nothing here', match: false }]);
  });
});

describe('MessageSearch', () => {
  const results: SearchResult[] = range(1, 5)
    .reverse()
    .map((id) =>
      id % 2
        ? msg(id, 'general', `budget ${id}`)
        : { ...priv(id, 'bob', 'alice', `budget ${id}`), with: 'bob' },
    );
  const route = (url: URL) => {
    const before = Number(url.searchParams.get('before') ?? Infinity);
    const limit = Number(url.searchParams.get('limit'));
    const older = results.filter((r) => r.id < before);
    if (url.searchParams.get('q') === '-') return failure(400, 'invalid_request');
    return {
      status: 200,
      body: { results: older.slice(0, limit), more: older.length > limit, terms: ['budget'] },
    };
  };

  it("searches, pages back, and names each result's conversation", async () => {
    const { api, http } = setup({ 'GET /api/v1/search': route });
    const search = new MessageSearch(api, 2);
    let changes = 0;
    search.subscribe(() => changes++);
    await search.search('  Budget ');
    expect(search.getState()).toMatchObject({ query: 'Budget', terms: ['budget'], more: true });
    expect(ids(search.getState().results)).toEqual([5, 4]);
    expect(http.calls.at(-1)?.searchParams.get('q')).toBe('Budget');
    await search.loadMore();
    await search.loadMore();
    expect(ids(search.getState().results)).toEqual([5, 4, 3, 2, 1]);
    expect(search.getState().more).toBe(false);
    expect(http.calls.at(-1)?.searchParams.get('before')).toBe('2');
    expect(search.getState().results.map(resultConversation)).toEqual([
      { room: 'general' },
      { with: 'bob' },
      { room: 'general' },
      { with: 'bob' },
      { room: 'general' },
    ]);
    expect(changes).toBeGreaterThan(3);
  });

  it('keeps the error code of a refused query, and an empty query clears', async () => {
    const { api } = setup({ 'GET /api/v1/search': route });
    const search = new MessageSearch(api);
    await search.search('-');
    expect(search.getState()).toMatchObject({
      error: 'invalid_request',
      loading: false,
      results: [],
    });
    await search.search('   ');
    expect(search.getState().query).toBe('');
  });

  it('drops the answer of a query replaced meanwhile', async () => {
    let release: () => void = () => undefined;
    const slow: FakeRoute = async (url) => {
      if (url.searchParams.get('q') === 'old') await new Promise<void>((r) => (release = r));
      return route(url);
    };
    const { api } = setup({ 'GET /api/v1/search': slow });
    const search = new MessageSearch(api);
    const first = search.search('old');
    await search.search('new');
    release();
    await first;
    expect(search.getState().query).toBe('new');
  });
});

describe('ChatModel.openMessage', () => {
  it('loads the room history around an old message and the messages up to the newest, and focuses it', async () => {
    const stored = range(1, 100).map((id) => msg(id));
    const { model, state } = setup({ 'GET /api/v1/rooms/general/messages': historyOf(stored) });
    accept(stored.slice(90));
    await settle();
    expect(await model.openMessage({ room: 'general' }, 40)).toBe(true);
    const got = ids(state().roomLog.messages);
    expect(got).toEqual(range(1, 100)); // the gap is paged 200 at a time
    expect(state().roomLog.paging.hasMore).toBe(true);
    expect(state().focus).toMatchObject({ id: 40 });
    const key = state().focus!.key;
    expect(await model.openMessage({ room: 'general' }, 95)).toBe(true);
    expect(state().focus).toEqual({ id: 95, key: key + 1 });
  });

  it('joins another room first, then loads around the message', async () => {
    const books = range(1, 30).map((id) => msg(id, 'books'));
    const { model, state } = setup({ 'GET /api/v1/rooms/books/messages': historyOf(books) });
    const ws = accept([msg(50)]);
    await settle();
    const opened = model.openMessage({ room: 'books' }, 3);
    await settle();
    expect(ws.sends().at(-1)?.text).toBe('#gR books');
    ws.receive({
      type: 'joined',
      room: 'books',
      history: books.slice(25),
      resumed: false,
      more: true,
    });
    expect(await opened).toBe(true);
    expect(state().room).toBe('books');
    expect(ids(state().roomLog.messages)).toEqual(range(1, 30));
    expect(state().active).toEqual({ kind: 'room' });
    expect(state().focus?.id).toBe(3);
  });

  it('opens a private thread not loaded yet around the message', async () => {
    const thread = range(1, 40).map((id) => priv(id));
    const { model, state } = setup({ 'GET /api/v1/dm/bob/messages': historyOf(thread) });
    accept([]);
    await settle();
    expect(await model.openMessage({ with: 'bob' }, 12)).toBe(true);
    expect(state().active).toEqual({ kind: 'private', login: 'bob' });
    expect(ids(state().threads.bob!.messages)).toEqual(range(1, 40));
    expect(state().focus?.id).toBe(12);
  });

  it('says false when the room cannot be joined in time', async () => {
    const { model, state, clock } = setup({});
    accept([msg(1)]);
    await settle();
    const opened = model.openMessage({ room: 'gone' }, 3, 1000);
    clock.advance(1001);
    expect(await opened).toBe(false);
    expect(state().focus).toBeNull();
  });
});
