// Test doubles for the network under the SDK: a WebSocket with the browser API that the test
// plays the server through, and a fetch that answers from a route table.
import { alice } from '@sala/sdk/testing';
import { ApiClient, ChatClient, type FetchLike, type ServerEnvelope } from '@sala/sdk';
import type { SalaServices } from '../../src/services/sala';

export class FakeWebSocket {
  static all: FakeWebSocket[] = [];
  static last(): FakeWebSocket {
    const ws = FakeWebSocket.all.at(-1);
    if (!ws) throw new Error('no socket');
    return ws;
  }

  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(): void {
    this.readyState = 3;
  }

  /** Texts of the `send` envelopes, in order. */
  sentTexts(): string[] {
    return this.sent.filter((e) => e.type === 'send').map((e) => e.text as string);
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(...envs: Array<ServerEnvelope>): void {
    this.onmessage?.({ data: envs.map((e) => JSON.stringify(e)).join('\n') });
  }

  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

export type Route = (url: URL, body: unknown) => { status: number; body: unknown };

/** A fetch that answers `METHOD /path` from `routes`, and records every call. */
export function fakeFetch(routes: Record<string, Route>) {
  const calls: Array<{ method: string; url: URL; body: unknown; auth: string | undefined }> = [];
  const fetch: FetchLike = (url, init) => {
    const u = new URL(url, 'http://sala.test');
    const body: unknown = init.body ? JSON.parse(init.body) : undefined;
    calls.push({ method: init.method, url: u, body, auth: init.headers.Authorization });
    const route = routes[`${init.method} ${u.pathname}`];
    const res = route
      ? route(u, body)
      : { status: 404, body: { error: { code: 'not_found', message: 'no route' } } };
    return Promise.resolve({
      status: res.status,
      statusText: '',
      headers: { get: () => null },
      text: () => Promise.resolve(JSON.stringify(res.body)),
    });
  };
  return { fetch, calls };
}

export { alice };

export const commands = [
  { command: '#cR', usage: '#cR <room>', description: 'create a room' },
  { command: '#gR', usage: '#gR <room>', description: 'move into an existing room' },
  { command: '#eR', usage: '#eR', description: 'go back to the default room' },
  { command: '#help', usage: '#help', description: 'list the commands' },
];

export function welcome(): ServerEnvelope {
  return {
    type: 'welcome',
    server_time: Date.now(),
    user: alice,
    room: 'general',
    rooms: [
      { name: 'general', members: 2, default: true },
      { name: 'books', owner: 'alice', members: 1, default: false },
    ],
    unread: [],
    commands,
  };
}

export function msg(id: number, text = `m${id}`, from = 'bob', room = 'general', clientId = '') {
  return {
    type: 'message' as const,
    id,
    room,
    from,
    text,
    sent_at: 1_700_000_000_000 + id,
    client_id: clientId,
  };
}

export function priv(id: number, from: string, to: string, text = `p${id}`) {
  return {
    type: 'private' as const,
    id,
    from,
    to,
    text,
    sent_at: 1_700_000_000_000 + id,
    client_id: '',
  };
}

/** Services whose ChatClient uses FakeWebSocket and whose ApiClient uses `fetch`. */
export function fakeServices(fetch: FetchLike): SalaServices {
  return {
    api: (getToken) => new ApiClient({ baseUrl: 'http://sala.test', getToken, fetch }),
    chat: (getToken, _api, room) =>
      new ChatClient({
        baseUrl: 'http://sala.test',
        getToken,
        room,
        WebSocket: FakeWebSocket,
        random: () => 0.5,
      }),
  };
}

/** Default REST answers: users, commands, empty histories. */
export function defaultRoutes(extra: Record<string, Route> = {}): Record<string, Route> {
  return {
    'GET /api/v1/users': () => ({
      status: 200,
      body: {
        users: [
          {
            login: 'alice',
            first_name: 'Alice',
            last_name: 'Liddell',
            online: true,
            room: 'general',
          },
          { login: 'bob', first_name: 'Bob', last_name: 'Builder', online: true, room: 'general' },
          { login: 'carol', first_name: 'Carol', last_name: 'D', online: false },
        ],
      },
    }),
    'GET /api/v1/commands': () => ({ status: 200, body: { commands } }),
    'GET /api/v1/me': () => ({ status: 200, body: alice }),
    ...extra,
  };
}

/** Lets pending promises (fetch answers) settle. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}
