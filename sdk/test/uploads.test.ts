// @vitest-environment jsdom
// Uploads over a real XMLHttpRequest (jsdom's, which speaks real HTTP) to a real HTTP server on
// 127.0.0.1 that plays POST /api/v1/uploads: success, the server's refusals, a dropped
// connection, and cancel mid-body; then the model's composer files over the real ApiClient.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  ChatModel,
  UPLOAD_CANCELLED,
  attachmentsIn,
  attachmentStatus,
  uploadFile,
  type PendingAttachment,
  type Upload,
  type UploadInput,
  type MessageEnvelope,
  type UploadProgress,
} from '../src';
import { fakeClients, FakeWebSocket, ManualClock, msg, welcome, type FakeRoute } from './fakes';

/** What the server saw of one request. */
interface Seen {
  auth: string | undefined;
  contentType: string | undefined;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void;

let server: http.Server;
let base = '';
let handler: Handler;
const seen: Seen[] = [];
/** Resolvers of the requests the next test waits for, called once a body starts arriving. */
let started: Array<() => void> = [];
let closed: Array<() => void> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Accept');
    if (req.method === 'OPTIONS') {
      res.end();
      return;
    }
    const s: Seen = {
      auth: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: '',
    };
    seen.push(s);
    req.once('data', () => started.splice(0).forEach((f) => f()));
    req.on('close', () => closed.splice(0).forEach((f) => f()));
    handler(req, res, s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  seen.length = 0;
  started = [];
  closed = [];
});

/** Reads the whole body, then answers `status` with `body` as JSON. */
function answer(status: number, body: unknown): Handler {
  return (req, res, s) => {
    req.setEncoding('latin1');
    req.on('data', (c: string) => (s.body += c));
    req.on('end', () => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  };
}

const stored: Upload = {
  id: 'k3J9xQm2VbT0aLw7Yp5RzA',
  name: 'shot.png',
  size: 2048,
  content_type: 'image/png',
  url: '/api/v1/files/k3J9xQm2VbT0aLw7Yp5RzA?exp=1&sig=x',
  width: 640,
  height: 480,
};

function pngFile(size = 2048, name = 'shot.png'): UploadInput {
  const bytes = new Uint8Array(size);
  bytes.set([0x89, 0x50, 0x4e, 0x47]);
  return { name, size, type: 'image/png', data: new File([bytes], name, { type: 'image/png' }) };
}

describe('uploadFile', () => {
  it('posts the file as multipart `file` with the token and resolves with the upload', async () => {
    handler = answer(201, stored);
    const progress: UploadProgress[] = [];
    const task = uploadFile(pngFile(), {
      baseUrl: `${base}/`,
      token: 'jwt',
      onProgress: (p) => progress.push(p),
    });
    await expect(task.done).resolves.toEqual(stored);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.auth).toBe('Bearer jwt');
    expect(seen[0]!.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]!.body).toContain('name="file"; filename="shot.png"');
    expect(seen[0]!.body).toContain('\x89PNG');
    expect(progress[0]).toEqual({ loaded: 0, total: 2048 });
    expect(progress.at(-1)).toEqual({ loaded: 2048, total: 2048 });
  });

  it("rejects with the server's error (413 payload_too_large)", async () => {
    handler = answer(413, {
      error: { code: 'payload_too_large', message: 'files are at most 10485760 bytes' },
    });
    const task = uploadFile(pngFile(), { baseUrl: base, token: 'jwt' });
    await expect(task.done).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('rejects with network_error when the connection drops', async () => {
    handler = (req) => req.socket.destroy();
    const task = uploadFile(pngFile(), { baseUrl: base, token: 'jwt' });
    const err = await task.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('cancel() aborts the request mid-body and rejects with `cancelled`', async () => {
    handler = () => undefined; // never answers: only the abort ends the request
    const bodyStarted = new Promise<void>((resolve) => started.push(resolve));
    const requestClosed = new Promise<void>((resolve) => closed.push(resolve));
    const task = uploadFile(pngFile(4 * 1024 * 1024), { baseUrl: base, token: 'jwt' });
    await bodyStarted;
    task.cancel();
    await expect(task.done).rejects.toMatchObject({ code: UPLOAD_CANCELLED });
    await requestClosed; // the server saw the connection go
    task.cancel(); // a second cancel changes nothing
  });
});

describe('ChatModel attachments', () => {
  let clock: ManualClock;

  function setup(routes: Record<string, FakeRoute> = {}, history: MessageEnvelope[] = []) {
    FakeWebSocket.reset();
    clock = new ManualClock();
    const { http: requests, api, client } = fakeClients(routes, clock, base);
    const model = new ChatModel({ client, api, me: 'alice', timers: clock, now: clock.now });
    model.start();
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history,
      resumed: false,
      more: false,
    });
    return { model, ws, http: requests };
  }

  /** Resolves once the model's file `key` reaches `state`. */
  function reaches(model: ChatModel, key: string, state: PendingAttachment['state']) {
    return new Promise<PendingAttachment>((resolve) => {
      const check = () => {
        const a = model.getState().attachments.find((x) => x.key === key);
        if (a?.state === state) {
          off();
          resolve(a);
        }
      };
      const off = model.subscribe(check);
      check();
    });
  }

  it('uploads, then sends the upload ids with the text and empties the composer', async () => {
    handler = answer(201, stored);
    const { model, ws } = setup();
    const key = model.attach(pngFile());
    expect(attachmentsIn(model.getState())).toMatchObject([
      { key, where: 'room', name: 'shot.png', state: 'uploading', total: 2048 },
    ]);
    expect(model.send('look')).toBe(''); // still uploading: nothing goes
    const done = await reaches(model, key, 'done');
    expect(done.upload).toEqual(stored);
    expect(attachmentStatus(done, 'en')).toBe('Ready');
    expect(model.send('look')).not.toBe('');
    expect(ws.envelopes.at(-1)).toMatchObject({
      type: 'send',
      text: 'look',
      attachments: [stored.id],
    });
    expect(model.getState().attachments).toEqual([]);
  });

  it('sends files alone, in a private thread as `#private login` with no text', async () => {
    handler = answer(201, stored);
    const { model, ws } = setup();
    model.openPrivate('bob');
    const key = model.attach(pngFile());
    expect(model.getState().attachments[0]!.where).toBe('@bob');
    expect(attachmentsIn(model.getState(), { kind: 'room' })).toEqual([]);
    await reaches(model, key, 'done');
    expect(model.send('  ')).not.toBe('');
    expect(ws.envelopes.at(-1)).toMatchObject({
      type: 'send',
      text: '#private bob',
      attachments: [stored.id],
    });
    // sendPrivate (a thread screen's send) takes that thread's files too.
    const second = model.attach(pngFile());
    await reaches(model, second, 'done');
    expect(model.sendPrivate('bob', 'and this')).not.toBe('');
    expect(ws.envelopes.at(-1)).toMatchObject({
      text: '#private bob and this',
      attachments: [stored.id],
    });
    expect(model.getState().attachments).toEqual([]);
    expect(model.sendPrivate('bob', ' ')).toBe(''); // nothing to send
  });

  it('a failed upload blocks sending until retried or removed', async () => {
    handler = answer(413, { error: { code: 'payload_too_large', message: 'too big' } });
    const { model, ws } = setup();
    const key = model.attach(pngFile());
    const failed = await reaches(model, key, 'failed');
    expect(failed.error).toEqual({ code: 'payload_too_large', message: 'too big' });
    expect(attachmentStatus(failed, 'es')).toBe('Error: el archivo es demasiado grande.');
    expect(model.send('look')).toBe('');
    handler = answer(201, stored);
    model.retryAttachment(key);
    await reaches(model, key, 'done');
    model.removeAttachment(key);
    expect(model.send('look')).not.toBe('');
    expect(ws.envelopes.at(-1)).not.toHaveProperty('attachments');
  });

  it('cancel leaves the file listed as cancelled, and a send goes without it', async () => {
    handler = () => undefined;
    const { model, ws } = setup();
    const bodyStarted = new Promise<void>((resolve) => started.push(resolve));
    const key = model.attach(pngFile(4 * 1024 * 1024));
    await bodyStarted;
    model.cancelAttachment(key);
    const cancelled = await reaches(model, key, 'cancelled');
    expect(attachmentStatus(cancelled, 'en')).toBe('Cancelled');
    expect(model.send('just text')).not.toBe('');
    expect(ws.envelopes.at(-1)).not.toHaveProperty('attachments');
    expect(model.getState().attachments).toEqual([]);
  });

  it('removing a file while it uploads aborts the request', async () => {
    handler = () => undefined;
    const { model } = setup();
    const bodyStarted = new Promise<void>((resolve) => started.push(resolve));
    const requestClosed = new Promise<void>((resolve) => closed.push(resolve));
    const key = model.attach(pngFile(4 * 1024 * 1024));
    await bodyStarted;
    model.removeAttachment(key);
    expect(model.getState().attachments).toEqual([]);
    await requestClosed;
  });

  it('holds at most 10 files per composer', () => {
    handler = () => undefined;
    const { model } = setup();
    const keys = Array.from({ length: 11 }, () => model.attach(pngFile(10)));
    expect(keys.slice(0, 10).every((k) => k !== '')).toBe(true);
    expect(keys[10]).toBe('');
    model.stop(); // cancels the ten uploads
  });

  it('a file that fails to load fetches its message again, with fresh links, once in a while', async () => {
    const old = { ...msg(7), attachments: [stored] };
    const fresh = { ...old, attachments: [{ ...stored, url: '/api/v1/files/k3?exp=2&sig=new' }] };
    const { model, http } = setup(
      {
        'GET /api/v1/rooms/general/messages': {
          status: 200,
          body: { messages: [fresh], has_more: true },
        },
      },
      [msg(6), old],
    );
    await model.refreshLinks(7);
    expect(http.pages('/api/v1/rooms/general/messages')).toEqual([{ before: '8', limit: '1' }]);
    expect(model.getState().roomLog.messages.map((m) => m.attachments?.[0]?.url)).toEqual([
      undefined,
      '/api/v1/files/k3?exp=2&sig=new',
    ]);
    await model.refreshLinks(7); // failing again soon after: the file is gone, not asked again
    expect(http.pages('/api/v1/rooms/general/messages')).toHaveLength(1);
    clock.advance(5 * 60_000);
    await model.refreshLinks(7);
    expect(http.pages('/api/v1/rooms/general/messages')).toHaveLength(2);
    await model.refreshLinks(99); // not loaded: nothing to refresh
    expect(http.pages('/api/v1/rooms/general/messages')).toHaveLength(2);
  });
});
