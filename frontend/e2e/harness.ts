// The e2e test's world: builds the SPA and the real backend, runs `sala serve` on a free port
// with a temporary data dir, and drives Debian's Chromium with playwright-core.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumArgs } from '@sala/sdk/chromium';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(frontendDir, '..');
export const backendDir = join(repoDir, 'backend');
export const distDir = join(frontendDir, 'dist');
// Screenshots go to a scratch folder, so a test run leaves tracked files alone; `make
// screenshots` points this at a folder of its own and copies the pictures into docs/.
export const screenshotDir = process.env.SALA_SCREENSHOT_DIR ?? join(tmpdir(), 'sala-screenshots');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port')),
      );
    });
  });
}

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

/** Builds the SPA unless dist/ is newer than every source (npm run ci builds it just before). */
export function ensureSpaBuilt(): void {
  const index = join(distDir, 'index.html');
  const sources = [
    join(frontendDir, 'src'),
    join(frontendDir, 'public'),
    join(repoDir, 'sdk', 'src'),
  ];
  const fresh =
    existsSync(index) &&
    statSync(index).mtimeMs >= Math.max(...sources.filter(existsSync).map(newest));
  if (fresh && process.env.SALA_E2E_REBUILD !== '1') return;
  execFileSync('npx', ['--no-install', 'vite', 'build'], { cwd: frontendDir, stdio: 'inherit' });
}

/** `go build ./cmd/sala` into `dir`; returns the binary's path. */
export function buildBackend(dir: string): string {
  const bin = join(dir, 'sala');
  execFileSync('go', ['build', '-o', bin, './cmd/sala'], { cwd: backendDir, stdio: 'inherit' });
  return bin;
}

/** One `sala serve` process on a fixed port and data dir, which can be killed and restarted. */
export class SalaServer {
  private proc: ChildProcess | null = null;
  readonly dataDir: string;
  readonly url: string;
  private runs = 0;

  constructor(
    private readonly bin: string,
    readonly port: number,
    private readonly workDir: string,
  ) {
    this.dataDir = join(workDir, 'data');
    mkdirSync(this.dataDir, { recursive: true });
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    const log = openSync(join(this.workDir, `server-${++this.runs}.log`), 'a');
    this.proc = spawn(this.bin, ['serve'], {
      cwd: this.workDir, // no stray .env is read
      env: {
        ...process.env,
        SALA_ADDR: `127.0.0.1:${this.port}`,
        SALA_DATA_DIR: this.dataDir,
        SALA_WEB_DIR: distDir,
        SALA_ROOM_GRACE: '2s',
        SALA_MSG_RATE: '1000',
      },
      stdio: ['ignore', log, log],
    });
    await this.waitHealthy();
  }

  private async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.proc?.exitCode !== null) throw new Error(`sala exited (${this.proc?.exitCode})`);
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error('sala did not become healthy');
  }

  /** SIGKILL: no graceful shutdown, no close frames. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = null;
  }

  /** SIGTERM and wait. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (p.exitCode === null) p.kill('SIGKILL');
    this.proc = null;
  }
}

export function makeWorkDir(): string {
  return mkdtempSync(join(tmpdir(), 'sala-e2e-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Debian's Chromium, headless. Playwright gives every launch a new, empty user-data-dir (a
 * temporary profile it deletes on close); each person then gets an isolated context.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs],
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A person using Sala in their own browser context. */
export interface Person {
  login: string;
  password: string;
  ctx: BrowserContext;
  page: Page;
  /** Messages of dialogs (alert/confirm) this page opened: must stay empty. */
  dialogs: string[];
  /** Uncaught page errors. */
  errors: string[];
}

export async function openPerson(
  browser: Browser,
  baseUrl: string,
  login: string,
  viewport = { width: 1280, height: 800 },
): Promise<Person> {
  const ctx = await browser.newContext({ viewport, locale: 'en-US', baseURL: baseUrl });
  const page = await ctx.newPage();
  const person: Person = {
    login,
    password: `pw-${login}-secret`,
    ctx,
    page,
    dialogs: [],
    errors: [],
  };
  page.on('dialog', (d) => {
    person.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => person.errors.push(e.message));
  return person;
}

/** One e2e file's world: a backend of its own in a scratch folder, and one headless Chromium. */
export interface World {
  work: string;
  server: SalaServer;
  browser: Browser;
}

/** Builds the SPA if needed and the backend, starts it on a free port, launches the browser. */
export async function startWorld(): Promise<World> {
  ensureSpaBuilt();
  const work = makeWorkDir();
  const server = new SalaServer(buildBackend(work), await freePort(), work);
  await server.start();
  return { work, server, browser: await launchBrowser() };
}

/** Closes the browser, stops the backend, removes the scratch folder (SALA_E2E_KEEP=1 keeps it). */
export async function stopWorld(world: World | undefined): Promise<void> {
  if (!world) return;
  await world.browser.close();
  await world.server.stop();
  if (process.env.SALA_E2E_KEEP !== '1') removeDir(world.work);
}
