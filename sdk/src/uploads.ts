// Uploads (docs/protocol.md, "Uploads"): POST /api/v1/uploads with progress and cancel, over
// XMLHttpRequest because fetch reports no upload progress; browsers and React Native both have
// it. A file goes as the multipart field `file`, with the bearer token.
import { ApiError, parseApiError } from './api';
import type { Upload } from './types';

/** The part of XMLHttpRequest an upload uses; the global one (browser, React Native) satisfies it. */
export interface XhrLike {
  readonly status: number;
  readonly responseText: string;
  readonly upload: {
    onprogress:
      ((ev: { loaded: number; total: number; lengthComputable: boolean }) => unknown) | null;
  };
  onload: ((ev: never) => unknown) | null;
  onerror: ((ev: never) => unknown) | null;
  onabort: ((ev: never) => unknown) | null;
  ontimeout: ((ev: never) => unknown) | null;
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  getResponseHeader(name: string): string | null;
  send(body: unknown): void;
  abort(): void;
}

/** An XMLHttpRequest constructor (the global one, or jsdom's in tests). */
export type XhrCtor = new () => XhrLike;

/** The part of FormData an upload uses. */
export interface FormDataLike {
  append(name: string, value: never, fileName?: string): void;
}

/** A FormData constructor (the global one by default). */
export type FormDataCtor = new () => FormDataLike;

/**
 * A file to upload. `data` is what this platform's FormData takes for a file: a Blob or File in
 * a browser, `{uri, name, type}` in React Native.
 */
export interface UploadInput {
  name: string;
  /** Bytes, for progress before the first event and for a size check before sending. */
  size: number;
  /** The type the picker says; the server decides the stored type from the bytes anyway. */
  type?: string;
  data: unknown;
}

/** How far an upload is: bytes sent of `total`. */
export interface UploadProgress {
  loaded: number;
  total: number;
}

/** A running upload: its result, and a way to call it off. */
export interface UploadTask {
  /** The stored upload; rejects with an ApiError (`cancelled` after cancel()). */
  readonly done: Promise<Upload>;
  /** Aborts the request; `done` rejects with code `cancelled`. Nothing happens once settled. */
  cancel(): void;
}

/** What an upload needs besides the file. */
export interface UploadOptions {
  /** Origin of the Sala server; empty means same origin. */
  baseUrl?: string;
  token?: string | null;
  onProgress?: (p: UploadProgress) => void;
  /** Defaults to the global XMLHttpRequest. */
  XMLHttpRequest?: XhrCtor;
  /** Defaults to the global FormData. */
  FormData?: FormDataCtor;
}

/** The error code of an upload called off by the user (never sent by the server). */
export const UPLOAD_CANCELLED = 'cancelled';

/** POST /api/v1/uploads: sends one file, reporting progress; see {@link UploadTask}. */
export function uploadFile(file: UploadInput, options: UploadOptions = {}): UploadTask {
  const Xhr = options.XMLHttpRequest ?? globalCtor<XhrCtor>('XMLHttpRequest');
  const Form = options.FormData ?? globalCtor<FormDataCtor>('FormData');
  const xhr = new Xhr();
  let settled = false;
  let cancel = (): void => undefined;
  const done = new Promise<Upload>((resolve, reject) => {
    const fail = (e: ApiError) => {
      if (settled) return;
      settled = true;
      reject(e);
    };
    cancel = () => {
      if (settled) return;
      xhr.abort();
      fail(new ApiError(0, UPLOAD_CANCELLED, 'the upload was cancelled'));
    };
    xhr.upload.onprogress = (ev) => {
      if (settled) return;
      const total = ev.lengthComputable && ev.total > 0 ? ev.total : file.size;
      options.onProgress?.({ loaded: Math.min(ev.loaded, total), total });
    };
    xhr.onload = () => {
      if (settled) return;
      const text = xhr.responseText;
      if (xhr.status < 200 || xhr.status > 299) {
        fail(parseApiError(xhr.status, text, xhr.getResponseHeader('Retry-After')));
        return;
      }
      let body: Upload;
      try {
        body = JSON.parse(text) as Upload;
      } catch {
        fail(new ApiError(xhr.status, 'invalid_response', 'the server answered with invalid JSON'));
        return;
      }
      settled = true;
      options.onProgress?.({ loaded: file.size, total: file.size });
      resolve(body);
    };
    const network = () =>
      fail(new ApiError(0, 'network_error', 'the upload did not reach the server'));
    xhr.onerror = network;
    xhr.ontimeout = network;
    xhr.onabort = () => fail(new ApiError(0, UPLOAD_CANCELLED, 'the upload was cancelled'));
    const base = (options.baseUrl ?? '').replace(/\/+$/, '');
    xhr.open('POST', `${base}/api/v1/uploads`);
    xhr.setRequestHeader('Accept', 'application/json');
    if (options.token) xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    const form = new Form();
    form.append('file', file.data as never, file.name);
    options.onProgress?.({ loaded: 0, total: file.size });
    xhr.send(form);
  });
  return { done, cancel: () => cancel() };
}

function globalCtor<T>(name: string): T {
  const c = (globalThis as Record<string, unknown>)[name];
  if (typeof c !== 'function') throw new Error(`no global ${name}: pass one in UploadOptions`);
  return c as T;
}
