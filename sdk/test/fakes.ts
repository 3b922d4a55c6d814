// Test doubles: a fake WebSocket with the browser API, and a manual clock with timers.
import { ApiClient, ChatClient } from '../src';
import type { FetchLike, ServerEnvelope, Timers, UnreadEntry, WebSocketLike } from '../src';

/** A WebSocket double: records what the client sends, lets the test play the server. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  static reset(): void {
    FakeWebSocket.instances = [];
  }
  static last(): FakeWebSocket {
    const ws = FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
    if (!ws) throw new Error('no socket was opened');
    return ws;
  }

  readyState = 0;
  sent: string[] = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => unknown) | null = null;
  onmessage: ((ev: { data: unknown }) => unknown) | null = null;
  onclose: ((ev: { code: number; reason: string }) => unknown) | null = null;
  onerror: ((ev: unknown) => unknown) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  /** The query parameters of the URL the client connected to. */
  get query(): Record<string, string> {
    const q = new URL(this.url).searchParams;
    return Object.fromEntries(q.entries());
  }

  /** The envelopes the client sent, parsed. */
  get envelopes(): Array<Record<string, unknown>> {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }

  sends(): Array<{ id: string; text: string }> {
    return this.envelopes.filter((e) => e.type === 'send') as Array<{ id: string; text: string }>;
  }

  pings(): Array<{ id: string; t0: number }> {
    return this.envelopes.filter((e) => e.type === 'ping') as Array<{ id: string; t0: number }>;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }

  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }

  // ---- the server's side ----
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Delivers one frame holding the envelopes separated by '\n'. */
  receive(...envs: Array<ServerEnvelope | Record<string, unknown>>): void {
    this.receiveRaw(envs.map((e) => JSON.stringify(e)).join('\n'));
  }

  receiveRaw(data: string): void {
    this.onmessage?.({ data });
  }

  /** The server (or the network) closes the socket. */
  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

/** A manual clock: `now()` and timers that fire only when the test advances time. */
export class ManualClock implements Timers {
  time = 1_000_000;
  private seq = 0;
  private tasks = new Map<number, { at: number; fn: () => void }>();

  now = (): number => this.time;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.tasks.set(id, { at: this.time + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.tasks.delete(handle as number);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.tasks) if (!next || entry[1].at < next[1].at) next = entry;
      if (!next || next[1].at > end) break;
      this.tasks.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
  }

  pendingTimers(): number {
    return this.tasks.size;
  }
}

export const profile = {
  login: 'alice',
  first_name: 'Alice',
  last_name: 'A',
  age: 30,
  gender: 'female' as const,
  created_at: 1,
};

export function welcome(
  serverTime = 2_000_000,
  room = 'general',
  unread: UnreadEntry[] = [],
): ServerEnvelope {
  return {
    type: 'welcome',
    server_time: serverTime,
    user: profile,
    room,
    rooms: [{ name: 'general', members: 1, default: true }],
    commands: [{ command: '#help', usage: '#help', description: 'list the commands' }],
    unread,
  };
}

export function joined(
  room: string,
  ids: number[] = [],
  resumed = false,
): Extract<ServerEnvelope, { type: 'joined' }> {
  return { type: 'joined', room, history: ids.map((id) => msg(id, room)), resumed, more: false };
}

export function msg(id: number, room = 'general', text = `m${id}`, clientId = '') {
  return {
    type: 'message' as const,
    id,
    room,
    from: 'bob',
    text,
    sent_at: 2_000_000 + id,
    client_id: clientId,
  };
}

export function priv(id: number, from = 'bob', to = 'alice', text = `p${id}`) {
  return { type: 'private' as const, id, from, to, text, sent_at: 2_000_000 + id, client_id: '' };
}

/** A route's answer: status and JSON body. */
export interface FakeResponse {
  status: number;
  body: unknown;
}
export type FakeRoute = FakeResponse | ((url: URL) => FakeResponse | Promise<FakeResponse>);

/**
 * A fetch that answers `METHOD /path` from `routes` (404 otherwise), recording each call, for
 * the real ApiClient. GET /users and GET /commands answer empty lists unless given.
 */
export function fakeFetch(routes: Record<string, FakeRoute> = {}) {
  const calls: URL[] = [];
  const all: Record<string, FakeRoute> = {
    'GET /api/v1/users': { status: 200, body: { users: [] } },
    'GET /api/v1/commands': { status: 200, body: { commands: [] } },
    ...routes,
  };
  const fetch: FetchLike = async (url, init) => {
    const u = new URL(url);
    calls.push(u);
    const route = all[`${init.method} ${u.pathname}`];
    const res = !route
      ? { status: 404, body: { error: { code: 'not_found', message: 'no route' } } }
      : typeof route === 'function'
        ? await route(u)
        : route;
    return {
      status: res.status,
      statusText: '',
      headers: { get: () => null },
      text: () => Promise.resolve(JSON.stringify(res.body)),
    };
  };
  /** The query of each call to `path`, as {before, limit}. */
  const pages = (path: string) =>
    calls
      .filter((u) => u.pathname === path)
      .map((u) => ({ before: u.searchParams.get('before'), limit: u.searchParams.get('limit') }));
  return { fetch, calls, pages };
}

/** A history endpoint over these stored messages, answering pages newest first as Sala does. */
export function pagesOf<M extends { id: number }>(stored: M[]): (url: URL) => FakeResponse {
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

export const failure = (status: number, code: string): FakeResponse => ({
  status,
  body: { error: { code, message: code } },
});

/** Lets every pending promise chain (fake fetches included) finish. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

/**
 * The real ApiClient over fakeFetch(routes) (at `apiBase`) and the real ChatClient over
 * FakeWebSocket, both on `clock`: what a ChatModel test starts from.
 */
export function fakeClients(
  routes: Record<string, FakeRoute>,
  clock: ManualClock,
  apiBase = 'http://chat.test',
) {
  const http = fakeFetch(routes);
  const api = new ApiClient({ baseUrl: apiBase, getToken: () => 'jwt', fetch: http.fetch });
  const client = new ChatClient({
    baseUrl: 'http://chat.test',
    getToken: () => 'jwt',
    WebSocket: FakeWebSocket,
    now: clock.now,
    timers: clock,
    random: () => 0.5,
  });
  return { http, api, client };
}
