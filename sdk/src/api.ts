// ApiClient: a small fetch wrapper typed by the generated `paths` of openapi.yaml. It has one
// method per REST endpoint the apps use, and turns every error into an ApiError.
import type { paths } from './schema';
import {
  uploadFile,
  type UploadInput,
  type UploadProgress,
  type UploadTask,
  type XhrCtor,
} from './uploads';
import type {
  AuthResponse,
  ErrorResponse,
  FieldError,
  HelpItem,
  LoginRequest,
  MentionPage,
  MessageEnvelope,
  PrivateEnvelope,
  PrivateMessagePage,
  Profile,
  RoomInfo,
  RoomMessagePage,
  SearchPage,
  SignupRequest,
  UserInfo,
} from './types';

/** The part of a fetch Response the client reads; the global Response satisfies it. */
export interface ResponseLike {
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The part of fetch the client calls; the global fetch satisfies it. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<ResponseLike>;

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  /** Origin of the Sala server, e.g. `https://chat.example.org`; empty means same origin. */
  baseUrl?: string;
  /** The current JWT, or null when signed out. Called on every request. */
  getToken?: () => string | null | undefined;
  /** Defaults to the global fetch; injectable for tests. */
  fetch?: FetchLike;
  /** For uploads (fetch reports no upload progress); defaults to the global XMLHttpRequest. */
  XMLHttpRequest?: XhrCtor;
}

/** A page request of a history endpoint. */
export interface PageQuery {
  /** Only messages with an id lower than this (omit for the newest). */
  before?: number;
  /** Page size, 1–200 (the server's default is 50). */
  limit?: number;
  /** History only: the page around this message instead (not with `before`); says `has_newer`. */
  around?: number;
}

/**
 * Every failed REST call throws an ApiError, parsed from the one error body
 * `{"error": {"code", "message", "fields"}}`. `status` is 0 when the server could not be reached
 * (code `network_error`).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Each invalid input field and what is wrong with it (empty when none). */
    readonly fields: Readonly<Record<string, string>> = {},
    /** Seconds to wait, from `Retry-After` (429), when given. */
    readonly retryAfter?: number,
    /** Each invalid field's machine-readable error (`field_errors`), for words in any language. */
    readonly fieldErrors: Readonly<Record<string, FieldError>> = {},
  ) {
    super(message);
  }
}

type Method = 'get' | 'post';
type Op<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type SuccessCode = 200 | 201;
/** The JSON body of an operation's 200/201 responses. */
export type ResponseOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { responses: infer R }
    ? { [C in keyof R & SuccessCode]: JsonOf<R[C]> }[keyof R & SuccessCode]
    : never;
/** The JSON request body of an operation. */
export type BodyOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type QueryOf<P extends keyof paths, M extends Method> =
  Op<P, M> extends { parameters: { query?: infer Q } } ? Q : never;

interface RequestOptions<P extends keyof paths, M extends Method> {
  params?: Record<string, string>;
  query?: QueryOf<P, M>;
  body?: BodyOf<P, M>;
}

/**
 * A `checkAuth` for ChatClient (a browser can't see the 401 of a refused upgrade): true while
 * GET /me works with the token, false on 401; it rejects when it can't tell (offline, a 5xx),
 * and the client keeps retrying.
 */
export function tokenCheck(api: Pick<ApiClient, 'me'>): () => Promise<boolean> {
  return () =>
    api.me().then(
      () => true,
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return false;
        throw err;
      },
    );
}

/** Parses any error response (or a non-JSON one) into an ApiError. */
export function parseApiError(
  status: number,
  bodyText: string,
  retryAfter?: string | null,
): ApiError {
  const after = retryAfter != null && retryAfter !== '' ? Number(retryAfter) : undefined;
  const seconds = after !== undefined && Number.isFinite(after) ? after : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (isErrorResponse(parsed)) {
    const e = parsed.error;
    return new ApiError(status, e.code, e.message, e.fields ?? {}, seconds, e.field_errors ?? {});
  }
  const text = bodyText.trim();
  return new ApiError(
    status,
    `http_${status}`,
    text !== '' ? text.slice(0, 200) : `HTTP ${status}`,
    {},
    seconds,
  );
}

function isErrorResponse(v: unknown): v is ErrorResponse {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = (v as { error: unknown }).error;
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { code?: unknown }).code === 'string' &&
    typeof (e as { message?: unknown }).message === 'string'
  );
}

function defaultFetch(): FetchLike {
  const f = (globalThis as { fetch?: FetchLike }).fetch;
  if (!f) throw new Error('no global fetch: pass one in ApiClientOptions.fetch');
  return (url, init) => f(url, init);
}

/** The typed REST client of Sala's /api/v1. */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly getToken: () => string | null | undefined;
  private readonly fetchFn: FetchLike;
  private readonly xhr: XhrCtor | undefined;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? '').replace(/\/+$/, '');
    this.getToken = options.getToken ?? (() => null);
    this.fetchFn = options.fetch ?? defaultFetch();
    this.xhr = options.XMLHttpRequest;
  }

  /** POST /auth/signup: creates an account. Errors: validation_failed (fields), login_taken. */
  signup(body: SignupRequest): Promise<AuthResponse> {
    return this.request('post', '/api/v1/auth/signup', { body });
  }

  /** POST /auth/login. Errors: invalid_credentials (401), rate_limited (429). */
  login(body: LoginRequest): Promise<AuthResponse> {
    return this.request('post', '/api/v1/auth/login', { body });
  }

  /** GET /me: the caller's profile (401 when the token is no longer valid). */
  me(): Promise<Profile> {
    return this.request('get', '/api/v1/me', {});
  }

  /** GET /users: every registered user, online or not, ordered by login. */
  async users(): Promise<UserInfo[]> {
    return (await this.request('get', '/api/v1/users', {})).users;
  }

  /** GET /rooms: the live rooms, the default one first. */
  async rooms(): Promise<RoomInfo[]> {
    return (await this.request('get', '/api/v1/rooms', {})).rooms;
  }

  /** GET /rooms/{name}/messages: a page of a room's history, newest first. */
  roomHistory(name: string, page: PageQuery = {}): Promise<RoomMessagePage> {
    return this.request('get', '/api/v1/rooms/{name}/messages', { params: { name }, query: page });
  }

  /** POST /rooms/{name}/messages: posts as the caller; `clientId` makes retries idempotent. */
  postRoomMessage(name: string, text: string, clientId?: string): Promise<MessageEnvelope> {
    return this.request('post', '/api/v1/rooms/{name}/messages', {
      params: { name },
      body: clientId === undefined ? { text } : { text, client_id: clientId },
    });
  }

  /** GET /dm/{login}/messages: a page of the private conversation with login, newest first. */
  dmHistory(login: string, page: PageQuery = {}): Promise<PrivateMessagePage> {
    return this.request('get', '/api/v1/dm/{login}/messages', { params: { login }, query: page });
  }

  /** POST /dm/{login}/messages: a private message to login. Errors: user_not_found (404). */
  postPrivateMessage(login: string, text: string, clientId?: string): Promise<PrivateEnvelope> {
    return this.request('post', '/api/v1/dm/{login}/messages', {
      params: { login },
      body: clientId === undefined ? { text } : { text, client_id: clientId },
    });
  }

  /** GET /mentions: messages that mention the caller, newest first. */
  mentions(page: PageQuery = {}): Promise<MentionPage> {
    return this.request('get', '/api/v1/mentions', { query: page });
  }

  /** GET /search: messages the caller may read holding every word of `q`, newest first. */
  search(q: string, page: Omit<PageQuery, 'around'> = {}): Promise<SearchPage> {
    return this.request('get', '/api/v1/search', { query: { q, ...page } });
  }

  /** GET /time: the server clock, Unix milliseconds. */
  async time(): Promise<number> {
    return (await this.request('get', '/api/v1/time', {})).server_time;
  }

  /** GET /commands: the `#` commands, in help order. */
  async commands(): Promise<HelpItem[]> {
    return (await this.request('get', '/api/v1/commands', {})).commands;
  }

  /**
   * POST /uploads: stores one file for `attachments` on a send, reporting progress; cancel()
   * aborts it. Errors: payload_too_large (413), `cancelled` after cancel(), network_error (0).
   */
  upload = (file: UploadInput, onProgress?: (p: UploadProgress) => void): UploadTask =>
    uploadFile(file, {
      baseUrl: this.baseUrl,
      token: this.getToken(),
      onProgress,
      XMLHttpRequest: this.xhr,
    });

  /** Sends one request to a path of the spec and returns its typed JSON body. */
  async request<P extends keyof paths, M extends Method>(
    method: M,
    path: P,
    options: RequestOptions<P, M>,
  ): Promise<ResponseOf<P, M>> {
    const url = this.baseUrl + fillPath(path, options.params) + queryString(options.query);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init: { method: string; headers: Record<string, string>; body?: string } = {
      method: method.toUpperCase(),
      headers,
    };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    let res: ResponseLike;
    try {
      res = await this.fetchFn(url, init);
    } catch (e) {
      throw new ApiError(0, 'network_error', e instanceof Error ? e.message : 'network error');
    }
    const text = await res.text();
    if (res.status < 200 || res.status > 299) {
      throw parseApiError(res.status, text, res.headers.get('Retry-After'));
    }
    try {
      return JSON.parse(text) as ResponseOf<P, M>;
    } catch {
      throw new ApiError(res.status, 'invalid_response', 'the server answered with invalid JSON');
    }
  }
}

function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(v);
  });
}

function queryString(query: unknown): string {
  if (query === undefined || query === null) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    if (v === undefined || v === null) continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
