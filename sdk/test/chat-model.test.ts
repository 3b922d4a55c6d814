// The conversation model both apps adapt: each behaviour once, over the real ChatClient and
// ApiClient, with the server played through a fake socket and a route-table fetch.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ChatModel,
  privateUnread,
  timeline,
  type ChatModelState,
  type ConversationRef,
  type MessageEnvelope,
  type UpdateEnvelope,
  typingIn,
  unreadOf,
} from '../src';
import {
  fakeClients,
  FakeWebSocket,
  ManualClock,
  failure,
  joined,
  msg,
  pagesOf,
  priv,
  settle,
  welcome,
  type FakeRoute,
} from './fakes';

let clock: ManualClock;

function setup(routes: Record<string, FakeRoute> = {}, extra: { pageSize?: number } = {}) {
  const { http, api, client } = fakeClients(routes, clock);
  let authLost = 0;
  const model = new ChatModel({
    client,
    api,
    me: 'alice',
    timers: clock,
    now: clock.now,
    onAuthLost: () => authLost++,
    ...extra,
  });
  model.start();
  return { model, http, state: () => model.getState(), authLost: () => authLost };
}

/** Opens the latest socket and plays welcome + joined `room` with `history`. */
function accept(history: MessageEnvelope[] = [msg(1), msg(2)], room = 'general'): FakeWebSocket {
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(), { type: 'joined', room, history, resumed: false, more: false });
  return ws;
}

/** A conversation's rows as short strings: ids, `pending:text`, `notice:kind`. */
function rows(state: ChatModelState, ref?: ConversationRef): Array<number | string> {
  return timeline(state, ref).map((it) =>
    it.kind === 'message'
      ? it.id
      : it.kind === 'pending'
        ? `pending:${it.text}`
        : `notice:${it.notice.kind}`,
  );
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const mine = (id: number, text: string, clientId: string) => ({
  ...msg(id, 'general', text, clientId),
  from: 'alice',
});
const ROOM = '/api/v1/rooms/general/messages';

beforeEach(() => {
  clock = new ManualClock();
  FakeWebSocket.reset();
});

describe('the room', () => {
  it('shows the room, its history, the rooms and where you are', () => {
    const { state } = setup();
    accept();
    expect(state().connection.state).toBe('open');
    expect(state().room).toBe('general');
    expect(state().defaultRoom).toBe('general');
    expect(rows(state())).toEqual([1, 2, 'notice:joined']);
    expect(timeline(state()).at(-1)).toMatchObject({
      notice: { kind: 'joined', room: 'general', moved: false },
    });
  });

  it('shows each live message once, whatever the duplicates', () => {
    const { state } = setup();
    const ws = accept();
    ws.receive(msg(3), msg(3), msg(2));
    expect(state().roomLog.messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('shows a send as pending until its message arrives, even before the ack', () => {
    const { model, state } = setup();
    const ws = accept();
    const id = model.send('my words');
    expect(ws.sends().at(-1)).toMatchObject({ id, text: 'my words' });
    expect(rows(state()).at(-1)).toBe('pending:my words');
    // The broadcast can come before the ack: the stored copy replaces the pending one.
    ws.receive(mine(9, 'my words', id));
    expect(rows(state())).toEqual([1, 2, 'notice:joined', 9]);
    expect(state().pending).toEqual([]);
    ws.receive({ type: 'ack', id, message_id: 9, sent_at: 5 });
    expect(rows(state())).toEqual([1, 2, 'notice:joined', 9]);
  });

  it('keeps what is typed offline pending, sends it after the reconnect, merges the resume', () => {
    const { model, state } = setup();
    const ws = accept();
    ws.serverClose(1006);
    expect(state().connection.state).toBe('reconnecting');
    model.send('while away');
    expect(rows(state()).at(-1)).toBe('pending:while away');
    model.reconnect();
    const ws2 = FakeWebSocket.last();
    expect(ws2).not.toBe(ws);
    expect(ws2.query).toMatchObject({ last_id: '2', room: 'general' });
    ws2.open();
    ws2.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: [msg(3)],
      resumed: true,
      more: false,
    });
    expect(ws2.sends().map((s) => s.text)).toEqual(['while away']);
    expect(state().roomLog.messages.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('keeps the text of a message whose room was gone after the reconnect', () => {
    const { model, state } = setup();
    const ws = accept();
    ws.receive(joined('books'));
    ws.serverClose(1006);
    model.send('typed for books');
    model.reconnect();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(welcome(), joined('general')); // books ended with the restart
    expect(ws2.sends()).toEqual([]);
    expect(timeline(state()).at(-1)).toMatchObject({
      notice: { kind: 'error', code: 'not_sent', about: 'books', unsent: 'typed for books' },
    });
  });

  it('moves back to the default room when the room is deleted, and says so there', () => {
    const { model, state } = setup();
    const ws = accept();
    model.joinRoom('books');
    expect(ws.sends().at(-1)?.text).toBe('#gR books');
    ws.receive(joined('books'));
    expect(state().room).toBe('books');
    ws.receive(
      { type: 'event', kind: 'room_deleted', room: 'books', user: 'bob', at: 5 },
      joined('general', [1]),
    );
    expect(state().room).toBe('general');
    expect(state().roomLog.notices).toMatchObject([
      { kind: 'event', event: { kind: 'room_deleted', room: 'books' } },
      { kind: 'joined', room: 'general', moved: true },
    ]);
  });

  it('says "already there" for #eR in the default room, sending nothing', () => {
    const { model, state } = setup();
    const ws = accept();
    const sent = ws.sends().length;
    expect(model.send('#eR')).toBe('');
    expect(ws.sends()).toHaveLength(sent);
    expect(timeline(state()).at(-1)).toMatchObject({
      notice: { kind: 'already', room: 'general' },
    });
    ws.receive(joined('books'));
    model.leaveRoom(); // in another room it goes
    expect(ws.sends().at(-1)?.text).toBe('#eR');
  });

  it('folds a leave and a join of one person within a few seconds into nothing', () => {
    const { state } = setup();
    const ws = accept();
    const presence = (kind: 'user_joined' | 'user_left', user: string, at: number) => ({
      type: 'event' as const,
      kind,
      room: 'general',
      user,
      at,
    });
    ws.receive(presence('user_left', 'dave', 10_000), presence('user_joined', 'dave', 12_000));
    expect(state().roomLog.notices.map((n) => n.kind)).toEqual(['joined']);
    // Further apart, or someone else: both stay.
    ws.receive(presence('user_left', 'erin', 20_000), presence('user_joined', 'erin', 40_000));
    ws.receive(presence('user_left', 'fred', 50_000), presence('user_joined', 'gina', 50_500));
    expect(state().roomLog.notices).toHaveLength(5);
  });
});

describe('commands', () => {
  it('shows the answers to typed commands inline; errors name what they were about', () => {
    const { model, state } = setup();
    const ws = accept();
    ws.receive({ type: 'rooms', rooms: [{ name: 'general', members: 3, default: true }] });
    expect(rows(state())).not.toContain('notice:rooms'); // a push, not an answer
    model.send('#lR');
    ws.receive({ type: 'rooms', rooms: [{ name: 'general', members: 3, default: true }] });
    expect(rows(state()).at(-1)).toBe('notice:rooms');
    model.send('#gR nowhere');
    const id = ws.sends().at(-1)!.id;
    ws.receive({ type: 'error', id, code: 'room_not_found', message: 'no live room' });
    expect(timeline(state()).at(-1)).toMatchObject({
      notice: { kind: 'error', code: 'room_not_found', about: 'nowhere' },
    });
    expect(state().lastError).toMatchObject({ id, code: 'room_not_found' });
    model.showHelp();
    ws.receive({ type: 'help', commands: [] });
    expect(rows(state()).at(-1)).toBe('notice:help');
  });

  it('opens the thread of a #private typed in the room once it is stored, not on an error', () => {
    const { model, state } = setup();
    const ws = accept();
    model.send('#private Nobody hi');
    ws.receive({ type: 'error', id: ws.sends().at(-1)!.id, code: 'user_not_found', message: 'no' });
    expect(state().active).toEqual({ kind: 'room' });
    expect(rows(state()).at(-1)).toBe('notice:error');

    const id = model.send('#\\private Bob see you');
    expect(state().active).toEqual({ kind: 'room' }); // not before it is stored
    ws.receive({ type: 'ack', id, message_id: 9, sent_at: 5 });
    expect(state().active).toEqual({ kind: 'private', login: 'bob' });
    expect(state().privateSent).toEqual({ id, login: 'bob' });
  });

  it('a refused room move does not follow the next one the server makes', () => {
    const { model, state } = setup();
    const ws = accept();
    model.openPrivate('bob');
    model.createRoom('bad name!');
    ws.receive({
      type: 'error',
      id: ws.sends().at(-1)!.id,
      code: 'invalid_room_name',
      message: 'no',
    });
    ws.receive(joined('books'));
    expect(state().active).toEqual({ kind: 'private', login: 'bob' });
  });
});

describe('people', () => {
  it('loads people over REST, refreshes them after joins, and from #show users without a notice', async () => {
    let list = [{ login: 'bob', first_name: 'B', last_name: 'B', online: true }];
    const { model, state } = setup({
      'GET /api/v1/users': () => ({ status: 200, body: { users: list } }),
    });
    const ws = accept();
    await settle();
    expect(state().users.map((u) => u.login)).toEqual(['bob']);
    list = [...list, { login: 'dave', first_name: 'D', last_name: 'D', online: true }];
    ws.receive({ type: 'event', kind: 'user_joined', room: 'general', user: 'dave', at: 1 });
    clock.advance(300);
    await settle();
    expect(state().users.map((u) => u.login)).toEqual(['bob', 'dave']);
    model.refreshUsers();
    expect(ws.sends().at(-1)?.text).toBe('#show users');
    ws.receive({
      type: 'users',
      users: [{ login: 'erin', first_name: 'E', last_name: 'E', online: true }],
    });
    expect(state().users.map((u) => u.login)).toEqual(['erin']);
    expect(rows(state())).not.toContain('notice:users');
  });

  it('leaves no timer behind at stop, so the next session refreshes people again', async () => {
    const first = setup();
    const ws = accept();
    ws.receive({ type: 'event', kind: 'user_left', room: 'general', user: 'bob', at: 1 });
    first.model.stop(); // log out within a moment of the event
    expect(clock.pendingTimers()).toBe(0);
    let calls = 0;
    const second = setup({
      'GET /api/v1/users': () => ({ status: 200, body: { users: [], n: ++calls } }),
    });
    const ws2 = accept();
    await settle();
    const before = calls;
    ws2.receive({ type: 'event', kind: 'user_joined', room: 'general', user: 'dave', at: 2 });
    clock.advance(300);
    await settle();
    expect(calls).toBe(before + 1);
    second.model.stop();
  });
});

describe('private threads', () => {
  it('counts unread messages, loads a thread over REST, and sends in it', async () => {
    const { model, state } = setup({
      'GET /api/v1/dm/bob/messages': {
        status: 200,
        body: { messages: [priv(7), priv(5, 'alice', 'bob')], has_more: false },
      },
    });
    const ws = accept();
    ws.receive(priv(7));
    expect(unreadOf(state().unread, '@bob').count).toBe(1);
    expect(privateUnread(state())).toBe(1);

    model.setFocused(true);
    model.setNewestVisible(true);
    model.openPrivate('bob');
    await settle();
    expect(unreadOf(state().unread, '@bob').count).toBe(0);
    expect(rows(state())).toEqual([5, 7]);
    model.send('yes!');
    expect(ws.sends().at(-1)?.text).toBe('#private bob yes!');
    expect(rows(state()).at(-1)).toBe('pending:yes!');
    // While in the thread, room messages count as unread for the room.
    ws.receive(msg(8));
    expect(unreadOf(state().unread, '#general').count).toBe(1);
    model.openRoom();
    expect(unreadOf(state().unread, '#general').count).toBe(0);
  });

  it('shows the error of a private send in its thread', () => {
    const { model, state } = setup();
    const ws = accept();
    const id = model.sendPrivate('ghost', 'hi');
    ws.receive({ type: 'error', id, code: 'user_not_found', message: 'no' });
    expect(rows(state(), { kind: 'private', login: 'ghost' })).toEqual(['notice:error']);
    expect(rows(state())).not.toContain('notice:error');
  });

  it('pages back from the latest page, once each, leaving the unread count', async () => {
    const stored = [...range(1, 70).map((id) => priv(id)), priv(71, 'alice', 'bob')];
    const { model, state, http } = setup({ 'GET /api/v1/dm/bob/messages': pagesOf(stored) });
    accept();
    FakeWebSocket.last().receive(priv(72));
    model.openPrivate('bob');
    await settle();
    await model.loadOlder({ kind: 'private', login: 'bob' });
    expect(http.pages('/api/v1/dm/bob/messages')).toEqual([
      { before: null, limit: '50' },
      { before: '22', limit: '50' },
    ]);
    expect(state().threads.bob?.messages.map((m) => m.id)).toEqual(range(1, 72));
    expect(state().threads.bob?.paging.hasMore).toBe(false);
    // Not seen yet (the window never had focus): paging leaves the count as it was.
    expect(unreadOf(state().unread, '@bob').count).toBe(1);
  });

  it('a user that is gone (404) ends paging quietly', async () => {
    const { model, state } = setup({
      'GET /api/v1/dm/ghost/messages': failure(404, 'user_not_found'),
    });
    accept();
    await model.loadOlder({ kind: 'private', login: 'ghost' });
    expect(state().threads.ghost?.paging).toMatchObject({
      hasMore: false,
      failed: false,
      loading: false,
    });
  });
});

describe('paging back through the room', () => {
  it('loads the page before the oldest message, once each, notices in place', async () => {
    const stored = range(1, 120).map((id) => msg(id));
    const { model, state, http } = setup({ [`GET ${ROOM}`]: pagesOf(stored) });
    const ws = accept(stored.slice(70));
    ws.receive({ type: 'help', commands: [] }, msg(121));
    expect(state().roomLog.paging).toMatchObject({ hasMore: true, loading: false, failed: false });

    const loading = model.loadOlder();
    void model.loadOlder(); // a second scroll event while loading: no request
    expect(state().roomLog.paging.loading).toBe(true);
    await loading;
    await model.loadOlder();
    await model.loadOlder(); // no more: no request
    expect(http.pages(ROOM)).toEqual([
      { before: '71', limit: '50' },
      { before: '21', limit: '50' },
    ]);
    expect(rows(state())).toEqual([...range(1, 120), 'notice:joined', 'notice:help', 121]);
    expect(state().roomLog.paging.hasMore).toBe(false);
  });

  it('uses the page size it is given', async () => {
    const { model, http } = setup(
      { [`GET ${ROOM}`]: pagesOf(range(1, 30).map((id) => msg(id))) },
      { pageSize: 10 },
    );
    accept([msg(30)]);
    await model.loadOlder();
    expect(http.pages(ROOM)).toEqual([{ before: '30', limit: '10' }]);
  });

  it('after a failure waits until asked to retry; a 404 ends paging quietly', async () => {
    let answer: FakeRoute = failure(503, 'unavailable');
    const stored = range(1, 30).map((id) => msg(id));
    const { model, state, http } = setup({
      [`GET ${ROOM}`]: (url) => (typeof answer === 'function' ? answer(url) : answer),
    });
    accept(stored.slice(20));
    await model.loadOlder();
    expect(state().roomLog.paging).toMatchObject({ hasMore: true, failed: true, loading: false });
    await model.loadOlder(); // scrolling does not retry by itself
    expect(http.pages(ROOM)).toHaveLength(1);
    answer = pagesOf(stored);
    await model.loadOlder(undefined, true); // "Try again"
    expect(state().roomLog.messages.map((m) => m.id)).toEqual(range(1, 30));
    expect(state().roomLog.paging.failed).toBe(false);

    answer = failure(404, 'room_not_found');
    const next = setup({ [`GET ${ROOM}`]: failure(404, 'room_not_found') });
    accept([msg(40)]);
    await next.model.loadOlder();
    expect(next.state().roomLog.paging).toMatchObject({ hasMore: false, failed: false });
  });

  it('an empty room has nothing to page', async () => {
    const { model, state, http } = setup();
    accept([]);
    expect(state().roomLog.paging.hasMore).toBe(false);
    await model.loadOlder();
    expect(http.pages(ROOM)).toEqual([]);
  });
});

describe('after a resume that missed more than it carries', () => {
  /** Shows 1..10 and a notice, drops, and resumes with `resumed` (more: true). */
  async function resume(route: FakeRoute, resumed: MessageEnvelope[]) {
    const s = setup({ [`GET ${ROOM}`]: route });
    const ws = accept(range(1, 10).map((id) => msg(id)));
    ws.receive({ type: 'help', commands: [] });
    ws.serverClose(1006);
    s.model.reconnect();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: resumed,
      resumed: true,
      more: true,
    });
    await settle();
    return s;
  }

  it('pages the missed messages between the known ones and the resumed ones', async () => {
    const stored = range(1, 1500).map((id) => msg(id));
    const { state, http } = await resume(pagesOf(stored), stored.slice(500));
    expect(http.pages(ROOM)).toEqual([
      { before: '501', limit: '200' },
      { before: '301', limit: '200' },
      { before: '101', limit: '200' },
    ]);
    expect(rows(state())).toEqual([
      ...range(1, 10),
      'notice:joined',
      'notice:help',
      ...range(11, 1500),
    ]);
  });

  it('if that fails, says so at the gap, not at the end', async () => {
    const stored = range(1, 1500).map((id) => msg(id));
    let calls = 0;
    const { state } = await resume(
      (url) => (++calls === 1 ? pagesOf(stored)(url) : failure(503, 'unavailable')),
      stored.slice(500),
    );
    FakeWebSocket.last().receive(msg(1501));
    expect(rows(state())).toEqual([
      ...range(1, 10),
      'notice:joined',
      'notice:help',
      'notice:more',
      ...range(301, 1501),
    ]);
  });
});

describe('the connection', () => {
  it('calls onAuthLost when the token expired', () => {
    const { state, authLost } = setup();
    const ws = accept();
    ws.serverClose(4001);
    expect(state().connection.state).toBe('auth');
    expect(authLost()).toBe(1);
  });

  it('tracks the clock from pongs, and shows no latency while disconnected until a new sample', () => {
    const { model, state } = setup();
    const ws = accept();
    const pong = (socket: FakeWebSocket) => {
      const ping = socket.pings().at(-1)!;
      clock.advance(20);
      socket.receive({ type: 'pong', id: ping.id, t0: ping.t0, server_time: ping.t0 + 1000 });
    };
    pong(ws);
    expect(state().clock.samples).toBe(1);
    expect(state().clock.latency).toBe(20);
    ws.serverClose(1006);
    expect(state().clock.latency).toBeNull();
    model.reconnect();
    const ws2 = accept();
    expect(ws2).toBe(FakeWebSocket.last());
    expect(state().clock.latency).toBeNull(); // open again, no new sample yet
    pong(ws2);
    expect(state().clock.latency).not.toBeNull();
  });
});

describe('replies, edits, deletions, reactions', () => {
  const upd = (id: number, messageId: number, fields: Partial<UpdateEnvelope>): UpdateEnvelope => ({
    type: 'update',
    id,
    message_id: messageId,
    kind: 'edited',
    room: 'general',
    by: 'bob',
    at: 9_000 + id,
    ...fields,
  });
  const message = (state: ChatModelState, id: number) =>
    state.roomLog.messages.find((m) => m.id === id);

  it('sends replies, edits, deletions and reactions with ids, pending until their ack', () => {
    const { model, state } = setup();
    const ws = accept();
    const reply = model.send('yes', { replyTo: 2 });
    const edit = model.edit(1, 'fixed');
    const del = model.deleteMessage(1);
    const react = model.react(2, '👍');
    expect(ws.envelopes.filter((e) => e.type !== 'ping' && e.type !== 'receipt')).toEqual([
      { type: 'send', id: reply, text: 'yes', reply_to: 2 },
      { type: 'edit', id: edit, message_id: 1, text: 'fixed' },
      { type: 'delete', id: del, message_id: 1 },
      { type: 'react', id: react, message_id: 2, emoji: '👍' },
    ]);
    expect(state().pending.map((p) => p.kind)).toEqual(['message', 'edit', 'delete', 'react']);
    ws.receive({ type: 'ack', id: edit, message_id: 20, sent_at: 5 });
    expect(state().pending.map((p) => p.id)).toEqual([reply, del, react]);
    // Only the reply shows as a pending row: the actions change rows that exist.
    expect(rows(state()).at(-1)).toBe('pending:yes');
  });

  it('applies updates in id order and ignores repeats and older ones', () => {
    const { state } = setup();
    const ws = accept([msg(1), msg(2)]);
    ws.receive(upd(10, 1, { text: 'first' }), upd(12, 1, { text: 'second' }));
    expect(message(state(), 1)).toMatchObject({ text: 'second', edited_at: 9_012 });
    // The same update again (a resume's overlap), and an older one arriving late: no change.
    ws.receive(upd(12, 1, { text: 'second' }), upd(11, 1, { text: 'stale' }));
    expect(message(state(), 1)?.text).toBe('second');
    ws.receive(
      upd(13, 2, {
        kind: 'reaction',
        emoji: '👍',
        reactions: [{ emoji: '👍', count: 1, users: ['bob'] }],
      }),
    );
    expect(message(state(), 2)?.reactions).toEqual([{ emoji: '👍', count: 1, users: ['bob'] }]);
    ws.receive(upd(14, 2, { kind: 'reaction', emoji: '👍', reactions: [] }));
    expect(message(state(), 2)?.reactions).toBeUndefined();
  });

  it('leaves a tombstone for a deleted message, and the replies to it lose their snippet', () => {
    const { state } = setup();
    const reply = { ...msg(3), reply_to: { id: 1, from: 'bob', text: 'm1' } };
    const ws = accept([
      { ...msg(1), reactions: [{ emoji: '🎉', count: 1, users: ['alice'] }] },
      msg(2),
      reply,
    ]);
    ws.receive(upd(10, 1, { kind: 'deleted' }));
    expect(message(state(), 1)).toMatchObject({ deleted: true, text: '' });
    expect(message(state(), 1)?.reactions).toBeUndefined();
    expect(message(state(), 3)?.reply_to).toEqual({ id: 1, from: 'bob', text: '' });
    // Nothing brings a tombstone back.
    ws.receive(upd(11, 1, { text: 'back' }));
    expect(message(state(), 1)).toMatchObject({ deleted: true, text: '' });
  });

  it('drops an update of a message not loaded, and of another room', () => {
    const { state } = setup();
    const ws = accept([msg(5)]);
    const before = state().roomLog;
    ws.receive(upd(10, 4, { text: 'older' }), upd(11, 5, { room: 'other', text: 'elsewhere' }));
    expect(state().roomLog).toBe(before);
  });

  it('applies a private thread’s updates, whoever of the two made them', () => {
    const { model, state } = setup({
      'GET /api/v1/dm/bob/messages': {
        status: 200,
        body: { messages: [priv(7), priv(8, 'alice', 'bob')], has_more: false },
      },
    });
    const ws = accept();
    model.openPrivate('bob');
    return settle().then(() => {
      ws.receive(
        upd(20, 7, { room: undefined, to: 'alice', by: 'bob', text: 'his' }),
        upd(21, 8, { room: undefined, to: 'bob', by: 'alice', kind: 'deleted' }),
      );
      const t = state().threads.bob!.messages;
      expect(t.map((m) => [m.text, m.deleted ?? false])).toEqual([
        ['his', false],
        ['', true],
      ]);
      // bob's edit on screen is said to screen readers; my own deletion is not.
      expect(state().announcement).toMatchObject({ kind: 'edited', by: 'bob' });
    });
  });

  it('shows who is typing for 5 s after their last signal, and not once they sent', () => {
    const { state } = setup();
    const ws = accept();
    ws.receive({ type: 'typing', room: 'general', user: 'bob' });
    clock.advance(3_000);
    ws.receive(
      { type: 'typing', room: 'general', user: 'carol' },
      { type: 'typing', room: 'general', user: 'alice' }, // me: never shown
      { type: 'typing', room: 'other', user: 'dan' }, // not my room
      { type: 'typing', from: 'erin', user: 'erin' },
    );
    expect(typingIn(state())).toEqual(['bob', 'carol']);
    expect(typingIn(state(), { kind: 'private', login: 'erin' })).toEqual(['erin']);
    clock.advance(1_999);
    expect(typingIn(state())).toEqual(['bob', 'carol']);
    clock.advance(1);
    expect(typingIn(state())).toEqual(['carol']);
    ws.receive(msg(3, 'general', 'done')); // from bob… and carol keeps typing
    ws.receive({ ...msg(4), from: 'carol' });
    expect(typingIn(state())).toEqual([]);
    expect(typingIn(state(), { kind: 'private', login: 'erin' })).toEqual(['erin']);
    clock.advance(5_000);
    expect(state().typing).toEqual([]);
  });

  it('sends typing at most once per 2 s per conversation, to the conversation on screen', () => {
    const { model } = setup();
    const ws = accept();
    const typing = () => ws.envelopes.filter((e) => e.type === 'typing');
    model.typing();
    model.typing();
    clock.advance(1_999);
    model.typing();
    expect(typing()).toEqual([{ type: 'typing' }]);
    clock.advance(1);
    model.typing();
    model.openPrivate('bob');
    model.typing();
    expect(typing()).toEqual([
      { type: 'typing' },
      { type: 'typing' },
      { type: 'typing', to: 'bob' },
    ]);
    // Another room is another conversation: its first signal goes out at once.
    model.openRoom();
    ws.receive({ type: 'joined', room: 'books', history: [], resumed: false, more: false });
    model.typing();
    expect(typing()).toHaveLength(4);
  });

  it('shows an action’s error in the conversation it was made in', () => {
    const { model, state } = setup();
    const ws = accept();
    const id = model.edit(1, 'not mine');
    ws.receive({ type: 'error', id, code: 'not_author', message: 'not the author' });
    expect(timeline(state()).at(-1)).toMatchObject({
      notice: { kind: 'error', code: 'not_author' },
    });
    expect(state().pending).toEqual([]);
  });
});
