// Files end to end, against the real backend in Chromium: alice uploads an image through the
// paperclip's file chooser and a PDF by dropping it; bob sees the image inline (loaded through
// its signed link) and opens the full view, and gets the PDF as a named download. A throttled
// upload shows its progress and is cancelled.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { randomBytes } from 'node:crypto';
import { humanSize } from '@sala/sdk';
import { pngBytes } from '@sala/sdk/png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPerson,
  SalaServer,
  screenshotDir,
  startWorld,
  stopWorld,
  type Person,
  type World,
} from './harness';

let world: World | undefined;
let server: SalaServer;
let browser: Browser;
let alice: Person;
let bob: Person;
const run = Date.now().toString(36).slice(-4);

const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const log = (page: Page) => page.getByRole('log');

async function signUp(p: Person, first: string): Promise<void> {
  const { page } = p;
  await page.goto('/signup');
  await page.getByLabel('First name', { exact: true }).fill(first);
  await page.getByLabel('Last name', { exact: true }).fill('Tester');
  await page.getByLabel('Login', { exact: true }).fill(p.login);
  await page.getByLabel('Password', { exact: true }).fill(p.password);
  await page.getByLabel('Age', { exact: true }).fill('30');
  await page.getByLabel('Gender', { exact: true }).selectOption('prefer_not_to_say');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await composer(page).waitFor();
  await page.locator('.conn-open').waitFor({ timeout: 20_000 });
}

/** The composer's files as "name: state". */
function composerFiles(page: Page): Promise<string[]> {
  return page
    .locator('.composer-file')
    .evaluateAll((els) =>
      els.map(
        (el) =>
          `${el.querySelector('.composer-file-name')?.textContent ?? ''}: ${el.getAttribute('data-state')}`,
      ),
    );
}

beforeAll(async () => {
  world = await startWorld();
  ({ server, browser } = world);
  alice = await openPerson(browser, server.url, `alicef${run}`);
  bob = await openPerson(browser, server.url, `bobf${run}`);
});

afterAll(() => stopWorld(world));

describe('files in a browser', () => {
  it('an image alice picks shows inline for bob, and opens at full size', async () => {
    await signUp(alice, 'Alice');
    await signUp(bob, 'Bob');
    const { page } = alice;
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (
      await chooser
    ).setFiles({ name: `view-${run}.png`, mimeType: 'image/png', buffer: pngBytes(640, 480) });
    await expect.poll(() => composerFiles(page)).toEqual([`view-${run}.png: done`]);
    await composer(page).fill(`the view ${run}`);
    await composer(page).press('Enter');
    await expect.poll(() => composerFiles(page)).toEqual([]);

    const row = log(bob.page).locator('.msg', { hasText: `the view ${run}` });
    const open = row.getByRole('button', { name: `Open view-${run}.png at full size` });
    await open.waitFor();
    const img = open.getByRole('img', { name: `view-${run}.png` });
    // Loaded through its signed link, at its size fitted into 320×240.
    await expect
      .poll(() => img.evaluate((e: HTMLImageElement) => [e.naturalWidth, e.naturalHeight]))
      .toEqual([640, 480]);
    const box = await img.boundingBox();
    expect([Math.round(box!.width), Math.round(box!.height)]).toEqual([320, 240]);

    mkdirSync(screenshotDir, { recursive: true });
    await bob.page.screenshot({ path: join(screenshotDir, 'files-inline.png') });
    await open.click();
    const dialog = bob.page.getByRole('dialog', { name: `view-${run}.png` });
    await dialog.waitFor();
    const full = dialog.getByRole('img', { name: `view-${run}.png` });
    await expect.poll(() => full.evaluate((e: HTMLImageElement) => e.naturalWidth)).toBe(640);
    expect((await full.boundingBox())!.width).toBeGreaterThan(320);
    await bob.page.screenshot({ path: join(screenshotDir, 'files-full-view.png') });
    await bob.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await open.click();
    await dialog.waitFor();
    await dialog.click({ position: { x: 10, y: 200 } });
    await dialog.waitFor({ state: 'detached' });
    // alice's own copy shows the same way.
    await log(page)
      .getByRole('button', { name: `Open view-${run}.png at full size` })
      .waitFor();
  });

  it('a dropped PDF reaches bob as a named download with its size', async () => {
    const { page } = alice;
    const bytes = Buffer.from(`%PDF-1.4\n% plan ${run}\n${'x'.repeat(3000)}\n%%EOF\n`);
    const dataTransfer = await page.evaluateHandle(
      ([name, text]) => {
        const dt = new DataTransfer();
        dt.items.add(new File([text], name, { type: 'application/pdf' }));
        return dt;
      },
      [`plan-${run}.pdf`, bytes.toString('latin1')] as const,
    );
    const form = page.locator('form.composer');
    await form.dispatchEvent('dragover', { dataTransfer });
    await page.getByText('Drop files to attach them').waitFor();
    await form.dispatchEvent('drop', { dataTransfer });
    await expect.poll(() => composerFiles(page)).toEqual([`plan-${run}.pdf: done`]);
    await page.getByRole('button', { name: 'Send' }).click(); // files alone, no text

    const link = log(bob.page).getByRole('link', {
      name: `Download plan-${run}.pdf (${humanSize(bytes.length, 'en')})`,
    });
    await link.waitFor();
    const href = (await link.getAttribute('href'))!;
    const res = await bob.page.request.get(href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-disposition']).toMatch(/^attachment/);
    expect((await res.body()).equals(bytes)).toBe(true);
  });

  it('a slow upload shows its progress, and cancel stops it', async () => {
    const { page } = alice;
    const cdp = await alice.ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 256 * 1024,
    });
    await page.locator('input[type=file]').setInputFiles({
      name: `big-${run}.bin`,
      mimeType: 'application/octet-stream',
      buffer: randomBytes(3 * 1024 * 1024),
    });
    const bar = page.getByRole('progressbar', { name: `big-${run}.bin` });
    await expect
      .poll(() => bar.evaluate((e: HTMLProgressElement) => e.value), { timeout: 20_000 })
      .toBeGreaterThan(0);
    expect(await bar.evaluate((e: HTMLProgressElement) => e.value)).toBeLessThan(100);
    await page.screenshot({ path: join(screenshotDir, 'files-uploading.png') });
    await page.getByRole('button', { name: `Cancel upload: big-${run}.bin` }).click();
    await expect.poll(() => composerFiles(page)).toEqual([`big-${run}.bin: cancelled`]);
    await page.getByRole('button', { name: `Remove: big-${run}.bin` }).click();
    await expect.poll(() => composerFiles(page)).toEqual([]);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    for (const p of [alice, bob]) {
      expect(p.errors).toEqual([]);
      expect(p.dialogs).toEqual([]);
    }
  });
});
