import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setSalaServices } from '../../src/services/sala';
import { useChatStore } from '../../src/stores/chat';
import { useSessionStore } from '../../src/stores/session';
import {
  FakeWebSocket,
  alice,
  defaultRoutes,
  fakeFetch,
  fakeServices,
  flush,
  msg,
  priv,
  welcome,
  type Route,
} from './fakes';
import { freshPinia } from './render';

let calls: ReturnType<typeof fakeFetch>['calls'];

function setup(routes: Record<string, Route> = {}) {
  const f = fakeFetch(defaultRoutes(routes));
  calls = f.calls;
  setSalaServices(fakeServices(f.fetch));
  localStorage.setItem('sala.token', 'jwt');
  localStorage.setItem('sala.user', JSON.stringify(alice));
  freshPinia();
  const chat = useChatStore();
  chat.start();
  return chat;
}

/** Opens the socket and plays welcome + joined general with `history`. */
function accept(history = [msg(1, 'hello'), msg(2, 'hi there', 'carol')]) {
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(), { type: 'joined', room: 'general', history, resumed: false, more: false });
  return ws;
}

const kinds = (chat: ReturnType<typeof useChatStore>) =>
  chat.timeline.map((i) =>
    i.kind === 'notice' ? `notice:${i.notice.type}` : `${i.kind}:${i.from}:${i.text}`,
  );

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  FakeWebSocket.all = [];
});
afterEach(() => useChatStore().stop());

describe('chat store', () => {
  it('goes back to the room the tab was in after a reload; logging out forgets it', async () => {
    setup();
    const ws = accept();
    ws.receive({ type: 'joined', room: 'books', history: [], resumed: false, more: false });
    await flush();
    // The page reloads: a new store in the same tab.
    FakeWebSocket.all = [];
    const chat = setup();
    expect(FakeWebSocket.last().url).toBe('ws://sala.test/api/v1/ws?token=jwt&room=books');
    chat.stop();
    FakeWebSocket.all = [];
    setup();
    expect(FakeWebSocket.last().url).toBe('ws://sala.test/api/v1/ws?token=jwt');
  });

  it('connects with the session token and shows the room, its history and the rooms', () => {
    const chat = setup();
    expect(FakeWebSocket.last().url).toBe('ws://sala.test/api/v1/ws?token=jwt');
    accept();
    expect(chat.status.state).toBe('open');
    expect(chat.room).toBe('general');
    expect(chat.defaultRoom).toBe('general');
    expect(chat.rooms.map((r) => r.name)).toEqual(['general', 'books']);
    expect(kinds(chat)).toEqual(['message:bob:hello', 'message:carol:hi there', 'notice:joined']);
  });

  it('appends live messages once, whatever the duplicates', () => {
    const chat = setup();
    const ws = accept();
    ws.receive(msg(3, 'new'), msg(3, 'new'), msg(2, 'hi there', 'carol'));
    expect(chat.timeline.filter((i) => i.kind === 'message').map((i) => i.key)).toEqual([
      'm1',
      'm2',
      'm3',
    ]);
  });

  it('shows a sent message as pending until it is stored', () => {
    const chat = setup();
    const ws = accept();
    chat.send('my words');
    const sent = ws.sent.find((e) => e.type === 'send')!;
    expect(sent.text).toBe('my words');
    expect(kinds(chat).at(-1)).toBe('pending:alice:my words');
    ws.receive({ type: 'ack', id: sent.id as string, message_id: 9, sent_at: 5 });
    ws.receive(msg(9, 'my words', 'alice', 'general', sent.id as string));
    expect(kinds(chat).at(-1)).toBe('message:alice:my words');
    expect(chat.timeline.some((i) => i.kind === 'pending')).toBe(false);
  });

  it('keeps messages typed while offline pending and sends them after the reconnect', () => {
    const chat = setup();
    const ws = accept();
    ws.serverClose(1006);
    expect(chat.status.state).toBe('reconnecting');
    chat.send('while away');
    expect(kinds(chat).at(-1)).toBe('pending:alice:while away');
    chat.reconnect();
    const ws2 = FakeWebSocket.last();
    expect(ws2).not.toBe(ws);
    expect(ws2.url).toContain('last_id=2');
    expect(ws2.url).toContain('room=general');
    ws2.open();
    ws2.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: [msg(3, 'missed')],
      resumed: true,
      more: false,
    });
    expect(ws2.sentTexts()).toEqual(['while away']);
    expect(kinds(chat).filter((k) => k.startsWith('message'))).toEqual([
      'message:bob:hello',
      'message:carol:hi there',
      'message:bob:missed',
    ]);
  });

  it('keeps the text of a message whose room was gone after the reconnect', () => {
    const chat = setup();
    const ws = accept();
    ws.receive({ type: 'joined', room: 'books', history: [], resumed: false, more: false });
    ws.serverClose(1006);
    chat.send('typed for books');
    chat.reconnect();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(welcome(), {
      type: 'joined',
      room: 'general', // books ended with the restart
      history: [],
      resumed: false,
      more: false,
    });
    expect(ws2.sentTexts()).toEqual([]);
    const notices = chat.timeline.flatMap((i) => (i.kind === 'notice' ? [i.notice] : []));
    expect(notices.at(-1)).toMatchObject({
      type: 'error',
      code: 'not_sent',
      about: 'books',
      unsent: 'typed for books',
    });
  });

  it('pages missed messages over REST when a resume says there are more', async () => {
    const chat = setup({
      'GET /api/v1/rooms/general/messages': () => ({
        status: 200,
        body: { messages: [msg(4), msg(3)], has_more: true },
      }),
    });
    const ws = accept();
    ws.serverClose(1001);
    chat.reconnect();
    const ws2 = FakeWebSocket.last();
    ws2.open();
    ws2.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: [msg(5)],
      resumed: true,
      more: true,
    });
    await flush();
    const call = calls.find((c) => c.url.pathname === '/api/v1/rooms/general/messages')!;
    expect(call.url.searchParams.get('before')).toBe('5');
    expect(chat.roomLog.messages.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('loads older pages for infinite scroll', async () => {
    const chat = setup({
      'GET /api/v1/rooms/general/messages': (url) => ({
        status: 200,
        body: {
          messages: url.searchParams.get('before') === '10' ? [msg(9), msg(8)] : [],
          has_more: false,
        },
      }),
    });
    accept([msg(10), msg(11)]);
    expect(chat.hasMore).toBe(true);
    await chat.loadOlder();
    expect(chat.roomLog.messages.map((m) => m.id)).toEqual([8, 9, 10, 11]);
    expect(chat.hasMore).toBe(false);
  });

  it('counts unread private messages and loads a thread’s history over REST', async () => {
    const chat = setup({
      'GET /api/v1/dm/bob/messages': () => ({
        status: 200,
        body: {
          messages: [priv(7, 'bob', 'alice', 'are you there?'), priv(5, 'alice', 'bob', 'hey')],
          has_more: false,
        },
      }),
    });
    const ws = accept();
    ws.receive(priv(7, 'bob', 'alice', 'are you there?'));
    expect(chat.threads.bob!.unread).toBe(1);
    expect(chat.totalPrivateUnread).toBe(1);

    chat.openPrivate('bob');
    await flush();
    expect(chat.threads.bob!.unread).toBe(0);
    expect(kinds(chat)).toEqual(['message:alice:hey', 'message:bob:are you there?']);

    chat.send('yes!');
    expect(ws.sentTexts().at(-1)).toBe('#private bob yes!');
    expect(kinds(chat).at(-1)).toBe('pending:alice:yes!');
    // While in the thread, room messages count as unread for the room.
    ws.receive(msg(8, 'meanwhile'));
    expect(chat.roomUnread).toBe(1);
    chat.openRoom();
    expect(chat.roomUnread).toBe(0);
  });

  it('opens the thread of a #private typed in the room once it is stored', () => {
    const chat = setup();
    const ws = accept();
    chat.send('#private Nobody hi');
    const failed = ws.sent.at(-1)!;
    ws.receive({
      type: 'error',
      id: failed.id as string,
      code: 'user_not_found',
      message: 'no such user',
    });
    expect(chat.conversation).toEqual({ kind: 'room' }); // the error shows in the room
    expect(kinds(chat).at(-1)).toBe('notice:error');

    chat.send('#\\private Bob see you');
    const sent = ws.sent.at(-1)!;
    expect(chat.conversation).toEqual({ kind: 'room' }); // not before it is stored
    ws.receive({ type: 'ack', id: sent.id as string, message_id: 9, sent_at: 5 });
    expect(chat.conversation).toEqual({ kind: 'private', login: 'bob' });
    expect(chat.threads.bob).toBeDefined();
  });

  it('moves back to the default room when the room is deleted, and says so', () => {
    const chat = setup();
    const ws = accept();
    chat.joinRoom('books');
    expect(ws.sentTexts().at(-1)).toBe('#gR books');
    ws.receive({ type: 'joined', room: 'books', history: [], resumed: false, more: false });
    expect(chat.room).toBe('books');
    ws.receive(
      { type: 'event', kind: 'room_deleted', room: 'books', user: 'bob', at: 5 },
      { type: 'joined', room: 'general', history: [msg(1)], resumed: false, more: false },
    );
    expect(chat.room).toBe('general');
    const notices = chat.timeline.flatMap((i) => (i.kind === 'notice' ? [i.notice] : []));
    expect(notices).toMatchObject([
      { type: 'event', event: { kind: 'room_deleted', room: 'books' } },
      { type: 'joined', room: 'general', moved: true },
    ]);
  });

  it('shows command answers inline: #lR lists rooms, errors say what went wrong', () => {
    const chat = setup();
    const ws = accept();
    ws.receive({ type: 'rooms', rooms: [{ name: 'general', members: 3, default: true }] });
    expect(kinds(chat)).not.toContain('notice:rooms'); // a push, not an answer
    chat.send('#lR');
    ws.receive({ type: 'rooms', rooms: [{ name: 'general', members: 3, default: true }] });
    expect(kinds(chat)).toContain('notice:rooms');
    chat.send('#gR nowhere');
    const id = ws.sent.at(-1)!.id as string;
    ws.receive({ type: 'error', id, code: 'room_not_found', message: 'no live room' });
    expect(chat.timeline.at(-1)).toMatchObject({
      kind: 'notice',
      notice: { type: 'error', code: 'room_not_found', about: 'nowhere' },
    });
    chat.showHelp();
    ws.receive({ type: 'help', commands: [] });
    expect(kinds(chat).at(-1)).toBe('notice:help');
  });

  it('refreshes people from REST and from #show users', async () => {
    const chat = setup();
    const ws = accept();
    await flush();
    expect(chat.users.map((u) => u.login)).toEqual(['alice', 'bob', 'carol']);
    chat.refreshUsers();
    expect(ws.sentTexts().at(-1)).toBe('#show users');
    ws.receive({
      type: 'users',
      users: [{ login: 'dave', first_name: 'D', last_name: 'E', online: true }],
    });
    expect(chat.users.map((u) => u.login)).toEqual(['dave']);
    expect(kinds(chat)).not.toContain('notice:users');
  });

  it('logs out when the server says the token expired', () => {
    const chat = setup();
    const ws = accept();
    ws.serverClose(4001);
    expect(useSessionStore().isAuthenticated).toBe(false);
    expect(chat.status.state).toBe('idle');
  });

  it('tracks the clock from pongs', () => {
    const chat = setup();
    const ws = accept();
    const ping = ws.sent.find((e) => e.type === 'ping')!;
    ws.receive({
      type: 'pong',
      id: ping.id as string,
      t0: ping.t0 as number,
      server_time: (ping.t0 as number) + 1000,
    });
    expect(chat.clock.samples).toBe(1);
    expect(chat.clock.latency).not.toBeNull();
    expect(Math.round(chat.clock.offset / 100)).toBe(10);
  });
});
