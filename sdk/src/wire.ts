// Wire-level helpers of the WebSocket protocol: URLs, frames and close codes.
import type { ServerEnvelope } from './types';

/** Close codes after which the client stops (docs/protocol.md, "Limits and close codes"). */
export const TERMINAL_CLOSE_CODES: readonly number[] = [1000, 1008, 1009];
/** The close code of an expired token: log in again. */
export const CLOSE_TOKEN_EXPIRED = 4001;

/** WebSocket readyState values. */
export const CONNECTING = 0;
export const OPEN = 1;

/** Whether a close code means "stop" rather than "reconnect with backoff". */
export function isTerminalClose(code: number): boolean {
  return TERMINAL_CLOSE_CODES.includes(code) || code === CLOSE_TOKEN_EXPIRED;
}

/** The WebSocket URL of a server origin: http→ws, https→wss, path /api/v1/ws. */
export function wsUrl(baseUrl: string, query: Record<string, string | number | undefined>): string {
  let base = baseUrl.replace(/\/+$/, '');
  if (base === '') {
    const loc = (globalThis as { location?: { origin?: string } }).location;
    base = loc?.origin ?? '';
  }
  base = base.replace(/^http(s?):\/\//i, (_, s: string) => `ws${s}://`);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return `${base}/api/v1/ws${parts.length ? `?${parts.join('&')}` : ''}`;
}

/** Splits a frame on `\n` and parses each envelope; lines that aren't envelopes are skipped. */
export function parseFrame(data: string): ServerEnvelope[] {
  const out: ServerEnvelope[] = [];
  for (const line of data.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v: unknown = JSON.parse(line);
      if (
        typeof v === 'object' &&
        v !== null &&
        typeof (v as { type?: unknown }).type === 'string'
      ) {
        out.push(v as ServerEnvelope);
      }
    } catch {
      // not JSON: skip this line, keep the others
    }
  }
  return out;
}
