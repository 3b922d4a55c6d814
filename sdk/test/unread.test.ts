// Unread counts, reads, the "New messages" line, mentions and alerts in ChatModel, over the real
// ChatClient and ApiClient with the server played through a fake socket.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ChatModel,
  READ_INTERVAL_MS,
  countLabel,
  totalUnread,
  unreadOf,
  unreadTitle,
  type MessageEnvelope,
  type UnreadEntry,
} from '../src';
import {
  fakeClients,
  FakeWebSocket,
  ManualClock,
  msg,
  pagesOf,
  priv,
  settle,
  welcome,
  type FakeRoute,
} from './fakes';

let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.reset();
});

function setup(routes: Record<string, FakeRoute> = {}) {
  const { api, client } = fakeClients(routes, clock);
  const model = new ChatModel({ client, api, me: 'alice', timers: clock, now: clock.now });
  model.start();
  return { model, state: () => model.getState() };
}

/** Opens the latest socket: welcome (at server time `at`, with `unread`) and joined. */
function accept(
  unread: UnreadEntry[] = [],
  history: MessageEnvelope[] = [msg(1), msg(2)],
  at = 2_000_000,
): FakeWebSocket {
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(at, 'general', unread), {
    type: 'joined',
    room: 'general',
    history,
    resumed: false,
    more: false,
  });
  return ws;
}

const reads = (ws: FakeWebSocket) =>
  ws.envelopes
    .filter((e) => e.type === 'read')
    .map(({ room, with: w, message_id }) => ({ ...(room ? { room } : { with: w }), message_id }));

const counts = (s: { unread: Parameters<typeof unreadOf>[0] }, key: string) =>
  unreadOf(s.unread, key);
const mention = (id: number, room = 'ops', text = `@alice look ${id}`) => ({
  type: 'mention' as const,
  id,
  room,
  message_id: id,
  from: 'bob',
  text,
  sent_at: 2_000_000 + id,
});

describe('unread counts', () => {
  it('start from welcome and grow with live messages from others, never one’s own', () => {
    const { state } = setup();
    const ws = accept([
      { room: 'general', count: 2, mentions: 1, last_read: 1 },
      { with: 'bob', count: 3, mentions: 0, last_read: 0 },
    ]);
    expect(counts(state(), '#general')).toEqual({ count: 2, mentions: 1 });
    ws.receive(msg(3), { ...msg(4), from: 'alice' }, priv(5), { ...msg(6), mentions: ['alice'] });
    expect(counts(state(), '#general')).toEqual({ count: 4, mentions: 2 });
    expect(counts(state(), '@bob')).toEqual({ count: 4, mentions: 0 });
    expect(totalUnread(state().unread)).toBe(8);
    expect(unreadTitle(state().unread, 'Sala')).toBe('(8) Sala');
  });

  it('label a count as the server stops it: 99+ from 100 on', () => {
    expect([0, 7, 99, 100, 250].map(countLabel)).toEqual(['0', '7', '99', '99+', '99+']);
    expect(
      unreadTitle(
        { '#general': { count: 100, mentions: 0 }, '@bob': { count: 3, mentions: 0 } },
        'Sala',
      ),
    ).toBe('(99+) Sala');
  });

  it('count each message once through repeats, a resume and its re-sent backlog', () => {
    const { model, state } = setup();
    const ws = accept([{ room: 'general', count: 0, mentions: 0, last_read: 2 }]);
    ws.receive(msg(3), msg(3), priv(4), priv(4));
    expect(counts(state(), '#general').count).toBe(1);
    expect(counts(state(), '@bob').count).toBe(1);
    ws.serverClose(1006);
    model.reconnect();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    // Stored while away (ids 5, 6, 7): the new welcome counts them; the resume carries them.
    ws2.receive(
      welcome(2_000_100, 'general', [
        { room: 'general', count: 3, mentions: 0, last_read: 2 },
        { with: 'bob', count: 2, mentions: 0, last_read: 0 },
      ]),
      {
        type: 'joined',
        room: 'general',
        history: [msg(3), msg(5), msg(6)],
        resumed: true,
        more: false,
      },
      priv(4),
      priv(7),
    );
    expect(counts(state(), '#general').count).toBe(3);
    expect(counts(state(), '@bob').count).toBe(2);
    expect(state().roomLog.messages.map((m) => m.id)).toEqual([1, 2, 3, 5, 6]);
    // Live again: a new message counts, its repeat does not.
    ws2.receive({ ...msg(108), sent_at: 2_000_200 }, { ...msg(108), sent_at: 2_000_200 });
    expect(counts(state(), '#general').count).toBe(4);
  });

  it('paging back changes no count', async () => {
    const stored = Array.from({ length: 80 }, (_, i) => priv(i + 1));
    const { model, state } = setup({ 'GET /api/v1/dm/bob/messages': pagesOf(stored) });
    const ws = accept([{ with: 'bob', count: 80, mentions: 0, last_read: 0 }]);
    model.openPrivate('bob');
    await settle();
    await model.loadOlder({ kind: 'private', login: 'bob' });
    expect(state().threads.bob?.messages).toHaveLength(80);
    expect(counts(state(), '@bob').count).toBe(80);
    expect(reads(ws)).toEqual([]); // never seen: the window had no focus
  });
});

describe('read when seen', () => {
  it('reads the conversation on screen once its newest message is visible and the window focused', () => {
    const { model, state } = setup();
    const ws = accept([{ room: 'general', count: 2, mentions: 0, last_read: 0 }]);
    model.setNewestVisible(true);
    expect(reads(ws)).toEqual([]);
    model.setFocused(true);
    expect(reads(ws)).toEqual([{ room: 'general', message_id: 2 }]);
    expect(counts(state(), '#general').count).toBe(0);
    // Seen as it comes: never counted, read again (throttled: the latest, once per interval).
    ws.receive(msg(3), msg(4));
    expect(counts(state(), '#general').count).toBe(0);
    expect(reads(ws)).toHaveLength(1);
    clock.advance(READ_INTERVAL_MS);
    expect(reads(ws)).toEqual([
      { room: 'general', message_id: 2 },
      { room: 'general', message_id: 4 },
    ]);
    // Scrolled up: new messages count until the newest is visible again.
    model.setNewestVisible(false);
    ws.receive(msg(5));
    expect(counts(state(), '#general').count).toBe(1);
    model.setNewestVisible(true);
    clock.advance(READ_INTERVAL_MS);
    expect(reads(ws).at(-1)).toEqual({ room: 'general', message_id: 5 });
    expect(counts(state(), '#general').count).toBe(0);
    // The read's ack and error are the client's own: nothing shows.
    const id = ws.envelopes.filter((e) => e.type === 'read').at(-1)!.id as string;
    ws.receive({ type: 'error', id, code: 'room_not_found', message: 'gone' });
    expect(state().roomLog.notices.some((n) => n.kind === 'error')).toBe(false);
  });

  it('a thread opened in a focused window is read when its page arrives', async () => {
    const { model, state } = setup({
      'GET /api/v1/dm/bob/messages': {
        status: 200,
        body: { messages: [priv(9)], has_more: false },
      },
    });
    const ws = accept([{ with: 'bob', count: 1, mentions: 0, last_read: 0 }]);
    model.setFocused(true);
    model.setNewestVisible(true);
    model.openPrivate('bob');
    await settle();
    expect(reads(ws)).toContainEqual({ with: 'bob', message_id: 9 });
    expect(counts(state(), '@bob').count).toBe(0);
  });

  it('takes the reads of the person’s other connections, never moving a cursor back', () => {
    const { state } = setup();
    const ws = accept([
      { room: 'general', count: 2, mentions: 0, last_read: 0 },
      { room: 'ops', count: 5, mentions: 2, last_read: 10 },
    ]);
    // The room here: the messages past the cursor tell.
    ws.receive({ type: 'read', room: 'general', message_id: 1, count: 1, mentions: 0 });
    expect(counts(state(), '#general').count).toBe(1);
    ws.receive({ type: 'read', room: 'general', message_id: 2, count: 0, mentions: 0 });
    expect(counts(state(), '#general').count).toBe(0);
    // A room this connection holds nothing of: the server's counts.
    ws.receive({ type: 'read', room: 'ops', message_id: 20, count: 1, mentions: 1 });
    expect(counts(state(), '#ops')).toEqual({ count: 1, mentions: 1 });
    ws.receive({ type: 'read', room: 'ops', message_id: 15, count: 3, mentions: 2 });
    expect(counts(state(), '#ops')).toEqual({ count: 1, mentions: 1 });
  });
});

describe('the "New messages" line', () => {
  it('marks the first unread message from someone else when a conversation opens', async () => {
    const history = [msg(1), msg(2), { ...msg(3), from: 'alice' }, msg(4)];
    const { model, state } = setup({
      'GET /api/v1/dm/bob/messages': {
        status: 200,
        body: { messages: [priv(8), priv(7, 'alice', 'bob'), priv(6), priv(5)], has_more: false },
      },
    });
    accept(
      [
        { room: 'general', count: 2, mentions: 0, last_read: 1 },
        { with: 'bob', count: 2, mentions: 0, last_read: 5 },
      ],
      history,
    );
    expect(state().newMessages).toEqual({ key: '#general', count: 2, id: 2 });
    model.setFocused(true);
    model.setNewestVisible(true);
    expect(state().newMessages?.id).toBe(2); // stays while the conversation is on screen
    model.openPrivate('bob');
    expect(state().newMessages).toEqual({ key: '@bob', count: 2, id: null });
    await settle();
    expect(state().newMessages).toEqual({ key: '@bob', count: 2, id: 6 });
    model.openRoom();
    expect(state().newMessages).toBeNull(); // read meanwhile
  });
});

describe('mentions', () => {
  it('lists mentions from REST and live, once each, through a reconnect; counts them where they were', async () => {
    const { model, state } = setup({
      'GET /api/v1/mentions': {
        status: 200,
        body: { mentions: [mention(3, 'ops')], has_more: false },
      },
    });
    const ws = accept([{ room: 'ops', count: 1, mentions: 1, last_read: 0 }]);
    await settle();
    expect(state().mentions.map((m) => m.message_id)).toEqual([3]);
    ws.receive(mention(3, 'ops'), mention(11, 'ops'));
    expect(state().mentions.map((m) => m.message_id)).toEqual([11, 3]);
    expect(counts(state(), '#ops')).toEqual({ count: 2, mentions: 2 });
    expect(state().alert).toMatchObject({ kind: 'mention', ref: { kind: 'room', room: 'ops' } });
    ws.serverClose(1006);
    model.reconnect();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(
      welcome(2_000_100, 'general', [{ room: 'ops', count: 3, mentions: 3, last_read: 0 }]),
      { type: 'joined', room: 'general', history: [], resumed: true, more: false },
      mention(11, 'ops'),
      mention(12, 'ops'),
    );
    expect(state().mentions.map((m) => m.message_id)).toEqual([12, 11, 3]);
    expect(counts(state(), '#ops')).toEqual({ count: 3, mentions: 3 });
    // A live message of the room here that names me is a mention too.
    const alerts = state().alert!.key;
    ws2.receive({ ...msg(200, 'general', 'hi @alice'), sent_at: 2_000_300, mentions: ['alice'] });
    expect(state().mentions[0]?.message_id).toBe(200);
    expect(state().alert).toMatchObject({ key: alerts + 1, kind: 'mention', from: 'bob' });
  });

  it('alerts a private message only when its thread is not seen, and not a re-sent one', () => {
    const { model, state } = setup();
    const ws = accept();
    ws.receive({ ...priv(1), sent_at: 1_000 }); // stored before welcome: re-sent backlog
    expect(state().alert).toBeNull();
    ws.receive(priv(5));
    expect(state().alert).toMatchObject({
      kind: 'private',
      ref: { kind: 'private', login: 'bob' },
    });
    model.openPrivate('bob');
    model.setFocused(true);
    model.setNewestVisible(true);
    const key = state().alert!.key;
    ws.receive(priv(6));
    expect(state().alert!.key).toBe(key);
  });
});
