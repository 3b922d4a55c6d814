import { ApiError } from '@sala/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { setSalaServices } from '../../src/services/sala';
import { useSessionStore } from '../../src/stores/session';
import { alice, defaultRoutes, fakeFetch, fakeServices } from './fakes';
import { freshPinia } from './render';

const auth = { token: 'jwt-1', expires_at: Date.now() + 3_600_000, user: alice };

beforeEach(() => {
  localStorage.clear();
  freshPinia();
});

function withRoutes(routes: Parameters<typeof fakeFetch>[0]) {
  const f = fakeFetch(defaultRoutes(routes));
  setSalaServices(fakeServices(f.fetch));
  return f;
}

describe('session store', () => {
  it('logs in, keeps the token in localStorage and sends it as a bearer token', async () => {
    const f = withRoutes({ 'POST /api/v1/auth/login': () => ({ status: 200, body: auth }) });
    const session = useSessionStore();
    await session.login({ login: 'alice', password: 'secret-pw' });
    expect(session.isAuthenticated).toBe(true);
    expect(localStorage.getItem('sala.token')).toBe('jwt-1');
    await session.api.me();
    expect(f.calls.at(-1)!.auth).toBe('Bearer jwt-1');
  });

  it('restores the session after a reload', () => {
    localStorage.setItem('sala.token', 'jwt-1');
    localStorage.setItem('sala.expires_at', String(auth.expires_at));
    localStorage.setItem('sala.user', JSON.stringify(alice));
    withRoutes({});
    const session = useSessionStore();
    expect(session.isAuthenticated).toBe(true);
    expect(session.user?.login).toBe('alice');
  });

  it('drops an expired stored session', () => {
    localStorage.setItem('sala.token', 'jwt-1');
    localStorage.setItem('sala.expires_at', String(Date.now() - 1));
    localStorage.setItem('sala.user', JSON.stringify(alice));
    withRoutes({});
    expect(useSessionStore().isAuthenticated).toBe(false);
    expect(localStorage.getItem('sala.token')).toBeNull();
  });

  it('logs out when the server refuses the stored token', async () => {
    localStorage.setItem('sala.token', 'old');
    localStorage.setItem('sala.user', JSON.stringify(alice));
    withRoutes({
      'GET /api/v1/me': () => ({
        status: 401,
        body: { error: { code: 'unauthorized', message: 'token expired' } },
      }),
    });
    const session = useSessionStore();
    await session.refresh();
    expect(session.isAuthenticated).toBe(false);
    expect(session.endReason).toBe('auth.sessionExpired');
    expect(localStorage.getItem('sala.token')).toBeNull();
  });

  it('passes the server field errors of a failed signup', async () => {
    withRoutes({
      'POST /api/v1/auth/signup': () => ({
        status: 422,
        body: {
          error: {
            code: 'validation_failed',
            message: 'some fields are invalid',
            fields: { age: 'must be at least 13' },
          },
        },
      }),
    });
    const err = await useSessionStore()
      .signup({
        first_name: 'A',
        last_name: 'B',
        login: 'ab',
        password: 'long enough',
        age: 9,
        gender: 'other',
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).fields).toEqual({ age: 'must be at least 13' });
  });

  it('logs out and forgets everything', async () => {
    withRoutes({ 'POST /api/v1/auth/login': () => ({ status: 200, body: auth }) });
    const session = useSessionStore();
    await session.login({ login: 'alice', password: 'secret-pw' });
    session.logout();
    expect(session.isAuthenticated).toBe(false);
    expect(localStorage.length).toBe(0);
  });
});
