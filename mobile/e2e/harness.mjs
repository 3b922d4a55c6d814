// End-to-end harness: the real backend (built from ../backend), the web export (dist/) on a
// tiny static server, Debian's Chromium through playwright-core, and a raw WebSocket client
// that plays a second user. Everything listens on 127.0.0.1 and stops when the test ends.
import { execFile, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { promisify } from 'node:util';

import WebSocket from 'ws';

const here = new URL('.', import.meta.url).pathname;
export const mobileDir = resolve(here, '..');
export const repoDir = resolve(mobileDir, '..');
const distDir = join(mobileDir, 'dist');

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
};

/** Serves dist/ with a single-page-app fallback to index.html. */
export async function serveDist() {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error('dist/ is missing: run `npm run export:web` first');
  }
  const port = await freePort();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(distDir, path));
    if (!file.startsWith(distDir) || !existsSync(file) || statSync(file).isDirectory()) {
      file = join(distDir, 'index.html');
    }
    res.writeHead(200, { 'Content-Type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Builds and starts the real backend; resolves when /healthz answers. */
export async function startBackend(allowedOrigin) {
  const dir = mkdtempSync(join(tmpdir(), 'sala-mobile-e2e-'));
  const bin = process.env.SALA_BIN ?? join(dir, 'sala');
  if (!process.env.SALA_BIN) {
    await promisify(execFile)('go', ['build', '-o', bin, './cmd/sala'], {
      cwd: join(repoDir, 'backend'),
      timeout: 300_000,
    });
  }
  const port = await freePort();
  const log = [];
  const proc = spawn(bin, ['serve'], {
    env: {
      ...process.env,
      SALA_ADDR: `127.0.0.1:${port}`,
      SALA_DATA_DIR: dir,
      SALA_DATABASE_URL: '',
      SALA_ALLOWED_ORIGINS: allowedOrigin,
      SALA_MSG_RATE: '1000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout.on('data', (d) => log.push(String(d)));
  proc.stderr.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`backend exited:\n${log.join('')}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`backend did not start:\n${log.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => {
            proc.kill('SIGKILL');
            r();
          }, 5_000);
          proc.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** REST sign-up of a user; returns {token, user}. */
export async function signup(api, login) {
  const res = await fetch(`${api}/api/v1/auth/signup`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      first_name: 'Bob',
      last_name: 'Builder',
      login,
      password: 'correct horse battery',
      age: 40,
      gender: 'male',
    }),
  });
  if (res.status !== 201) throw new Error(`signup ${login}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * A second user on a raw WebSocket: records every envelope it receives and can wait for one.
 * (The protocol client itself is the SDK's; this is a test double of another person.)
 */
export async function wsUser(api, token) {
  const ws = new WebSocket(`${api.replace(/^http/, 'ws')}/api/v1/ws`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  const received = [];
  const waiters = [];
  ws.on('message', (data) => {
    for (const line of String(data).split('\n')) {
      if (!line.trim()) continue;
      const env = JSON.parse(line);
      received.push(env);
      for (const w of [...waiters]) {
        if (w.match(env)) {
          waiters.splice(waiters.indexOf(w), 1);
          clearTimeout(w.timer);
          w.resolve(env);
        }
      }
    }
  });
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  let seq = 0;
  return {
    received,
    /** Resolves with the first envelope (already received or coming) that matches. */
    waitFor(match, what = 'an envelope', ms = 15_000) {
      const seen = received.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(received)}`));
        }, ms);
        const w = { match, resolve, timer };
        waiters.push(w);
      });
    },
    send(text) {
      const id = `bob-${++seq}`;
      ws.send(JSON.stringify({ type: 'send', id, text }));
      return id;
    },
    /** Sends any envelope (edit, delete, react, typing) as it is. */
    raw(env) {
      ws.send(JSON.stringify(env));
    },
    close() {
      ws.close(1000);
    },
  };
}

/**
 * The steps of one scenario, each a subtest of `t`: a failing step saves a screenshot and the
 * page's text (with the backend's last log lines) to the error, and the steps after it are
 * skipped, since each depends on the one before. `view` names the page and backend to show.
 */
export function scenarioSteps(name, view) {
  let failed = false;
  return (t, step, fn) =>
    t.test(step, { skip: failed && 'an earlier step failed' }, async () => {
      try {
        await fn();
      } catch (err) {
        failed = true;
        const { page, backend } = view();
        const file = join(tmpdir(), `sala-mobile-${name}-${step.replace(/\W+/g, '-')}.png`);
        await page?.screenshot({ path: file }).catch(() => undefined);
        const text = await page?.evaluate(() => document.body.innerText).catch(() => '');
        err.message += `\n(screenshot: ${file})\npage text:\n${text}\nbackend log:\n${backend?.log.slice(-20).join('')}`;
        throw err;
      }
    });
}
