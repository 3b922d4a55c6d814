import { Platform } from 'react-native';

/**
 * The app's configuration, validated in one place. The only build-time input is
 * EXPO_PUBLIC_SALA_SERVER_URL (optional); everything else is chosen in the settings screen.
 */

/** Where `make run` serves Sala on the developer's machine. */
export const LOCAL_SERVER_URL = 'http://localhost:8080';

/**
 * Returns the URL as `scheme://host[:port][/path]` without a trailing slash, or null when it is
 * not an http(s) URL. A bare host such as `192.168.1.20:8080` gets `http://`.
 */
export function normalizeServerUrl(input: string): string | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

function envServerUrl(): string | null {
  const raw = process.env.EXPO_PUBLIC_SALA_SERVER_URL;
  if (!raw) return null;
  const url = normalizeServerUrl(raw);
  if (!url) throw new Error(`EXPO_PUBLIC_SALA_SERVER_URL is not an http(s) URL: ${raw}`);
  return url;
}

/**
 * The server the app talks to until the user picks another: the build-time setting, else on
 * web the page's own origin (the server that served the app), else localhost.
 */
export function defaultServerUrl(): string {
  const fromEnv = envServerUrl();
  if (fromEnv) return fromEnv;
  if (Platform.OS === 'web' && typeof window !== 'undefined' && window.location?.origin) {
    const origin = normalizeServerUrl(window.location.origin);
    if (origin) return origin;
  }
  return LOCAL_SERVER_URL;
}
