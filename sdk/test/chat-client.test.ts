import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ChatClient,
  SEEN_KEPT,
  parseFrame,
  wsUrl,
  type ChatClientOptions,
  type ConnectionStatus,
  type ChatError,
  type JoinedEnvelope,
  type MessageEnvelope,
  type PendingMessage,
  type PrivateEnvelope,
} from '../src';
import { FakeWebSocket, ManualClock, joined, msg, priv, welcome } from './fakes';

let clock: ManualClock;

function makeClient(extra: Partial<ChatClientOptions> = {}) {
  const client = new ChatClient({
    baseUrl: 'http://chat.test:8080',
    getToken: () => 'tok',
    WebSocket: FakeWebSocket,
    now: clock.now,
    timers: clock,
    random: () => 0.5,
    ...extra,
  });
  const states: ConnectionStatus[] = [];
  const messages: MessageEnvelope[] = [];
  const privates: PrivateEnvelope[] = [];
  const joins: JoinedEnvelope[] = [];
  const errors: ChatError[] = [];
  let pending: readonly PendingMessage[] = [];
  client.on('state', (s) => states.push(s));
  client.on('message', (m) => messages.push(m));
  client.on('private', (m) => privates.push(m));
  client.on('joined', (j) => joins.push(j));
  client.on('error', (e) => errors.push(e));
  client.on('pending', (p) => (pending = p));
  return { client, states, messages, privates, joins, errors, pending: () => pending };
}

/** Opens the latest socket and plays welcome + joined. */
function accept(room = 'general', history: number[] = [], resumed = false): FakeWebSocket {
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(), joined(room, history, resumed));
  return ws;
}

beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.reset();
});
afterEach(() => vi.restoreAllMocks());

describe('frames', () => {
  it('splits every frame on \\n and skips blank or broken lines', () => {
    const frame = [JSON.stringify(msg(1)), '', '{not json', JSON.stringify(msg(2)), '42'].join(
      '\n',
    );
    expect(parseFrame(frame).map((e) => (e as MessageEnvelope).id)).toEqual([1, 2]);
  });

  it('handles every envelope of a multi-envelope frame in order', () => {
    const { client, messages } = makeClient();
    client.connect();
    const ws = accept();
    ws.receive(msg(5), msg(6), msg(7));
    expect(messages.map((m) => m.id)).toEqual([5, 6, 7]);
  });
});

describe('connecting', () => {
  it('builds ws:// and wss:// URLs from the http origin', () => {
    expect(wsUrl('http://h:1/', { token: 't' })).toBe('ws://h:1/api/v1/ws?token=t');
    expect(wsUrl('https://h', { token: 'a b', room: undefined })).toBe(
      'wss://h/api/v1/ws?token=a%20b',
    );
  });

  it('connects with the token, and is open after welcome + joined', () => {
    const { client, states } = makeClient();
    client.connect();
    const ws = FakeWebSocket.last();
    expect(ws.url).toBe('ws://chat.test:8080/api/v1/ws?token=tok');
    expect(client.state).toBe('connecting');
    ws.open();
    ws.receive(welcome());
    expect(client.state).toBe('connecting');
    ws.receive(joined('general', [1, 2]));
    expect(client.state).toBe('open');
    expect(client.room).toBe('general');
    expect(client.user?.login).toBe('alice');
    expect(client.commands).toHaveLength(1);
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('stops in auth without a token', () => {
    const { client } = makeClient({ getToken: () => null });
    client.connect();
    expect(client.state).toBe('auth');
    expect(FakeWebSocket.instances).toHaveLength(0);
  });
});

describe('reconnect', () => {
  it.each([1001, 1006, 1011, 4000, 4002, 1012])('reconnects after close %i', (code) => {
    const { client } = makeClient();
    client.connect();
    accept();
    FakeWebSocket.last().serverClose(code);
    expect(client.state).toBe('reconnecting');
    clock.advance(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it.each([
    [1000, 'closed'],
    [1008, 'closed'],
    [1009, 'closed'],
    [4001, 'auth'],
  ])('stops after terminal close %i (%s)', (code, state) => {
    const { client, states } = makeClient();
    client.connect();
    accept();
    FakeWebSocket.last().serverClose(code);
    expect(client.state).toBe(state);
    expect(states.at(-1)).toMatchObject({ state, closeCode: code });
    clock.advance(120_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('backs off exponentially with jitter, capped, and resets after a good connection', () => {
    let r = 0;
    const randoms = [0, 0.999];
    const { client, states } = makeClient({
      random: () => randoms[r++ % 2]!,
      backoff: { baseMs: 100, maxMs: 1_000 },
    });
    client.connect();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      FakeWebSocket.last().serverClose(1006); // never opened: network down
      const s = states.at(-1)!;
      delays.push(s.retryAt! - clock.time);
      clock.advance(s.retryAt! - clock.time);
    }
    // ceilings 100, 200, 400, 800, 1000, 1000; jitter keeps each in [ceiling/2, ceiling]
    expect(delays).toEqual([50, 200, 200, 800, 500, 1000]);
    expect(FakeWebSocket.instances).toHaveLength(7);
    accept();
    expect(client.connection.attempt).toBe(0);
    FakeWebSocket.last().serverClose(1001);
    expect(states.at(-1)!.retryAt! - clock.time).toBe(50);
  });

  it('does not retry in a tight loop: nothing happens before the delay', () => {
    const { client } = makeClient();
    client.connect();
    accept();
    FakeWebSocket.last().serverClose(1006);
    clock.advance(200);
    expect(FakeWebSocket.instances).toHaveLength(1);
    clock.advance(300);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('resumes with last_id (room or private) and the current room', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept('general', [3, 4]);
    ws.receive({
      type: 'joined',
      room: 'books',
      history: [msg(7, 'books')],
      resumed: false,
      more: false,
    });
    ws.receive(msg(9, 'books'), priv(12));
    ws.serverClose(1001);
    clock.advance(1_000);
    expect(FakeWebSocket.last().query).toEqual({ token: 'tok', last_id: '12', room: 'books' });
    expect(client.lastId).toBe(12);
  });

  it('asks for the room given at start on the first connection, then follows the current one', () => {
    const { client } = makeClient({ room: 'books' });
    client.connect();
    expect(FakeWebSocket.last().query).toEqual({ token: 'tok', room: 'books' });
    expect(client.room).toBeNull();
    const ws = accept('general'); // books was gone: the default room
    ws.serverClose(1001);
    clock.advance(1_000);
    expect(FakeWebSocket.last().query).toEqual({ token: 'tok', room: 'general' });
  });

  it('reconnectNow skips the backoff wait', () => {
    const { client } = makeClient({ backoff: { baseMs: 10_000 } });
    client.connect();
    accept();
    FakeWebSocket.last().serverClose(1006);
    client.reconnectNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.state).toBe('connecting');
  });

  it('reconnectNow probes an open socket and drops it when no pong comes', () => {
    const { client } = makeClient({ ping: { burst: 1, intervalMs: 60_000 } });
    client.connect();
    const ws = accept();
    const before = ws.pings().length;
    client.reconnectNow();
    expect(ws.pings().length).toBe(before + 1);
    clock.advance(4_000);
    expect(client.state).toBe('reconnecting');
    expect(ws.closedWith).toBeDefined();
  });

  it('drops a socket that stopped answering pings', () => {
    const { client } = makeClient({ ping: { burst: 1, intervalMs: 10_000, staleAfterMs: 25_000 } });
    client.connect();
    accept();
    clock.advance(30_000);
    expect(client.state).toBe('reconnecting');
  });

  it('stops in auth when a refused upgrade turns out to be a bad token', async () => {
    const checkAuth = vi.fn(() => Promise.resolve(false));
    const { client } = makeClient({ checkAuth });
    client.connect();
    FakeWebSocket.last().serverClose(1006);
    await Promise.resolve();
    await Promise.resolve();
    expect(checkAuth).toHaveBeenCalledOnce();
    expect(client.state).toBe('auth');
    clock.advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('keeps retrying when the token is fine (the server is just down)', async () => {
    const { client } = makeClient({ checkAuth: () => Promise.resolve(true) });
    client.connect();
    FakeWebSocket.last().serverClose(1006);
    await Promise.resolve();
    expect(client.state).toBe('reconnecting');
  });

  it('close() stops for good with 1000 and ignores the old socket', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept();
    client.close();
    expect(ws.closedWith).toBe(1000);
    expect(client.state).toBe('closed');
    ws.serverClose(1006);
    clock.advance(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('dedupe', () => {
  it('drops live messages already seen', () => {
    const { client, messages } = makeClient();
    client.connect();
    const ws = accept('general', [1, 2]);
    ws.receive(msg(2), msg(3), msg(3));
    expect(messages.map((m) => m.id)).toEqual([3]);
    expect(client.hasSeen(1)).toBe(true);
  });

  it('keeps only unseen messages of a resumed history, and drops replays of privates', () => {
    const { client, joins, privates, messages } = makeClient();
    client.connect();
    const ws = accept('general', [1, 2]);
    ws.receive(msg(3), priv(4));
    ws.serverClose(1006);
    clock.advance(1_000);
    const ws2 = FakeWebSocket.last();
    ws2.open();
    // The server resends an overlap: 3 (seen live) and 5 (missed); private 4 again and 6.
    ws2.receive(welcome(), joined('general', [3, 5], true), priv(4), priv(6));
    expect(joins.at(-1)!.history.map((m) => m.id)).toEqual([5]);
    expect(joins.at(-1)!.resumed).toBe(true);
    expect(privates.map((p) => p.id)).toEqual([4, 6]);
    ws2.receive(msg(5), msg(7));
    expect(messages.map((m) => m.id)).toEqual([3, 7]);
  });

  it('passes a fresh (non-resumed) history whole, so a view can be replaced', () => {
    const { client, joins } = makeClient();
    client.connect();
    const ws = accept('general', [1, 2]);
    ws.receive({ type: 'joined', room: 'books', history: [], resumed: false, more: false });
    ws.receive(joined('general', [1, 2, 3]));
    expect(joins.at(-1)!.history.map((m) => m.id)).toEqual([1, 2, 3]);
  });
});

describe('pending', () => {
  it('keeps a message pending until its ack', () => {
    const { client, pending } = makeClient();
    client.connect();
    const ws = accept();
    const id = client.send('hola');
    expect(ws.sends()).toEqual([{ type: 'send', id, text: 'hola' }]);
    expect(pending().map((p) => [p.id, p.kind, p.room, p.attempts])).toEqual([
      [id, 'message', 'general', 1],
    ]);
    ws.receive({ type: 'ack', id, message_id: 10, sent_at: 5 });
    expect(pending()).toEqual([]);
    expect(client.pending).toEqual([]);
  });

  it('gives every send a distinct id', () => {
    const { client } = makeClient();
    const other = new ChatClient({ getToken: () => 't', WebSocket: FakeWebSocket, timers: clock });
    const ids = new Set([client.send('a'), client.send('b'), other.send('a'), other.send('b')]);
    expect(ids.size).toBe(4);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(64);
  });

  it('re-sends unacked messages with the same id after a reconnect, in order', () => {
    const { client, pending } = makeClient();
    client.connect();
    const ws = accept();
    const a = client.send('one');
    const b = client.send('two');
    ws.receive({ type: 'ack', id: a, message_id: 1, sent_at: 1 });
    ws.serverClose(1006);
    const c = client.send('three'); // typed while disconnected
    expect(pending().map((p) => p.id)).toEqual([b, c]);
    clock.advance(1_000);
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(welcome());
    expect(ws2.sends()).toEqual([]); // not before joined
    ws2.receive(joined('general', [1], true));
    expect(ws2.sends()).toEqual([
      { type: 'send', id: b, text: 'two' },
      { type: 'send', id: c, text: 'three' },
    ]);
    expect(pending().map((p) => p.attempts)).toEqual([2, 1]);
    ws2.receive({ type: 'ack', id: b, message_id: 2, sent_at: 1 });
    ws2.receive({ type: 'ack', id: c, message_id: 3, sent_at: 1 });
    expect(pending()).toEqual([]);
  });

  it('queues sends made before the first connection', () => {
    const { client } = makeClient();
    const id = client.send('early');
    client.connect();
    const ws = accept();
    expect(ws.sends()).toEqual([{ type: 'send', id, text: 'early' }]);
  });

  it('tracks #private as pending until ack, and commands only until sent', () => {
    const { client, pending } = makeClient();
    const p = client.send('#private Bob  hi there');
    client.send('#gR books');
    expect(pending().map((x) => [x.kind, x.to, x.body])).toEqual([
      ['private', 'bob', 'hi there'],
      ['command', undefined, undefined],
    ]);
    client.connect();
    const ws = accept();
    expect(ws.sends().map((s) => s.text)).toEqual(['#private Bob  hi there', '#gR books']);
    expect(pending().map((x) => x.id)).toEqual([p]);
  });

  it('drops a pending send the server refused, and reports the error', () => {
    const { client, pending, errors } = makeClient();
    client.connect();
    const ws = accept();
    const id = client.send('#gR nowhere');
    const m = client.send('x');
    ws.receive({ type: 'error', id: m, code: 'rate_limited', message: 'slow down' });
    ws.receive({ type: 'error', id, code: 'room_not_found', message: 'no' });
    expect(pending()).toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['rate_limited', 'room_not_found']);
  });

  it('retries a send the server could not store (unavailable) with the same id', () => {
    const { client, pending, errors } = makeClient();
    client.connect();
    const ws = accept();
    const id = client.send('hola');
    ws.receive({ type: 'error', id, code: 'unavailable', message: 'retry later' });
    expect(pending().map((p) => p.id)).toEqual([id]); // not lost: it may even be stored
    expect(errors).toEqual([]);
    clock.advance(1_000);
    expect(ws.sends()).toEqual([
      { type: 'send', id, text: 'hola' },
      { type: 'send', id, text: 'hola' },
    ]);
    ws.receive({ type: 'error', id, code: 'unavailable', message: 'retry later' });
    clock.advance(1_000); // backs off: 500 ms, then 1 s, …
    expect(ws.sends()).toHaveLength(3);
    ws.receive({ type: 'ack', id, message_id: 7, sent_at: 1 });
    expect(pending()).toEqual([]);
    clock.advance(60_000);
    expect(ws.sends()).toHaveLength(3);
  });

  it('re-sends a send refused as unavailable once after a reconnect, not twice', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept();
    const id = client.send('hola');
    ws.receive({ type: 'error', id, code: 'unavailable', message: 'server shutting down' });
    ws.serverClose(1001);
    clock.advance(400);
    const ws2 = accept('general', [], true);
    expect(ws2.sends()).toEqual([{ type: 'send', id, text: 'hola' }]);
    clock.advance(60_000);
    expect(ws2.sends()).toHaveLength(1);
  });

  it('says what a refused send was about, from the text it sent', () => {
    const { client, errors } = makeClient();
    client.connect();
    const ws = accept();
    const go = client.send('#gR  nowhere');
    const dm = client.send('#private Carol hi');
    const help = client.send('#help');
    const plain = client.send('hello');
    ws.receive(
      { type: 'error', id: go, code: 'room_not_found', message: 'no live room named "nowhere"' },
      { type: 'error', id: dm, code: 'user_not_found', message: 'no user "Carol"' },
      { type: 'error', id: help, code: 'unavailable', message: 'try again' },
      { type: 'error', id: plain, code: 'rate_limited', message: 'slow down' },
      { type: 'error', code: 'invalid_envelope', message: 'bad json' },
    );
    expect(errors.map((e) => [e.code, e.about])).toEqual([
      ['room_not_found', 'nowhere'],
      ['user_not_found', 'Carol'],
      ['unavailable', undefined],
      ['rate_limited', undefined],
      ['invalid_envelope', undefined],
    ]);
    expect(errors[0]).toMatchObject({ id: go, message: 'no live room named "nowhere"' });
  });

  it('keeps the texts of only the latest commands', () => {
    const { client, errors } = makeClient();
    client.connect();
    const ws = accept();
    const first = client.send('#gR r0');
    for (let i = 1; i <= 40; i++) client.send(`#gR r${i}`);
    const last = client.send('#gR r41');
    ws.receive(
      { type: 'error', id: first, code: 'room_not_found', message: 'no live room named "r0"' },
      { type: 'error', id: last, code: 'room_not_found', message: 'no live room named "r41"' },
    );
    expect(errors.map((e) => e.about)).toEqual([undefined, 'r41']);
  });

  it('never posts a pending message into another room after a reconnect', () => {
    const { client, pending, errors } = makeClient();
    client.connect();
    const ws = accept();
    ws.receive(joined('books'));
    const id = client.send('for books');
    ws.serverClose(1006);
    clock.advance(1_000);
    accept('general', [], false); // books is gone: landed in the default room
    expect(FakeWebSocket.last().sends()).toEqual([]);
    expect(pending()).toEqual([]);
    expect(errors).toMatchObject([{ id, code: 'not_sent', about: 'books', unsent: 'for books' }]);
  });
});

describe('clock', () => {
  function pong(ws: FakeWebSocket, index: number, serverTime: number) {
    const p = ws.pings()[index]!;
    ws.receive({ type: 'pong', id: p.id, t0: p.t0, server_time: serverTime });
  }

  it('sends a burst of 5 pings 100 ms apart, then one every 10 s', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept();
    const start = clock.time;
    expect(ws.pings()).toHaveLength(1);
    clock.advance(400);
    expect(ws.pings().map((p) => p.t0 - start)).toEqual([0, 100, 200, 300, 400]);
    clock.advance(9_999);
    expect(ws.pings()).toHaveLength(5);
    // keep the socket alive
    for (let i = 0; i < 5; i++) pong(ws, i, clock.time);
    clock.advance(1);
    expect(ws.pings()).toHaveLength(6);
  });

  it('takes the offset from the lowest-RTT sample', () => {
    const { client } = makeClient({ ping: { burst: 3, burstGapMs: 100 } });
    const stats: number[] = [];
    client.on('clock', (s) => stats.push(s.offset));
    client.connect();
    const ws = accept();
    // welcome says server_time 2_000_000 at local 1_000_000: a rough offset
    expect(client.clockStats.offset).toBe(1_000_000);
    const t0 = ws.pings()[0]!.t0;
    clock.advance(80); // rtt 80
    pong(ws, 0, t0 + 5_000 + 40); // server = local + 5000
    clock.advance(20); // second ping goes out at t0+100
    clock.advance(10); // rtt 10
    pong(ws, 1, t0 + 100 + 5_000 + 3); // asymmetric, but the best sample
    clock.advance(90); // third ping at t0+200
    clock.advance(200); // rtt 200
    pong(ws, 2, t0 + 200 + 5_000 + 150);
    expect(stats).toEqual([5_000, 4_998, 4_998]);
    expect(client.clockStats.bestRtt).toBe(10);
    expect(client.serverNow()).toBe(clock.time + 4_998);
    expect(client.clockStats.latency).toBeCloseTo((80 + 10 + 200) / 3);
  });

  it('averages the latency over the last 30 pings', () => {
    const { client } = makeClient({ ping: { burst: 1, intervalMs: 1_000, staleAfterMs: 1e9 } });
    client.connect();
    const ws = accept();
    for (let i = 0; i < 40; i++) {
      const rtt = i < 10 ? 500 : 20;
      clock.advance(rtt);
      pong(ws, i, clock.time);
      clock.advance(1_000 - rtt);
    }
    expect(client.clockStats.samples).toBe(30);
    expect(client.clockStats.latency).toBe(20);
  });

  it('ignores pongs it did not ask for', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept();
    ws.receive({ type: 'pong', id: 'other', t0: 0, server_time: 1 });
    expect(client.clockStats.samples).toBe(0);
  });
});

describe('other envelopes', () => {
  it('emits rooms (from welcome too), users, events and help', () => {
    const { client } = makeClient();
    const seen: string[] = [];
    client.on('rooms', (r) => seen.push(`rooms:${r.length}`));
    client.on('users', (u) => seen.push(`users:${u.length}`));
    client.on('event', (e) => seen.push(`event:${e.kind}`));
    client.on('help', (h) => seen.push(`help:${h.length}`));
    client.connect();
    const ws = accept();
    ws.receive(
      { type: 'rooms', rooms: [] },
      { type: 'users', users: [{ login: 'bob', first_name: 'B', last_name: 'C', online: false }] },
      { type: 'event', kind: 'room_deleted', room: 'books', user: 'bob', at: 1 },
      { type: 'help', commands: [] },
    );
    expect(seen).toEqual(['rooms:1', 'rooms:0', 'users:1', 'event:room_deleted', 'help:0']);
    expect(client.rooms).toEqual([]);
  });

  it('applies rooms_changed pushes to the room list and tells #lR answers apart', () => {
    const { client } = makeClient();
    const rooms: string[][] = [];
    const replies: number[] = [];
    client.on('rooms', (r) => rooms.push(r.map((x) => `${x.name}:${x.members}`)));
    client.on('roomsReply', (r) => replies.push(r.length));
    client.connect();
    const ws = accept();
    ws.receive({
      type: 'rooms_changed',
      rooms: [
        { name: 'Attic', owner: 'bob', members: 1, default: false },
        { name: 'general', members: 3, default: true },
      ],
      removed: [],
    });
    ws.receive({ type: 'rooms_changed', rooms: [], removed: ['attic'] });
    expect(rooms.slice(-2)).toEqual([['general:3', 'Attic:1'], ['general:3']]);
    expect(replies).toEqual([]);
    ws.receive({ type: 'rooms', rooms: [{ name: 'general', members: 2, default: true }] });
    expect(replies).toEqual([1]);
  });

  it('a throwing listener does not break the client', async () => {
    const { client, messages } = makeClient();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    client.on('message', () => {
      throw new Error('boom');
    });
    client.connect();
    accept().receive(msg(1), msg(2));
    expect(messages.map((m) => m.id)).toEqual([1, 2]);
    await new Promise((r) => setTimeout(r, 0));
    process.off('unhandledRejection', unhandled);
    expect(unhandled).toHaveBeenCalledTimes(2);
  });
});

describe('a recovered server', () => {
  it('is found within a few seconds however long it was down (the default backoff cap)', () => {
    const { client } = makeClient({ random: () => 0.999 });
    client.connect();
    accept();
    // Down for a long while: every attempt fails.
    for (let i = 0; i < 12; i++) {
      const ws = FakeWebSocket.last();
      ws.serverClose(1006);
      expect(client.connection.retryAt! - clock.now()).toBeLessThanOrEqual(4_000);
      clock.advance(client.connection.retryAt! - clock.now());
      expect(FakeWebSocket.last()).not.toBe(ws);
    }
  });
});

describe('delivery receipts', () => {
  const receipts = (ws: FakeWebSocket) =>
    ws.envelopes
      .filter((e) => e.type === 'receipt')
      .map((e) => e as { type: string; last_id: number });

  it('says the highest id handed over right after a reconnect’s backlog, then at most once a second', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept('general', [1, 2]);
    expect(receipts(ws)).toEqual([{ type: 'receipt', last_id: 2 }]);
    ws.receive(msg(3));
    ws.receive(priv(4));
    expect(receipts(ws)).toHaveLength(1);
    clock.advance(999);
    expect(receipts(ws)).toHaveLength(1);
    clock.advance(1);
    expect(receipts(ws).at(-1)).toEqual({ type: 'receipt', last_id: 4 });
    clock.advance(5_000); // nothing new: nothing sent
    expect(receipts(ws)).toHaveLength(2);

    ws.serverClose(1006);
    client.reconnectNow();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(welcome(), joined('general', [5], true), priv(6));
    expect(receipts(ws2)).toEqual([{ type: 'receipt', last_id: 6 }]);
  });

  it('sends none for duplicates, nor while disconnected', () => {
    const { client } = makeClient();
    client.connect();
    const ws = accept('general', [1]);
    ws.receive(msg(1));
    clock.advance(2_000);
    expect(receipts(ws)).toHaveLength(1);
    ws.receive(msg(2));
    ws.serverClose(1006);
    clock.advance(1_000);
    expect(receipts(ws)).toHaveLength(1);
  });
});

describe('the dedupe set', () => {
  it('keeps the newest ids only, so a long session does not grow it without bound', () => {
    const { client, messages } = makeClient();
    client.connect();
    const ws = accept();
    const total = SEEN_KEPT + 500;
    for (let id = 1; id <= total; id++) ws.receive(msg(id));
    expect(messages).toHaveLength(total);
    expect(client.hasSeen(1)).toBe(false);
    expect(client.hasSeen(total - SEEN_KEPT + 1)).toBe(true);
    ws.receive(msg(total)); // a recent duplicate is still dropped
    expect(messages).toHaveLength(total);
    expect(client.lastId).toBe(total);
  });
});
