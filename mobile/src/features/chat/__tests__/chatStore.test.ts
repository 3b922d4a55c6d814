import {
  ApiClient,
  ChatClient,
  type ChatClientOptions,
  type MessageEnvelope,
  type PrivateEnvelope,
} from '@sala/sdk';

import { ChatStore, type ChatState, pagingKey, type TimelineItem } from '@/features/chat/chatStore';

import {
  FakeSocket,
  type FakeResponse,
  type FakeRoute,
  fakeFetch,
  handshake,
  idleTimers,
  SERVER,
} from '../../../../test/fakes';

const msg = (id: number, room = 'general'): MessageEnvelope => ({
  type: 'message',
  id,
  room,
  from: id % 2 ? 'bob' : 'carol',
  text: `m${id}`,
  sent_at: 1_767_268_800_000 + id,
  client_id: `c${id}`,
});

const priv = (id: number, from = 'bob', to = 'alice'): PrivateEnvelope => ({
  type: 'private',
  id,
  from,
  to,
  text: `p${id}`,
  sent_at: 1_767_268_800_000 + id,
  client_id: `c${id}`,
});

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A history endpoint over these stored messages, answering pages newest first as Sala does. */
function pages<M extends { id: number }>(stored: M[]): (url: URL) => FakeResponse {
  return (url) => {
    const before = url.searchParams.get('before');
    const limit = Number(url.searchParams.get('limit') ?? 50);
    const older = stored
      .filter((m) => before === null || m.id < Number(before))
      .sort((a, b) => b.id - a.id);
    return {
      status: 200,
      body: { messages: older.slice(0, limit), has_more: older.length > limit },
    };
  };
}

const fail = (status: number, code: string): FakeResponse => ({
  status,
  body: { error: { code, message: code } },
});

function setup(routes: Record<string, FakeRoute> = {}) {
  FakeSocket.instances = [];
  const http = fakeFetch(routes);
  const api = new ApiClient({ baseUrl: SERVER, getToken: () => 'jwt', fetch: http.fetch });
  const client = new ChatClient({
    baseUrl: SERVER,
    getToken: () => 'jwt',
    WebSocket: FakeSocket as unknown as ChatClientOptions['WebSocket'],
    timers: idleTimers,
  });
  const store = new ChatStore(client, 'alice', api);
  store.start();
  const historyCalls = (path: string) =>
    http.calls
      .filter((c) => c.path === path)
      .map((c) => ({ before: c.query.get('before'), limit: c.query.get('limit') }));
  return { store, http, historyCalls };
}

/** Lets every pending fetch and promise chain finish. */
async function settle() {
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A timeline as short strings: message ids, and notices by kind. */
function rows(state: ChatState, room = 'general'): (number | string)[] {
  return (state.timelines[room] ?? []).map((it: TimelineItem) =>
    it.kind === 'message' ? it.message.id : `notice:${it.notice.kind}`,
  );
}

const ROOM_PATH = '/api/v1/rooms/general/messages';

describe('paging back through a room', () => {
  test('loads the page before the oldest message, in order, once each, notices in place', async () => {
    const stored = range(1, 120).map((id) => msg(id));
    // The second answer overlaps what is shown (21 again): it still shows once.
    const { store, historyCalls } = setup({
      [`GET ${ROOM_PATH}`]: (url) =>
        url.searchParams.get('before') === '21'
          ? { status: 200, body: { messages: stored.slice(0, 21).reverse(), has_more: false } }
          : pages(stored)(url),
    });
    handshake(FakeSocket.last, 'general', stored.slice(70)); // the latest 50: 71..120
    FakeSocket.last.receive({ type: 'help', commands: [] });
    FakeSocket.last.receive(msg(121));
    expect(store.getState().paging[pagingKey({ room: 'general' })]).toEqual({
      hasMore: true,
      loading: false,
      failed: false,
    });

    const loading = store.loadOlder({ room: 'general' });
    void store.loadOlder({ room: 'general' }); // a second scroll event while loading: no request
    expect(store.getState().paging['#general']?.loading).toBe(true);
    await loading;
    expect(historyCalls(ROOM_PATH)).toEqual([{ before: '71', limit: '50' }]);
    expect(rows(store.getState())).toEqual([...range(21, 120), 'notice:help', 121]);
    expect(store.getState().paging['#general']).toEqual({
      hasMore: true,
      loading: false,
      failed: false,
    });

    await store.loadOlder({ room: 'general' });
    expect(historyCalls(ROOM_PATH)).toEqual([
      { before: '71', limit: '50' },
      { before: '21', limit: '50' },
    ]);
    expect(rows(store.getState())).toEqual([...range(1, 120), 'notice:help', 121]);
    expect(store.getState().paging['#general']?.hasMore).toBe(false);

    // The server said there is no more: no more requests.
    await store.loadOlder({ room: 'general' });
    expect(historyCalls(ROOM_PATH)).toHaveLength(2);
  });

  test('a 404 (the room is gone) stops paging quietly', async () => {
    const { store, historyCalls } = setup({
      [`GET ${ROOM_PATH}`]: fail(404, 'room_not_found'),
    });
    handshake(FakeSocket.last, 'general', [msg(40), msg(41)]);
    await store.loadOlder({ room: 'general' });
    expect(store.getState().paging['#general']).toEqual({
      hasMore: false,
      loading: false,
      failed: false,
    });
    expect(rows(store.getState())).toEqual([40, 41]);
    await store.loadOlder({ room: 'general' }, true);
    expect(historyCalls(ROOM_PATH)).toHaveLength(1);
  });

  test('after a failure it waits until asked again', async () => {
    let down = true;
    const stored = range(1, 30).map((id) => msg(id));
    const { store, historyCalls } = setup({
      [`GET ${ROOM_PATH}`]: (url) => (down ? fail(503, 'unavailable') : pages(stored)(url)),
    });
    handshake(FakeSocket.last, 'general', stored.slice(20));
    await store.loadOlder({ room: 'general' });
    expect(store.getState().paging['#general']).toEqual({
      hasMore: true,
      loading: false,
      failed: true,
    });
    await store.loadOlder({ room: 'general' }); // scrolling does not retry by itself
    expect(historyCalls(ROOM_PATH)).toHaveLength(1);

    down = false;
    await store.loadOlder({ room: 'general' }, true); // "Try again"
    expect(rows(store.getState())).toEqual(range(1, 30));
    expect(store.getState().paging['#general']?.failed).toBe(false);
  });

  test('an empty room has nothing to page', async () => {
    const { store, http } = setup();
    handshake(FakeSocket.last, 'general', []);
    expect(store.getState().paging['#general']?.hasMore).toBe(false);
    await store.loadOlder({ room: 'general' });
    expect(http.calls).toHaveLength(0);
  });
});

describe('paging back through a private thread', () => {
  test('loads the latest page first, then older pages, without unread counts', async () => {
    const stored = [...range(1, 70).map((id) => priv(id)), priv(71, 'alice', 'bob')];
    const { store, historyCalls } = setup({ 'GET /api/v1/dm/bob/messages': pages(stored) });
    handshake(FakeSocket.last);
    FakeSocket.last.receive(priv(72)); // live, before the thread is opened
    expect(store.getState().unread).toEqual({ bob: 1 });
    store.openThread('bob');

    await store.loadThread('bob');
    await store.loadThread('bob'); // once
    expect(historyCalls('/api/v1/dm/bob/messages')).toEqual([{ before: null, limit: '50' }]);
    expect(store.getState().threads.bob?.map((m) => m.id)).toEqual(range(22, 72));
    expect(store.getState().paging[pagingKey({ peer: 'bob' })]?.hasMore).toBe(true);

    await store.loadOlder({ peer: 'bob' });
    expect(historyCalls('/api/v1/dm/bob/messages').at(-1)).toEqual({ before: '22', limit: '50' });
    expect(store.getState().threads.bob?.map((m) => m.id)).toEqual(range(1, 72));
    expect(store.getState().paging['@bob']?.hasMore).toBe(false);
    expect(store.getState().unread).toEqual({});
  });

  test('a user that is gone (404) ends paging quietly', async () => {
    const { store } = setup({ 'GET /api/v1/dm/ghost/messages': fail(404, 'user_not_found') });
    handshake(FakeSocket.last);
    await store.loadThread('ghost');
    expect(store.getState().paging['@ghost']).toEqual({
      hasMore: false,
      loading: false,
      failed: false,
    });
    expect(store.getState().timelines.general).toEqual([]);
  });
});

describe('after a resume that missed more than it carries', () => {
  /** Shows 1..10, drops, and resumes with `resumed` (more: true). */
  async function resume(routes: Record<string, FakeRoute>, resumed: MessageEnvelope[]) {
    const s = setup(routes);
    handshake(
      FakeSocket.last,
      'general',
      range(1, 10).map((id) => msg(id)),
    );
    FakeSocket.last.receive({ type: 'help', commands: [] }); // a notice after message 10
    FakeSocket.last.drop(1006);
    s.store.reconnect();
    expect(FakeSocket.last.url).toContain('last_id=10');
    FakeSocket.last.open();
    FakeSocket.last.receive(
      {
        type: 'welcome',
        server_time: Date.now(),
        user: {
          login: 'alice',
          first_name: 'Alice',
          last_name: 'Liddell',
          age: 30,
          gender: 'female',
          created_at: 1,
        },
        room: 'general',
        rooms: [{ name: 'general', members: 1, default: true }],
        commands: [],
      },
      { type: 'joined', room: 'general', history: resumed, resumed: true, more: true },
    );
    await settle();
    return s;
  }

  test('pages the missed messages between the known ones and the resumed ones', async () => {
    const stored = range(1, 1500).map((id) => msg(id));
    const { store, historyCalls } = await resume(
      { [`GET ${ROOM_PATH}`]: pages(stored) },
      stored.slice(500), // 501..1500: the resume carries the latest 1000
    );
    expect(historyCalls(ROOM_PATH)).toEqual([
      { before: '501', limit: '200' },
      { before: '301', limit: '200' },
      { before: '101', limit: '200' },
    ]);
    expect(rows(store.getState())).toEqual([...range(1, 10), 'notice:help', ...range(11, 1500)]);
  });

  test('if that fails, says so at the gap, not at the end', async () => {
    const stored = range(1, 1500).map((id) => msg(id));
    let calls = 0;
    const { store } = await resume(
      {
        [`GET ${ROOM_PATH}`]: (url) =>
          ++calls === 1 ? pages(stored)(url) : fail(503, 'unavailable'),
      },
      stored.slice(500),
    );
    FakeSocket.last.receive(msg(1501));
    // The first page (301..500) came; below it the gap remains, and is shown there.
    expect(rows(store.getState())).toEqual([
      ...range(1, 10),
      'notice:help',
      'notice:more',
      ...range(301, 1501),
    ]);
  });
});
