import {
  ApiClient,
  ChatClient,
  type ChatClientOptions,
  type FetchLike,
  type ResponseLike,
  type ServerEnvelope,
  type Timers,
} from '@sala/sdk';

import { alice } from '@sala/sdk/testing';
import type { Services } from '@/lib/services';
import { type KeyValueStore, keys } from '@/lib/storage';

/**
 * A WebSocket double for the SDK's ChatClient: tests play the server by pushing envelopes
 * with receive() and read what the app sent in `sent`. Only the socket is fake; the
 * protocol client is the real one.
 */
export class FakeSocket {
  static instances: FakeSocket[] = [];
  /** The socket the client opened last. */
  static get last(): FakeSocket {
    const s = FakeSocket.instances[FakeSocket.instances.length - 1];
    if (!s) throw new Error('no socket opened');
    return s;
  }

  readyState = 0;
  onopen: ((ev: unknown) => unknown) | null = null;
  onmessage: ((ev: { data: unknown }) => unknown) | null = null;
  onclose: ((ev: { code?: number }) => unknown) | null = null;
  onerror: ((ev: unknown) => unknown) | null = null;
  readonly sent: { type: string; id?: string; text?: string; t0?: number }[] = [];

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: string) {
    this.sent.push(JSON.parse(data));
  }

  close() {
    this.readyState = 3;
  }

  /** The texts of every `send` envelope, in order. */
  get texts(): string[] {
    return this.sent.filter((e) => e.type === 'send').map((e) => e.text ?? '');
  }

  /** Server side: accept the upgrade. */
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Server side: one frame with these envelopes, separated by newlines. */
  receive(...envelopes: ServerEnvelope[]) {
    this.onmessage?.({ data: envelopes.map((e) => JSON.stringify(e)).join('\n') });
  }

  /** Server side: the connection drops or closes with `code`. */
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

/** Timers that never fire by themselves (pings, backoff): tests stay deterministic. */
export const idleTimers: Timers = {
  setTimeout: () => 0,
  clearTimeout: () => undefined,
};

/** One canned REST answer. */
export interface FakeResponse {
  status: number;
  body: unknown;
}

/** A canned answer, or one computed from the request's URL (e.g. its query). */
export type FakeRoute = FakeResponse | ((url: URL) => FakeResponse | Promise<FakeResponse>);

/**
 * A fetch double for the SDK's ApiClient: `routes` maps "METHOD /path" (no query) to an
 * answer; unknown routes answer 404. Calls are recorded, with their query.
 */
export function fakeFetch(routes: Record<string, FakeRoute>) {
  const calls: { method: string; path: string; query: URLSearchParams; body?: unknown }[] = [];
  const fetch: FetchLike = async (url, init) => {
    const parsed = new URL(url);
    const path = parsed.pathname;
    calls.push({
      method: init.method,
      path,
      query: parsed.searchParams,
      body: init.body ? JSON.parse(init.body) : undefined,
    });
    const route = routes[`${init.method} ${path}`];
    const answer =
      typeof route === 'function'
        ? await route(parsed)
        : (route ?? { status: 404, body: { error: { code: 'not_found', message: 'not found' } } });
    const res: ResponseLike = {
      status: answer.status,
      statusText: '',
      headers: { get: () => null },
      text: async () => JSON.stringify(answer.body),
    };
    return res;
  };
  return { fetch, calls };
}

export function memoryStorage(initial: Record<string, string> = {}): KeyValueStore & {
  data: Map<string, string>;
} {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: async (k) => data.get(k) ?? null,
    setItem: async (k, v) => void data.set(k, v),
    removeItem: async (k) => void data.delete(k),
  };
}

export const SERVER = 'http://sala.test:8080';

export { alice };

/** Storage holding a signed-in session of alice on SERVER. */
export function signedInStorage() {
  return memoryStorage({
    [keys.serverUrl]: SERVER,
    [keys.language]: 'en',
    [keys.session]: JSON.stringify({
      token: 'jwt-alice',
      expiresAt: Date.now() + 3_600_000,
      user: alice,
      serverUrl: SERVER,
    }),
  });
}

/** Storage with no session, pointing at SERVER. */
export function signedOutStorage() {
  return memoryStorage({ [keys.serverUrl]: SERVER, [keys.language]: 'en' });
}

/** Services over fake network edges: the SDK clients are real. */
export function fakeServices(storage: KeyValueStore, routes: Record<string, FakeRoute> = {}) {
  const http = fakeFetch(routes);
  const services: Services = {
    storage,
    createApi: (baseUrl, token) =>
      new ApiClient({ baseUrl, getToken: () => token, fetch: http.fetch }),
    createChatClient: (options: ChatClientOptions) =>
      new ChatClient({
        ...options,
        WebSocket: FakeSocket as unknown as ChatClientOptions['WebSocket'],
        timers: idleTimers,
      }),
  };
  return { services, http };
}

/** The welcome + joined a server sends first. */
export function handshake(socket: FakeSocket, room = 'general', history: ServerEnvelope[] = []) {
  socket.open();
  socket.receive(
    {
      type: 'welcome',
      server_time: Date.now(),
      user: alice,
      room,
      rooms: [{ name: 'general', members: 1, default: true }],
      unread: [],
      commands: [
        { command: '#cR', usage: '#cR <room>', description: 'create a room and move into it' },
        { command: '#gR', usage: '#gR <room>', description: 'move into a room' },
        { command: '#help', usage: '#help', description: 'list the commands' },
      ],
    },
    {
      type: 'joined',
      room,
      history: history as Extract<ServerEnvelope, { type: 'message' }>[],
      resumed: false,
      more: false,
    },
  );
}

/** A message of #general at a fixed time, with client id `c<id>`. */
export const message = (id: number, from: string, text: string) => ({
  type: 'message' as const,
  id,
  room: 'general',
  from,
  text,
  sent_at: Date.UTC(2026, 0, 1, 12, 0),
  client_id: `c${id}`,
});
