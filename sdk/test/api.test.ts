import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, parseApiError, tokenCheck, type FetchLike } from '../src';

function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Array<{ url: string; init: Parameters<FetchLike>[1] }> = [];
  const fetch: FetchLike = (url, init) => {
    calls.push({ url, init });
    return Promise.resolve({
      status,
      statusText: '',
      headers: { get: (n: string) => headers[n] ?? null },
      text: () => Promise.resolve(typeof body === 'string' ? body : JSON.stringify(body)),
    });
  };
  return { fetch, calls };
}

const page = { messages: [], has_more: false };

describe('ApiError', () => {
  it('parses the one error shape with its fields', () => {
    const e = parseApiError(
      422,
      JSON.stringify({
        error: {
          code: 'validation_failed',
          message: 'bad',
          fields: { age: 'must be at least 13' },
        },
      }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({
      status: 422,
      code: 'validation_failed',
      message: 'bad',
      fields: { age: 'must be at least 13' },
    });
  });

  it('falls back for a body that is not the error shape', () => {
    expect(parseApiError(502, '<html>Bad gateway</html>')).toMatchObject({
      status: 502,
      code: 'http_502',
      fields: {},
    });
    expect(parseApiError(500, '')).toMatchObject({ code: 'http_500', message: 'HTTP 500' });
  });

  it('reads Retry-After', () => {
    const body = JSON.stringify({ error: { code: 'rate_limited', message: 'slow' } });
    expect(parseApiError(429, body, '7').retryAfter).toBe(7);
  });
});

describe('ApiClient', () => {
  it('posts JSON without a token for signup and returns the typed body', async () => {
    const auth = { token: 't', expires_at: 1, user: { login: 'ada' } };
    const { fetch, calls } = fakeFetch(201, auth);
    const api = new ApiClient({ baseUrl: 'http://h/', fetch });
    const res = await api.signup({
      first_name: 'Ada',
      last_name: 'L',
      login: 'ada',
      password: 'long enough',
      age: 36,
      gender: 'female',
    });
    expect(res.token).toBe('t');
    expect(calls[0]!.url).toBe('http://h/api/v1/auth/signup');
    expect(calls[0]!.init.method).toBe('POST');
    expect(calls[0]!.init.headers['Content-Type']).toBe('application/json');
    expect(calls[0]!.init.headers.Authorization).toBeUndefined();
    expect(JSON.parse(calls[0]!.init.body!)).toMatchObject({ login: 'ada', age: 36 });
  });

  it('sends the bearer token, encodes path params and the page query', async () => {
    const { fetch, calls } = fakeFetch(200, page);
    const api = new ApiClient({ fetch, getToken: () => 'jwt' });
    await api.roomHistory('my room', { before: 40, limit: 20 });
    await api.dmHistory('bob', {});
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/rooms/my%20room/messages?before=40&limit=20',
      '/api/v1/dm/bob/messages',
    ]);
    expect(calls[0]!.init.headers.Authorization).toBe('Bearer jwt');
  });

  it('unwraps list endpoints', async () => {
    const api = (body: unknown) => new ApiClient({ fetch: fakeFetch(200, body).fetch });
    expect(await api({ users: [{ login: 'a' }] }).users()).toEqual([{ login: 'a' }]);
    expect(await api({ rooms: [] }).rooms()).toEqual([]);
    expect(await api({ commands: [] }).commands()).toEqual([]);
    expect(await api({ server_time: 5 }).time()).toBe(5);
  });

  it('posts messages with an optional client id', async () => {
    const { fetch, calls } = fakeFetch(201, {});
    const api = new ApiClient({ fetch });
    await api.postRoomMessage('general', 'hola', 'c1');
    await api.postPrivateMessage('bob', 'hi');
    expect(calls.map((c) => JSON.parse(c.init.body!))).toEqual([
      { text: 'hola', client_id: 'c1' },
      { text: 'hi' },
    ]);
  });

  it('throws ApiError for error statuses', async () => {
    const body = { error: { code: 'invalid_credentials', message: 'wrong login or password' } };
    const api = new ApiClient({ fetch: fakeFetch(401, body).fetch });
    await expect(api.login({ login: 'a', password: 'b' })).rejects.toMatchObject({
      name: 'ApiError',
      status: 401,
      code: 'invalid_credentials',
    });
  });

  it('throws network_error when the server is unreachable', async () => {
    const api = new ApiClient({
      fetch: vi.fn(() => Promise.reject(new TypeError('fetch failed'))),
    });
    await expect(api.me()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});

describe('tokenCheck', () => {
  const check = (status: number) =>
    tokenCheck(
      new ApiClient({
        baseUrl: 'http://h',
        getToken: () => 't',
        fetch: fakeFetch(status, status === 200 ? {} : { error: { code: 'x', message: 'x' } })
          .fetch,
      }),
    )();

  it('says whether the token still works, and rejects when it cannot tell', async () => {
    await expect(check(200)).resolves.toBe(true);
    await expect(check(401)).resolves.toBe(false);
    await expect(check(503)).rejects.toBeInstanceOf(ApiError);
  });
});
