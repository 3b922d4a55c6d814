// Drives the web export in Chromium against the real backend: one person in two tabs (one
// browser context, so one session) sees an unread badge appear in both and clear in one when
// the other reads; a mention in another room shows its badge and an in-app banner that opens it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { chromiumArgs } from '@sala/sdk/chromium';
import { chromium } from 'playwright-core';

import { scenarioSteps, serveDist, signup, startBackend, wsUser } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let web, backend, browser, context, tab1, tab2, bob;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get update && apt-get install -y chromium`);
  }
  web = await serveDist();
  backend = await startBackend(web.origin);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...chromiumArgs] });
  context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'en-US',
  });
  context.setDefaultTimeout(15_000);
  tab1 = await context.newPage();
  tab1.on('pageerror', (err) => console.error('page error:', err));
});

after(async () => {
  bob?.close();
  await browser?.close();
  await backend?.stop();
  await web?.close();
});

const id = (testId) => `[data-testid="${testId}"]`;
/** The visible element with this test id (tab screens stay mounted, hidden). */
const visible = (page, testId) => page.locator(`${id(testId)} >> visible=true`).first();

/** The text of a tab's button (its title, and its badge when there is one). */
const tabText = (page, tab) => page.locator(id(tab)).first().innerText();

async function waitTabBadge(page, tab, want) {
  const deadline = Date.now() + 15_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await tabText(page, tab)).replace(/\s+/g, ' ').trim();
    if (want === '' ? !/\d/.test(text) : text.includes(want)) return;
    await page.waitForTimeout(100);
  }
  assert.fail(`tab ${tab}: wanted badge "${want}", shows "${text}"`);
}

const step = scenarioSteps('reads', () => ({ page: tab1, backend }));

test('unread counts across two tabs, and a mention elsewhere, against the real server', async (t) => {
  const suffix = Date.now().toString(36).slice(-5);
  const alice = `alice_${suffix}`;
  const bobLogin = `bob_${suffix}`;
  const room = `ops_${suffix}`;

  await step(t, 'two people: Bob on a socket, Alice in the app, in two tabs', async () => {
    await signup(backend.url, alice);
    const auth = await signup(backend.url, bobLogin);
    bob = await wsUser(backend.url, auth.token);
    await bob.waitFor((e) => e.type === 'joined' && e.room === 'general', 'bob joined');

    await tab1.goto(web.origin);
    await visible(tab1, 'server-link').click();
    await visible(tab1, 'settings-server-url').fill(backend.url);
    await visible(tab1, 'settings-server-save').click();
    await tab1.getByText('Saved').waitFor();
    await tab1.goBack();
    await visible(tab1, 'login-login').fill(alice);
    await visible(tab1, 'login-password').fill('correct horse battery');
    await visible(tab1, 'login-submit').click();
    await visible(tab1, 'composer-input').waitFor();

    tab2 = await context.newPage();
    tab2.on('pageerror', (err) => console.error('page error (tab 2):', err));
    await tab2.goto(web.origin);
    await visible(tab2, 'composer-input').waitFor();
  });

  await step(t, 'a private message shows the People badge in both tabs', async () => {
    bob.send(`#private ${alice} are you there? ${suffix}`);
    await waitTabBadge(tab1, 'tab-users', '1');
    await waitTabBadge(tab2, 'tab-users', '1');
  });

  await step(t, 'reading it in one tab clears the badge in the other', async () => {
    await visible(tab2, 'tab-users').click();
    await visible(tab2, `user-${bobLogin}`).click();
    await tab2
      .locator(`${id('dm-row')} >> visible=true`)
      .filter({ hasText: `are you there? ${suffix}` })
      .first()
      .waitFor();
    await waitTabBadge(tab2, 'tab-users', '');
    await waitTabBadge(tab1, 'tab-users', '');
  });

  await step(
    t,
    'a mention in another room shows its badge and a banner that opens it',
    async () => {
      bob.send(`#cR ${room}`);
      await bob.waitFor((e) => e.type === 'joined' && e.room === room, 'bob in the new room');
      bob.send(`@${alice} can you look? ${suffix}`);
      await waitTabBadge(tab1, 'tab-rooms', '1');
      // The banner stays a few seconds: read it and tap it at once.
      const banner = visible(tab1, 'alert-banner');
      await banner.waitFor();
      assert.match(
        await banner.innerText(),
        new RegExp(`${bobLogin} mentioned you in #${room}[\\s\\S]*can you look\\? ${suffix}`),
      );
      await banner.click();
      await tab1.waitForFunction(
        ([sel, want]) => [...document.querySelectorAll(sel)].some((e) => e.textContent === want),
        [id('room-title'), `#${room}`],
      );
      await tab1
        .locator(`${id('message-row')} >> visible=true`)
        .filter({ hasText: `can you look? ${suffix}` })
        .first()
        .waitFor();
      const mark = tab1.locator(`${id('mention-me')} >> visible=true`).first();
      assert.equal(await mark.textContent(), `@${alice}`);
      await waitTabBadge(tab1, 'tab-rooms', '');
    },
  );
});
