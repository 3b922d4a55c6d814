// The Pinia adapter's own behaviour; the conversation model itself is tested once in the SDK.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
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

/** Opens the latest socket and plays welcome + joined `room`. */
function accept(room = 'general') {
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(), {
    type: 'joined',
    room,
    history: [msg(1), msg(2)],
    resumed: false,
    more: false,
  });
  return ws;
}

const usersCalls = () => calls.filter((c) => c.url.pathname === '/api/v1/users').length;

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  FakeWebSocket.all = [];
});
afterEach(() => {
  useChatStore().stop();
  vi.useRealTimers();
});

describe('chat store', () => {
  it('goes back to the room the tab was in after a reload; logging out forgets it', async () => {
    setup();
    accept('books');
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

  it('names the model’s state as the components read it', () => {
    const chat = setup();
    accept();
    expect(chat.status.state).toBe('open');
    expect(chat.room).toBe('general');
    expect(chat.me).toBe('alice');
    expect(chat.timeline.map((i) => i.kind)).toEqual(['message', 'message', 'notice']);
    expect(chat.hasMore).toBe(true);
    chat.send('hi');
    expect(FakeWebSocket.last().sentTexts()).toEqual(['hi']);
  });

  it('keeps the People list updating after a log-out within a moment of a join', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const chat = setup();
    const ws = accept();
    await vi.advanceTimersByTimeAsync(0);
    ws.receive({ type: 'event', kind: 'user_joined', room: 'general', user: 'dave', at: 1 });
    chat.stop(); // log out before the refresh
    chat.start(); // log in again: the same store
    const ws2 = accept();
    await vi.advanceTimersByTimeAsync(0);
    const before = usersCalls();
    ws2.receive({ type: 'event', kind: 'user_joined', room: 'general', user: 'erin', at: 2 });
    await vi.advanceTimersByTimeAsync(400);
    expect(usersCalls()).toBe(before + 1);
  });

  it('reconnects at once when the browser is back online', () => {
    const chat = setup();
    const ws = accept();
    ws.serverClose(1006);
    expect(chat.status.state).toBe('reconnecting');
    window.dispatchEvent(new Event('online'));
    expect(FakeWebSocket.last()).not.toBe(ws);
    expect(chat.status.state).toBe('connecting');
  });

  it('logs out when the server says the token expired', () => {
    const chat = setup();
    const ws = accept();
    ws.serverClose(4001);
    expect(useSessionStore().isAuthenticated).toBe(false);
    expect(chat.status.state).toBe('idle');
  });
});
