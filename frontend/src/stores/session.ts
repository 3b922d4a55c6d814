// The signed-in session: token and profile, kept in localStorage so a reload stays signed in.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { ApiError, type LoginRequest, type Profile, type SignupRequest } from '@sala/sdk';
import { config } from '../config';
import { salaServices } from '../services/sala';

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage unavailable: the session lasts for this page only
  }
}

function readUser(): Profile | null {
  const raw = read(config.storage.user);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Profile;
  } catch {
    return null;
  }
}

export const useSessionStore = defineStore('session', () => {
  const token = ref<string | null>(read(config.storage.token));
  const expiresAt = ref<number>(Number(read(config.storage.expiresAt) ?? 0));
  const user = ref<Profile | null>(readUser());
  /** Why the last session ended, shown on the login page (an i18n key). */
  const endReason = ref<string | null>(null);

  if (token.value && expiresAt.value && expiresAt.value <= Date.now()) clear();

  const api = shallowRef(salaServices().api(() => token.value));
  const isAuthenticated = computed(() => token.value !== null && user.value !== null);

  function save(res: { token: string; expires_at: number; user: Profile }): void {
    token.value = res.token;
    expiresAt.value = res.expires_at;
    user.value = res.user;
    endReason.value = null;
    write(config.storage.token, res.token);
    write(config.storage.expiresAt, String(res.expires_at));
    write(config.storage.user, JSON.stringify(res.user));
  }

  function clear(): void {
    token.value = null;
    expiresAt.value = 0;
    user.value = null;
    write(config.storage.token, null);
    write(config.storage.expiresAt, null);
    write(config.storage.user, null);
  }

  /** Logs in; throws ApiError (invalid_credentials, rate_limited, …). */
  async function login(body: LoginRequest): Promise<void> {
    save(await api.value.login(body));
  }

  /** Creates the account and signs in; throws ApiError with `fields` on invalid input. */
  async function signup(body: SignupRequest): Promise<void> {
    save(await api.value.signup(body));
  }

  /** Ends the session locally; `reason` is an i18n key shown on the login page. */
  function logout(reason: string | null = null): void {
    clear();
    endReason.value = reason;
  }

  /** Checks a restored token with GET /me; logs out when the server refuses it. */
  async function refresh(): Promise<void> {
    if (!token.value) return;
    try {
      const me = await api.value.me();
      user.value = me;
      write(config.storage.user, JSON.stringify(me));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) logout('auth.sessionExpired');
    }
  }

  return {
    token,
    expiresAt,
    user,
    endReason,
    api,
    isAuthenticated,
    login,
    signup,
    logout,
    refresh,
  };
});
