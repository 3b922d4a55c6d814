// End to end: unread counts, reads across one person's tabs, mentions and notifications, against
// the real backend in Debian's Chromium. Alice has two tabs (one browser context, so one
// session); Bob has his own context. The steps build on each other and run in order.
import type { Page } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPerson, SalaServer, startWorld, stopWorld, type Person, type World } from './harness';

let world: World | undefined;
let server: SalaServer;
let browser: Browser;
let alice: Person;
/** Alice's second tab. */
let alice2: Page;
let bob: Person;
const run = Date.now().toString(36).slice(-4);
const room = `ops${run}`;

const composer = (page: Page) => page.getByLabel('Message', { exact: true });

async function say(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await box.fill(text);
  await box.press('Enter');
  await expect.poll(() => box.inputValue()).toBe('');
}

async function signUp(p: Person): Promise<void> {
  const { page } = p;
  await page.goto('/signup');
  await page.getByLabel('First name', { exact: true }).fill(p.login);
  await page.getByLabel('Last name', { exact: true }).fill('Test');
  await page.getByLabel('Login', { exact: true }).fill(p.login);
  await page.getByLabel('Password', { exact: true }).fill(p.password);
  await page.getByLabel('Age', { exact: true }).fill('30');
  await page.getByLabel('Gender', { exact: true }).selectOption('prefer_not_to_say');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await connected(page);
}

async function connected(page: Page): Promise<void> {
  await composer(page).waitFor();
  await page.locator('.conn-open').waitFor({ timeout: 20_000 });
}

/** The text of a badge, or '' when it is not shown. */
async function badge(page: Page, testId: string): Promise<string> {
  const el = page.getByTestId(testId);
  return (await el.count()) > 0 ? ((await el.textContent())?.trim() ?? '') : '';
}

/**
 * Records each browser notification the page shows (the real Notification still shows it), so
 * the test can read it and click it as a person would.
 */
function recordNotifications(): void {
  const w = window as unknown as { Notification: typeof Notification; shown: Notification[] };
  const Real = w.Notification;
  w.shown = [];
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      w.shown.push(this);
    }
  }
  Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
  Object.defineProperty(Recorded, 'requestPermission', {
    value: (...args: Parameters<typeof Real.requestPermission>) => Real.requestPermission(...args),
  });
  w.Notification = Recorded;
}

/** Hides or shows the tab as switching tabs does: visibilityState and its event. */
async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (h ? 'hidden' : 'visible'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

beforeAll(async () => {
  world = await startWorld();
  ({ server, browser } = world);
  alice = await openPerson(browser, server.url, `alice${run}`);
  bob = await openPerson(browser, server.url, `bob${run}`);
  await alice.ctx.grantPermissions(['notifications'], { origin: server.url });
  await alice.ctx.addInitScript(recordNotifications);
});

afterAll(() => stopWorld(world));

describe('unread counts, reads and mentions', () => {
  it('a message counts in both of Alice’s hidden tabs until one is shown; so does a private one', async () => {
    await signUp(alice);
    await signUp(bob);
    alice2 = await alice.ctx.newPage();
    await alice2.goto('/');
    await connected(alice2);

    // Both tabs hidden: a room message counts in each; shown again, one tab reads it for both.
    for (const page of [alice.page, alice2]) await setHidden(page, true);
    await say(bob.page, `anyone here? ${run}`);
    for (const page of [alice.page, alice2]) {
      await expect.poll(() => badge(page, 'room-general-unread')).toBe('1');
      await expect.poll(() => page.title()).toBe('(1) Sala');
    }
    await setHidden(alice2, false);
    await expect.poll(() => alice2.title()).toBe('Sala');
    await expect.poll(() => badge(alice.page, 'room-general-unread')).toBe('');
    await expect.poll(() => alice.page.title()).toBe('Sala');
    await setHidden(alice.page, false);

    await bob.page
      .getByRole('button', { name: new RegExp(`^Private conversation with ${alice.login}`) })
      .click();
    await say(bob.page, `hello alice ${run}`);
    for (const page of [alice.page, alice2]) {
      await expect.poll(() => badge(page, `person-${bob.login}-unread`)).toBe('1');
      await expect.poll(() => page.title()).toBe('(1) Sala');
    }
  });

  it('reading in one tab clears the badge in the other', async () => {
    await alice2
      .getByRole('button', { name: new RegExp(`^Private conversation with ${bob.login}`) })
      .click();
    await alice2.getByText(`hello alice ${run}`).waitFor();
    await expect.poll(() => badge(alice2, `person-${bob.login}-unread`)).toBe('');
    await expect.poll(() => badge(alice.page, `person-${bob.login}-unread`)).toBe('');
    await expect.poll(() => alice.page.title()).toBe('Sala');
    // A reload starts from the server's counts: still read.
    await alice.page.reload();
    await connected(alice.page);
    await alice.page
      .getByRole('button', { name: new RegExp(`^Private conversation with ${bob.login}`) })
      .waitFor();
    expect(await badge(alice.page, `person-${bob.login}-unread`)).toBe('');
    expect(await alice.page.title()).toBe('Sala');
  });

  it('@ completes a login by keyboard, and the mention is highlighted for the one mentioned', async () => {
    await bob.page.getByRole('button', { name: /^Back to #general/ }).click();
    const box = composer(bob.page);
    await box.fill(`morning `);
    await box.press('End');
    await box.pressSequentially(`@${alice.login.slice(0, 4)}`);
    await bob.page.getByRole('listbox', { name: 'People to mention' }).waitFor();
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe(`morning @${alice.login} `);
    await box.pressSequentially(`standup ${run}`);
    await box.press('Enter');
    const mention = alice.page.getByRole('log').getByTestId('mention-me');
    await mention.waitFor();
    expect(await mention.textContent()).toBe(`@${alice.login}`);
  });

  it('a mention in a room Alice is not in shows its badge and, with the tab hidden, a notification that opens it', async () => {
    await say(bob.page, `#cR ${room}`);
    await expect
      .poll(async () => (await bob.page.getByRole('heading', { level: 1 }).textContent())?.trim())
      .toBe(`#${room}`);
    await alice.page.getByRole('button', { name: 'Mentions' }).click();
    await alice.page.getByText('Notifications are on while this tab is hidden.').waitFor();
    await alice.page.getByRole('button', { name: 'Mentions' }).click();
    await setHidden(alice.page, true);

    await say(bob.page, `@${alice.login} can you look? ${run}`);
    await expect.poll(() => badge(alice.page, `room-${room}-mentions`)).toBe('@1');
    await expect.poll(() => badge(alice.page, `room-${room}-unread`)).toBe('1');
    const shown = () =>
      alice.page.evaluate(() =>
        (window as unknown as { shown: Notification[] }).shown.map((n) => `${n.title}: ${n.body}`),
      );
    await expect
      .poll(shown)
      .toContain(`${bob.login} mentioned you in #${room}: @${alice.login} can you look? ${run}`);
    // The other tab is shown: it notifies nothing.
    expect(
      await alice2.evaluate(() => (window as unknown as { shown: Notification[] }).shown.length),
    ).toBe(0);

    await setHidden(alice.page, false);
    await alice.page.evaluate(() => {
      const list = (window as unknown as { shown: Notification[] }).shown;
      list.at(-1)?.onclick?.(new Event('click'));
    });
    await expect
      .poll(async () => (await alice.page.getByRole('heading', { level: 1 }).textContent())?.trim())
      .toBe(`#${room}`);
    await alice.page.getByText(`can you look? ${run}`).waitFor();
    await expect.poll(() => badge(alice.page, `room-${room}-mentions`)).toBe('');

    // The mentions list keeps it.
    await alice2.getByRole('button', { name: 'Mentions' }).click();
    await alice2.getByText(`can you look? ${run}`).waitFor();
    for (const p of [alice, bob]) expect(p.errors).toEqual([]);
  });
});
