// Drives the web export of the app in Chromium against the real backend: sign up, chat with
// a second user, create and join a room, exchange private messages, and scroll back through a
// room's history.
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { chromiumArgs } from '@sala/sdk/chromium';
import { pngBytes } from '@sala/sdk/png';
import { chromium } from 'playwright-core';

import { scenarioSteps, serveDist, signup, startBackend, wsUser } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// A scratch folder, so a test run leaves tracked files alone; `make screenshots` points it at a
// folder of its own and copies the pictures into docs/screenshots.
const shots = process.env.SALA_SCREENSHOT_DIR ?? join(tmpdir(), 'sala-screenshots');

let web, backend, browser, page, bob, bobToken;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  }
  web = await serveDist();
  backend = await startBackend(web.origin);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...chromiumArgs],
  });
  // A phone-sized page.
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (err) => console.error('page error:', err));
});

after(async () => {
  bob?.close();
  await browser?.close();
  await backend?.stop();
  await web?.close();
});

const id = (testId) => `[data-testid="${testId}"]`;

/** The visible element with this test id (tab screens stay mounted, hidden). */
const visible = (testId) => page.locator(`${id(testId)} >> visible=true`).first();

/** Waits until some element with this test id shows exactly `text`. */
function hasText(testId, text) {
  return page.waitForFunction(
    ([sel, want]) => [...document.querySelectorAll(sel)].some((e) => e.textContent === want),
    [id(testId), text],
  );
}

async function send(composer, text) {
  await visible(`${composer}-input`).fill(text);
  await visible(`${composer}-send`).click();
}

const step = scenarioSteps('e2e', () => ({ page, backend }));

test('sign up, chat, rooms and private messages against the real server', async (t) => {
  const suffix = Date.now().toString(36).slice(-5);
  const alice = `alice_${suffix}`;
  const bobLogin = `bob_${suffix}`;

  await step(t, 'a second user is online', async () => {
    const auth = await signup(backend.url, bobLogin);
    bobToken = auth.token;
    bob = await wsUser(backend.url, auth.token);
    await bob.waitFor((e) => e.type === 'joined' && e.room === 'general', 'bob joined');
  });

  await step(t, 'points the app at the server in settings', async () => {
    await page.goto(web.origin);
    await visible('server-link').click();
    await visible('settings-server-url').fill(backend.url);
    await visible('settings-server-save').click();
    await page.getByText('Saved').waitFor();
    await page.goBack();
  });

  await step(t, 'the log-in screen names the app and says "Log in" once', async () => {
    await visible('login-submit').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Sala' }).count(), 1);
    assert.equal(await page.getByText('Log in', { exact: true }).count(), 1);
  });

  await step(t, 'signs up, showing a server field error first', async () => {
    await visible('to-signup').click();
    await visible('signup-first_name').fill('Alice');
    await visible('signup-last_name').fill('Liddell');
    await visible('signup-login').fill(bobLogin); // taken: the server says so under the field
    await visible('signup-password').fill('correct horse battery');
    await visible('signup-age').fill('30');
    await visible('signup-gender-female').click();
    await visible('signup-submit').click();
    await visible('signup-login-error').waitFor();
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'mobile-signup.png') });

    await visible('signup-login').fill(alice);
    await visible('signup-submit').click();
    await hasText('room-title', '#general');
  });

  await step(t, 'chats with the second user in the default room', async () => {
    await send('composer', 'hola desde el móvil');
    const got = await bob.waitFor(
      (e) => e.type === 'message' && e.text === 'hola desde el móvil',
      'alice’s message',
    );
    assert.equal(got.from, alice);
    assert.equal(got.room, 'general');

    bob.send('hola, alice <b>plain</b>');
    const row = page.getByLabel(`Bob: hola, alice <b>plain</b>`);
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`^Bobhola, alice <b>plain</b>\\d\\d:\\d\\d$`));
    // Bubbles are grouped: bob's next message and alice's own do not repeat a name.
    bob.send('and another one');
    const next = page.getByLabel('Bob: and another one');
    await next.waitFor();
    assert.match(await next.textContent(), /^and another one\d\d:\d\d$/);
    const mine = page.getByLabel('You: hola desde el móvil');
    assert.match(await mine.textContent(), /^hola desde el móvil\d\d:\d\d$/);
  });

  await step(t, 'shows a posted web address as a link; markup next to it stays text', async () => {
    const url = `https://example.org/${suffix}/${'long-path-'.repeat(30)}?q=1`;
    const text = `look ${url}, <b>x</b> ${suffix}`;
    bob.send(text);
    const link = page.locator(`a${id('message-link')}`).filter({ hasText: url });
    await link.waitFor();
    assert.equal(await link.textContent(), url);
    assert.equal(await link.getAttribute('href'), url);
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await page.getByRole('link', { name: url, exact: true }).count(), 1);
    const message = page.locator(id('message-text')).filter({ hasText: suffix }).last();
    assert.equal(await message.textContent(), text);
    assert.equal(await message.locator('b').count(), 0);
    // The long address wraps inside the phone-sized page rather than widening it.
    assert.equal(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      true,
    );
  });

  await step(t, 'runs # commands typed in the composer', async () => {
    // Enter on the one command an incomplete word starts completes it rather than sending.
    await visible('composer-input').fill('#g');
    await visible('hint-#gR').waitFor();
    await visible('composer-input').press('Enter');
    await page.waitForFunction(
      (sel) => [...document.querySelectorAll(sel)].some((e) => e.value === '#gR '),
      id('composer-input'),
    );
    await visible('composer-input').fill('#');
    await visible('hint-#help').waitFor();
    await send('composer', '#help');
    await visible('notice-help').waitFor();
  });

  await step(t, 'creates a room, and the other user joins it', async () => {
    await visible('tab-rooms').click();
    await visible('room-name').fill('e2e-room');
    await visible('room-create').click();
    await hasText('room-title', '#e2e-room');
    bob.send('#gR e2e-room');
    await bob.waitFor((e) => e.type === 'joined' && e.room === 'e2e-room', 'bob in e2e-room');
    await send('composer', 'welcome to my room');
    const got = await bob.waitFor(
      (e) => e.type === 'message' && e.text === 'welcome to my room',
      'room message',
    );
    assert.equal(got.room, 'e2e-room');

    // The room list shows both members (rooms envelopes are pushed at most once a second).
    await visible('tab-rooms').click();
    await hasText('room-e2e-room-members', '2 online');
    await page.screenshot({ path: join(shots, 'mobile-rooms.png') });
    await visible('tab-chat').click();
  });

  await step(t, 'receives a private message with an unread badge, and answers it', async () => {
    bob.send(`#private ${alice} psst, a secret`);
    await visible('tab-users').click();
    const badge = visible(`user-${bobLogin}-unread`);
    await badge.waitFor();
    assert.equal(await badge.textContent(), '1');

    await visible(`user-${bobLogin}`).click();
    await page.getByLabel(`Bob: psst, a secret`).waitFor();
    await send('dm-composer', 'got it');
    const got = await bob.waitFor(
      (e) => e.type === 'private' && e.text === 'got it',
      'alice’s private answer',
    );
    assert.equal(got.from, alice);
    assert.equal(got.to, bobLogin);
    await page.screenshot({ path: join(shots, 'mobile-private.png') });
    await page.goBack();
  });

  await step(t, 'phone-size screenshot of the chat', async () => {
    await visible('tab-chat').click();
    bob.send('nice screenshot!');
    await page.getByLabel(`Bob: nice screenshot!`).waitFor();
    await page.screenshot({ path: join(shots, 'mobile-chat.png') });
  });

  await step(t, 'replies, edits, reactions, deletions and typing, both ways', async () => {
    // bob writes, edits, reacts and types; alice sees each change.
    const text = `edit me ${suffix}`;
    const sent = bob.send(text);
    const ack = await bob.waitFor((e) => e.type === 'ack' && e.id === sent, 'ack');
    const bobsId = ack.message_id;
    await page.getByLabel(`Bob: ${text}`).waitFor();
    bob.raw({ type: 'edit', id: `e${suffix}`, message_id: bobsId, text: `edited ${suffix}` });
    await page.getByLabel(`Bob: edited ${suffix}`).waitFor();
    await page
      .getByText(/· edited$/)
      .first()
      .waitFor();
    bob.raw({ type: 'react', id: `r${suffix}`, message_id: bobsId, emoji: '👍' });
    await page.getByLabel(`👍 1: ${bobLogin}`).waitFor();
    bob.raw({ type: 'typing' });
    await hasText('typing-line', `${bobLogin} is typing…`);

    // alice answers it through the long-press sheet; bob gets the reply, her edit, her
    // reaction and her deletion.
    const longPress = async (label) => {
      const text = page.getByLabel(label).locator(id('message-text'));
      await text.scrollIntoViewIfNeeded();
      const box = await text.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      // A long press is a press held: the sheet opening is what ends it.
      await visible('message-actions').waitFor();
      await page.mouse.up();
    };
    await longPress(`Bob: edited ${suffix}`);
    await visible(`react-🎉`).click();
    const reacted = await bob.waitFor(
      (e) => e.type === 'update' && e.kind === 'reaction' && e.by === alice,
      'alice’s reaction',
    );
    assert.deepEqual(reacted.reactions, [
      { emoji: '👍', count: 1, users: [bobLogin] },
      { emoji: '🎉', count: 1, users: [alice] },
    ]);
    await page.getByLabel(`🎉 1: you`).waitFor();
    await longPress(`Bob: edited ${suffix}`);
    await visible('action-reply').click();
    // bob goes on talking meanwhile: the original scrolls out of view.
    for (let i = 1; i <= 12; i++) {
      const filler = bob.send(`filler ${i} ${suffix}`);
      await bob.waitFor((e) => e.type === 'ack' && e.id === filler, `filler ${i}`);
    }
    await page.getByLabel(`Bob: filler 12 ${suffix}`).waitFor();
    await send('composer', 'a reply');
    const reply = await bob.waitFor(
      (e) => e.type === 'message' && e.text === 'a reply',
      'alice’s reply',
    );
    assert.deepEqual(reply.reply_to, { id: bobsId, from: bobLogin, text: `edited ${suffix}` });
    // The reply's snippet brings the original back into view.
    const originalInView = (want) =>
      page.waitForFunction(
        ([label, listSel, want]) => {
          const el = document.querySelector(`[aria-label="${label}"]`);
          const list = [...document.querySelectorAll(listSel)].find((e) => e.offsetParent);
          if (!el || !list) return false;
          const r = el.getBoundingClientRect();
          const l = list.getBoundingClientRect();
          return (r.top >= l.top && r.bottom <= l.bottom) === want;
        },
        [`Bob: edited ${suffix}`, id('message-list'), want],
      );
    await originalInView(false);
    await page.getByLabel(`In reply to ${bobLogin}: edited ${suffix}`).click();
    await originalInView(true);
    await longPress(`You: a reply`);
    await visible('action-edit').click();
    await send('composer', 'a better reply');
    await bob.waitFor(
      (e) => e.type === 'update' && e.kind === 'edited' && e.message_id === reply.id,
      'alice’s edit',
    );
    await longPress(`You: a better reply`);
    await visible('action-delete').click();
    await visible('action-confirm-delete').click();
    await bob.waitFor(
      (e) => e.type === 'update' && e.kind === 'deleted' && e.message_id === reply.id,
      'alice’s deletion',
    );

    // bob deletes his: alice sees a tombstone.
    bob.raw({ type: 'delete', id: `d${suffix}`, message_id: bobsId });
    await page.waitForFunction(
      (sel) => [...document.querySelectorAll(sel)].length >= 2,
      id('message-deleted'),
    );
    assert.equal(await page.getByLabel(`Bob: edited ${suffix}`).count(), 0);
  });

  await step(t, 'scrolls up through a room’s history, loading the oldest messages', async () => {
    // While alice is elsewhere, bob posts 120 messages to e2e-room over REST.
    await send('composer', '#gR general');
    await hasText('room-title', '#general');
    for (let i = 1; i <= 120; i++) {
      const res = await fetch(`${backend.url}/api/v1/rooms/e2e-room/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bobToken}` },
        body: JSON.stringify({ text: `history ${i}` }),
      });
      assert.equal(res.status, 201, await res.text());
    }
    // Joining shows the latest 50 (71..120): the oldest ones are on the server only.
    await send('composer', '#gR e2e-room');
    await hasText('room-title', '#e2e-room');
    await page.getByLabel(`Bob: history 120`).waitFor();
    const row = (n) => page.getByLabel(`Bob: history ${n}`, { exact: true });
    assert.equal(await row(70).count(), 0);
    await visible('older-load').waitFor();

    const list = visible('message-list');
    const scrollUp = async () => {
      await list.hover();
      await page.mouse.wheel(0, -20_000);
    };
    // Scrolling to the top loads the page before (21..70), keeping the reader in place.
    await scrollUp();
    await row(21).waitFor({ state: 'attached' });
    const where = await list.evaluate((el) => ({
      top: el.scrollTop,
      bottom: el.scrollHeight - el.clientHeight,
    }));
    assert.ok(where.top > 0, `the list stayed at ${where.top}, not where the reader was`);
    assert.ok(where.top < where.bottom - 100, 'the list jumped to the bottom');

    // Up again: the oldest ones, alice’s first message before them, and nothing more to load.
    await scrollUp();
    await row(1).waitFor();
    await page.getByLabel('You: welcome to my room').waitFor({ state: 'attached' });
    await page.waitForFunction((sel) => !document.querySelector(sel), id('older-load'));
    await page.waitForFunction((sel) => !document.querySelector(sel), id('older-loading'));
    for (const n of [1, 2, 20, 21]) assert.equal(await row(n).count(), 1, `history ${n}`);
  });

  await step(t, 'searches, and opens a room result and a private one in context', async () => {
    const post = async (path, text) => {
      const res = await fetch(`${backend.url}/api/v1${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bobToken}` },
        body: JSON.stringify({ text }),
      });
      assert.equal(res.status, 201, await res.text());
    };
    const target = `the wombat${suffix} report is due`;
    await post('/rooms/general/messages', target);
    await post(`/dm/${alice}/messages`, `wombat${suffix} notes for alice`);
    // Newer messages than a join loads: the target is on the server only.
    for (let i = 1; i <= 60; i++) await post('/rooms/general/messages', `later ${i}`);

    await visible('tab-chat').click();
    await visible('open-search').click();
    await visible('search-input').fill(`Wombat${suffix}`);
    await visible('search-input').press('Enter');
    const results = page.locator(`${id('search-result')} >> visible=true`);
    await page.waitForFunction(
      (sel) => document.querySelectorAll(sel).length === 2,
      id('search-result'),
    );
    const roomHit = results.filter({ hasText: '#general' });
    assert.match(await roomHit.textContent(), new RegExp(`^#general${bobLogin}`));
    assert.deepEqual(await roomHit.locator(id('search-match')).allTextContents(), [
      `wombat${suffix}`,
    ]);
    assert.equal(await results.filter({ hasText: `Private with ${bobLogin}` }).count(), 1);

    await roomHit.click();
    await hasText('room-title', '#general');
    const focused = page.locator('[aria-selected="true"]').filter({ hasText: target });
    await focused.waitFor();
    const inView = () =>
      page.waitForFunction(
        ([listSel, text]) => {
          const el = [...document.querySelectorAll('[aria-selected="true"]')].find((e) =>
            e.textContent.includes(text),
          );
          const list = [...document.querySelectorAll(listSel)].find((e) => e.offsetParent);
          if (!el || !list) return false;
          const r = el.getBoundingClientRect();
          const l = list.getBoundingClientRect();
          return r.top >= l.top && r.bottom <= l.bottom;
        },
        [id('message-list'), target],
      );
    await inView();
    // One unbroken run from the target up to the newest message.
    await page.getByLabel('Bob: later 1', { exact: true }).waitFor({ state: 'attached' });
    await page.getByLabel('Bob: later 60', { exact: true }).waitFor({ state: 'attached' });
    await page.screenshot({ path: join(shots, 'mobile-search-opened.png') });

    await visible('open-search').click();
    await visible('search-input').fill(`wombat${suffix}`);
    await visible('search-input').press('Enter');
    await page.waitForFunction(
      (sel) => document.querySelectorAll(sel).length === 2,
      id('search-result'),
    );
    await results.filter({ hasText: `Private with ${bobLogin}` }).click();
    await visible('dm-screen').waitFor();
    await page
      .locator('[aria-selected="true"]')
      .filter({ hasText: `wombat${suffix} notes for alice` })
      .waitFor();
    await page.goBack();
  });

  await step(t, 'the header names the connection state rather than a bare figure', async () => {
    const indicator = visible('connection-indicator');
    assert.equal(await indicator.textContent(), 'Connected');
    assert.match(await indicator.getAttribute('aria-label'), /^Connected, response time \d+ ms$/);
  });

  await step(t, 'deletes its room only after confirming; the notice stands out', async () => {
    await visible('tab-rooms').click();
    await visible('room-e2e-room-delete').click();
    const dialog = visible('confirm-dialog');
    assert.match(
      await dialog.textContent(),
      /^Delete #e2e-room\?Everyone in it goes back to #general\./,
    );
    await visible('confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    await visible('room-e2e-room').waitFor(); // Cancel kept it

    await visible('room-e2e-room-delete').click();
    await visible('confirm-ok').click();
    await bob.waitFor(
      (e) => e.type === 'event' && e.kind === 'room_deleted' && e.room === 'e2e-room',
      'the deletion, seen by bob',
    );
    await visible('tab-chat').click();
    await hasText('room-title', '#general');
    const notice = visible('notice-room_deleted');
    assert.equal(await notice.textContent(), '#e2e-room was deletedYou are back in #general.');
    assert.equal(await notice.getAttribute('role'), 'alert');
    await page.screenshot({ path: join(tmpdir(), 'sala-mobile-e2e-room-deleted.png') });
  });

  await step(
    t,
    'files both ways: images inline with a full view, a document as a link',
    async () => {
      // bob uploads over REST and sends it; alice sees the image inline and opens it.
      const form = new FormData();
      form.append('file', new Blob([pngBytes(640, 480)], { type: 'image/png' }), 'bobs.png');
      const res = await fetch(`${backend.url}/api/v1/uploads`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bobToken}` },
        body: form,
      });
      assert.equal(res.status, 201);
      const upload = await res.json();
      bob.raw({
        type: 'send',
        id: `f${suffix}`,
        text: `bob's view ${suffix}`,
        attachments: [upload.id],
      });
      const inline = page.getByLabel('Open bobs.png at full size');
      await inline.waitFor();
      // Loaded through its signed link, shown at its size fitted into 320×240.
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('[data-testid="message-image-img"] img')].some(
            (i) => i.complete && i.naturalWidth === 640,
          ),
        null,
        { timeout: 15_000 },
      );
      // Fitted into the bubble (at most 320×240), keeping the picture's 4:3.
      const box = await visible('message-image-img').boundingBox();
      assert.ok(box.width <= 320 && box.height <= 240 && box.width >= 200, JSON.stringify(box));
      assert.ok(Math.abs(box.width / box.height - 4 / 3) < 0.02, JSON.stringify(box));
      await inline.click();
      await visible('image-viewer').waitFor();
      await visible('image-viewer-close').click();
      await page.locator(id('image-viewer')).waitFor({ state: 'detached' });

      // alice picks a photo (the image picker's file input) and sends it; bob gets it.
      let chooser = page.waitForEvent('filechooser');
      await visible('composer-photo').click();
      await (
        await chooser
      ).setFiles({
        name: `alices-${suffix}.png`,
        mimeType: 'image/png',
        buffer: pngBytes(300, 200),
      });
      await visible('composer-file-done').waitFor();
      await send('composer', `alice's view ${suffix}`);
      const got = await bob.waitFor(
        (e) => e.type === 'message' && e.text === `alice's view ${suffix}`,
        "alice's image",
      );
      assert.equal(got.attachments?.length, 1);
      assert.deepEqual(
        [got.attachments[0].name, got.attachments[0].content_type, got.attachments[0].width],
        [`alices-${suffix}.png`, 'image/png', 300],
      );
      const file = await fetch(`${backend.url}${got.attachments[0].url}`);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'image/png');
      await page.getByLabel(`Open alices-${suffix}.png at full size`).waitFor();

      // A document (the document picker's file input) goes alone and shows as a named link.
      chooser = page.waitForEvent('filechooser');
      await visible('composer-file').click();
      const pdf = Buffer.from(`%PDF-1.4\n% ${suffix}\n${'x'.repeat(3000)}\n%%EOF\n`);
      await (
        await chooser
      ).setFiles({ name: `plan-${suffix}.pdf`, mimeType: 'application/pdf', buffer: pdf });
      await visible('composer-file-done').waitFor();
      await visible('composer-send').click();
      const doc = await bob.waitFor(
        (e) => e.type === 'message' && e.attachments?.[0]?.name === `plan-${suffix}.pdf`,
        "alice's document",
      );
      assert.equal(doc.text, '');
      assert.equal(doc.attachments[0].content_type, 'application/pdf');
      const link = page.getByLabel(`Download plan-${suffix}.pdf (3 KB)`);
      await link.waitFor();
      // A real link to the server's signed address, which answers with a download.
      const href = await link.evaluate((e) => e.closest('a')?.href ?? '');
      assert.equal(href, `${backend.url}${doc.attachments[0].url}`);
      const download = await fetch(href);
      assert.equal(download.status, 200);
      assert.match(download.headers.get('content-disposition') ?? '', /^attachment/);
      const popup = page.context().waitForEvent('page');
      await link.click();
      await (await popup).close();
      await page.screenshot({ path: join(tmpdir(), 'sala-mobile-e2e-files.png') });

      // A slow upload (Chromium's own throttling) shows its progress, and ✕ cancels it.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      const throttle = (uploadThroughput) =>
        cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput,
        });
      await throttle(256 * 1024);
      chooser = page.waitForEvent('filechooser');
      await visible('composer-file').click();
      await (
        await chooser
      ).setFiles({
        name: `big-${suffix}.bin`,
        mimeType: 'application/octet-stream',
        buffer: randomBytes(3 * 1024 * 1024),
      });
      const bar = visible('composer-file-progress');
      await page.waitForFunction(
        (sel) => {
          const now = Number(document.querySelector(sel)?.getAttribute('aria-valuenow'));
          return now > 0 && now < 100;
        },
        id('composer-file-progress'),
        { timeout: 20_000 },
      );
      assert.equal(await bar.getAttribute('role'), 'progressbar');
      await page.getByLabel(`Cancel upload: big-${suffix}.bin`).click();
      await visible('composer-file-cancelled').waitFor();
      await page.getByLabel(`Remove: big-${suffix}.bin`).click();
      await page.locator(id('composer-files')).waitFor({ state: 'detached' });
      await throttle(-1);
    },
  );
});
