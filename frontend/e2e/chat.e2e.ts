// End to end, as people use Sala: three browser contexts against the real backend.
// The steps build on each other (same users, same server), so they run in order and stop at
// the first failure.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
let carol: Person;
const everyone = () => [alice, bob, carol];
const run = Date.now().toString(36).slice(-4);
const room = `books${run}`;

// ---- page helpers ----------------------------------------------------------------------------

const composer = (page: Page) => page.getByLabel('Message', { exact: true });
const log = (page: Page) => page.getByRole('log');

interface Row {
  from: string;
  text: string;
  pending: boolean;
}

/** The message rows of the conversation on screen, top to bottom. */
function rows(page: Page): Promise<Row[]> {
  return log(page)
    .locator('.msg')
    .evaluateAll((els) =>
      els.map((el) => ({
        from: el.querySelector('.msg-from')?.textContent?.trim() ?? '',
        text: el.querySelector('.msg-text')?.textContent ?? '',
        pending: el.classList.contains('msg-pending'),
      })),
    );
}

/** The stored (not pending) messages' texts on screen, in order. */
async function texts(page: Page): Promise<string[]> {
  return (await rows(page)).filter((r) => !r.pending).map((r) => r.text);
}

async function say(p: Person, text: string): Promise<void> {
  const box = composer(p.page);
  await box.fill(text);
  await box.press('Enter');
  await expect.poll(() => box.inputValue()).toBe('');
}

/** Waits until `page` shows every text in `want` (as stored messages). */
async function waitForTexts(page: Page, want: string[], timeout = 15_000): Promise<void> {
  await expect
    .poll(
      async () => {
        const have = await texts(page);
        return want.filter((w) => !have.includes(w));
      },
      { timeout, interval: 100 },
    )
    .toEqual([]);
}

async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

async function signUp(p: Person, first: string, last: string): Promise<void> {
  const { page } = p;
  await page.goto('/signup');
  await page.getByLabel('First name', { exact: true }).fill(first);
  await page.getByLabel('Last name', { exact: true }).fill(last);
  await page.getByLabel('Login', { exact: true }).fill(p.login);
  await page.getByLabel('Password', { exact: true }).fill(p.password);
  await page.getByLabel('Age', { exact: true }).fill('30');
  await page.getByLabel('Gender', { exact: true }).selectOption('prefer_not_to_say');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await composer(page).waitFor();
  await waitConnected(page);
}

async function waitConnected(page: Page, timeout = 20_000): Promise<void> {
  await page.locator('.conn-open').waitFor({ timeout });
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
}

/** Whether an element is inside its scrolling log's visible area. */
function inView(el: Element): boolean {
  const box = el.getBoundingClientRect();
  const view = el.closest('[role="log"]')!.getBoundingClientRect();
  return box.top >= view.top && box.bottom <= view.bottom;
}

// ---- world -----------------------------------------------------------------------------------

beforeAll(async () => {
  world = await startWorld();
  ({ server, browser } = world);
  alice = await openPerson(browser, server.url, `alice${run}`);
  bob = await openPerson(browser, server.url, `bob${run}`);
  carol = await openPerson(browser, server.url, `carol${run}`);
});

afterAll(() => stopWorld(world));

// ---- scenarios -------------------------------------------------------------------------------

describe('Sala in a browser', () => {
  it('shows the login page, and the server’s field errors next to each signup field', async () => {
    const { page } = alice;
    await page.goto('/');
    await expect.poll(() => page.url()).toMatch(/\/login$/);
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await shot(page, 'login-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'login-phone');
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('First name', { exact: true }).fill('Alice');
    await page.getByLabel('Last name', { exact: true }).fill('Liddell');
    await page.getByLabel('Login', { exact: true }).fill('Bad Login!');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Age', { exact: true }).fill('7');
    await page.getByLabel('Gender', { exact: true }).selectOption('female');
    await page.getByRole('button', { name: 'Sign up' }).click();
    // Each error is tied to its field (aria-describedby), so a screen reader reads it there.
    for (const field of ['Login', 'Password', 'Age']) {
      const input = page.getByLabel(field, { exact: true });
      await expect.poll(() => input.getAttribute('aria-invalid')).toBe('true');
      const errId = (await input.getAttribute('aria-describedby'))!.split(' ')[0]!;
      expect((await page.locator(`#${errId}`).textContent())?.length).toBeGreaterThan(3);
    }
    expect(await page.getByLabel('First name', { exact: true }).getAttribute('aria-invalid')).toBe(
      null,
    );
  });

  it('three people sign up and chat in the default room, everyone sees the same order', async () => {
    await signUp(alice, 'Alice', 'Liddell');
    await signUp(bob, 'Bob', 'Builder');
    await signUp(carol, 'Carol', 'Danvers');
    for (const p of everyone()) expect(await heading(p.page)).toBe('#general');

    const lines = [
      [alice, `hello from alice ${run}`],
      [bob, `hi alice, bob here ${run}`],
      [carol, `carol joins the party ${run}`],
      [alice, `second from alice ${run}`],
    ] as const;
    for (const [p, text] of lines) {
      await say(p, text);
      // Wait until everyone has it, so the expected order is the send order.
      for (const q of everyone()) await waitForTexts(q.page, [text]);
    }
    const want = lines.map(([p, text]) => ({ from: p.login, text, pending: false }));
    for (const p of everyone()) {
      const mine = (await rows(p.page)).filter((r) => r.text.endsWith(run));
      expect(mine).toEqual(want);
    }
  });

  it('renders a message with HTML as text and runs nothing', async () => {
    const evil = `<img src=x onerror=alert(1)> ${run}`;
    await say(bob, evil);
    for (const p of everyone()) {
      await waitForTexts(p.page, [evil]);
      await log(p.page).getByText(evil, { exact: true }).waitFor();
      expect(await log(p.page).locator('img').count()).toBe(0);
    }
    await bob.page.waitForTimeout(500);
    for (const p of everyone()) expect(p.dialogs).toEqual([]);
  });

  it('makes a posted web address a link to a new tab; markup next to it stays text', async () => {
    const url = `https://example.org/${run}/${'long-path-'.repeat(30)}?q=1`;
    const text = `look ${url}, <b>x</b> ${run}`;
    await say(bob, text);
    for (const p of everyone()) {
      await waitForTexts(p.page, [text]);
      const link = log(p.page).getByRole('link', { name: url, exact: true });
      await link.waitFor();
      expect(await link.getAttribute('href')).toBe(url);
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
      expect(await link.getAttribute('target')).toBe('_blank');
      await log(p.page).getByText('<b>x</b>', { exact: false }).first().waitFor();
      expect(await log(p.page).locator('.msg-text b').count()).toBe(0);
      // The long address wraps inside the log rather than widening it.
      expect(await log(p.page).evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
    }
    for (const p of everyone()) expect(p.dialogs).toEqual([]);
  });

  it('shows a right-to-left message right to left, and the composer follows what is typed', async () => {
    const arabic = `مرحبا بالجميع! ${run}`;
    await say(bob, arabic);
    for (const p of everyone()) {
      await waitForTexts(p.page, [arabic]);
      const text = log(p.page).getByText(arabic, { exact: true });
      expect(await text.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    }
    const box = composer(alice.page);
    await box.fill('שלום');
    expect(await box.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    await box.fill('hello');
    expect(await box.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    await box.fill('');
  });

  it('creates a room; one joins from the rooms list, another with #gR', async () => {
    // Alice uses the button and form.
    await alice.page.getByRole('button', { name: 'New room' }).click();
    await alice.page.getByLabel('Room name', { exact: true }).fill(room);
    await alice.page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => heading(alice.page)).toBe(`#${room}`);

    // Bob clicks the room in the list.
    const entry = bob.page.getByRole('button', { name: new RegExp(`^Join ${room}\\b`) });
    await entry.click();
    await expect.poll(() => heading(bob.page)).toBe(`#${room}`);

    // Carol types the command.
    await say(carol, `#gR ${room}`);
    await expect.poll(() => heading(carol.page)).toBe(`#${room}`);

    // Live participant counts reach every rooms list.
    for (const p of everyone()) {
      const item = p.page.getByRole('button', { name: new RegExp(`^Join ${room}, 3 here`) });
      await item.waitFor({ timeout: 10_000 });
    }
    // The default room is marked as such.
    await alice.page.getByRole('button', { name: /^Join general, .*default$/ }).waitFor();

    const text = `welcome to ${room}`;
    await say(alice, text);
    for (const p of everyone()) await waitForTexts(p.page, [text]);
    // The room's log starts empty: nothing from general leaks in.
    expect(await texts(carol.page)).toEqual([text]);
  });

  it('sends private messages both ways, with unread badges and REST history', async () => {
    // Bob opens a thread with Alice from the people panel.
    await bob.page
      .getByRole('button', { name: new RegExp(`^Private conversation with ${alice.login}\\b`) })
      .click();
    await expect.poll(() => heading(bob.page)).toBe(`Private with ${alice.login}`);
    const dm = `psst alice, only you can read this ${run}`;
    await say(bob, dm);
    await waitForTexts(bob.page, [dm]);

    // Alice is in the room: her people panel shows an unread badge for Bob.
    const bobEntry = alice.page.getByRole('button', {
      name: new RegExp(`^Private conversation with ${bob.login}\\b.*1 unread message`),
    });
    await bobEntry.waitFor({ timeout: 10_000 });
    // Carol never sees it.
    expect(await texts(carol.page)).not.toContain(dm);

    // Alice answers with the command, from the room's composer. Once it is stored her view
    // moves to the thread, which clears the badge and shows both messages, loaded over REST.
    const reply = `got it bob ${run}`;
    await say(alice, `#private ${bob.login} ${reply}`);
    await waitForTexts(bob.page, [dm, reply]);
    await expect.poll(() => heading(alice.page)).toBe(`Private with ${bob.login}`);
    await waitForTexts(alice.page, [dm, reply]);
    expect(await texts(alice.page)).toEqual([dm, reply]);
    await alice.page
      .getByRole('button', {
        name: new RegExp(`^Private conversation with ${bob.login}, online[^,]*$`),
      })
      .waitFor();
    await alice.page.getByRole('button', { name: /^Back to #/ }).click();
    await expect.poll(() => heading(alice.page)).toBe(`#${room}`);
    await bob.page.getByRole('button', { name: /^Back to #/ }).click();
  });

  it('the creator deletes the room and everyone lands back in the default room', async () => {
    await alice.page.getByRole('button', { name: `Delete room ${room}` }).click();
    await alice.page.getByRole('button', { name: 'Delete', exact: true }).click();
    for (const p of everyone()) {
      await expect.poll(() => heading(p.page), { timeout: 10_000 }).toBe('#general');
    }
    for (const p of [bob, carol]) {
      await log(p.page).getByText(`The room ${room} was deleted`).waitFor();
      await log(p.page).getByText('You are back in general.').waitFor();
      // The general room's history is back.
      await waitForTexts(p.page, [`hello from alice ${run}`]);
    }
    await expect
      .poll(() => alice.page.getByRole('button', { name: new RegExp(`^Join ${room}\\b`) }).count())
      .toBe(0);
    for (const p of everyone()) expect(p.dialogs).toEqual([]);
  });

  it('every # command works as typed', async () => {
    const { page } = carol;
    // Typing # offers the commands.
    await composer(page).fill('#');
    const hints = page.getByRole('listbox', { name: 'Commands' });
    await hints.waitFor();
    expect(await hints.getByRole('option').count()).toBeGreaterThanOrEqual(9);
    await composer(page).fill('#sh');
    expect(await hints.getByRole('option').allTextContents()).toEqual([
      expect.stringContaining('#show users'),
    ]);
    // Enter on the one command an incomplete word starts completes it rather than sending.
    await composer(page).fill('#g');
    await composer(page).press('Enter');
    expect(await composer(page).inputValue()).toBe('#gR ');
    await composer(page).fill('');

    await say(carol, '#help');
    await log(page).getByText('Commands you can type', { exact: true }).waitFor();
    await say(carol, '#lR');
    await log(page).getByText('Live rooms', { exact: true }).waitFor();
    await say(carol, '#show users');
    await log(page).getByText('People', { exact: true }).waitFor();
    await say(carol, '#gR nowhere');
    await log(page).getByText('There is no live room named “nowhere”.').waitFor();
    await say(carol, '#bogus');
    await log(page)
      .getByText(/Unknown command/)
      .waitFor();
    await say(carol, '#cR temp');
    await expect.poll(() => heading(page)).toBe('#temp');
    await say(carol, '#eR');
    await expect.poll(() => heading(page)).toBe('#general');
    await say(carol, '#dR temp');
    await say(carol, '#IR');
    await expect.poll(() => page.getByRole('button', { name: /^Join temp\b/ }).count()).toBe(0);

    // #exit closes the connection for good; the Reconnect button brings it back.
    await say(carol, '#exit');
    await page.locator('.conn-closed').waitFor();
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await waitConnected(page);
  });

  it('a reload keeps the session and the history', async () => {
    const { page } = bob;
    await page.reload();
    await composer(page).waitFor();
    await waitConnected(page);
    expect(page.url()).not.toMatch(/login/);
    await waitForTexts(page, [`hello from alice ${run}`, `carol joins the party ${run}`]);
    await page.getByText(bob.login, { exact: true }).first().waitFor();
    // A reload in another room goes back to it, not to the default room.
    await say(alice, `#cR reload${run}`);
    await say(bob, `#gR reload${run}`);
    await expect.poll(() => heading(page)).toBe(`#reload${run}`);
    await page.reload();
    await waitConnected(page);
    await expect.poll(() => heading(page)).toBe(`#reload${run}`);
    await say(alice, `#dR reload${run}`);
    for (const p of [alice, bob]) await expect.poll(() => heading(p.page)).toBe('#general');
  });

  it('replies, edits, reactions, deletions and typing reach the other person, and survive a reload', async () => {
    const talk = `talk${run}`;
    await say(alice, `#cR ${talk}`);
    await say(bob, `#gR ${talk}`);
    for (const p of [alice, bob]) await expect.poll(() => heading(p.page)).toBe(`#${talk}`);
    const original = `a typo herre ${run}`;
    await say(alice, original);
    await waitForTexts(bob.page, [original]);
    const message = (page: Page, text: string) =>
      log(page).locator('.msg', { has: page.locator('.msg-text', { hasText: text }) });

    // bob answers it from its actions menu; alice sees "bob is typing…" while he types.
    await message(bob.page, original).hover();
    await message(bob.page, original).getByRole('button', { name: 'Message actions' }).click();
    await bob.page.getByRole('menuitem', { name: 'Reply' }).click();
    // The server forwards one signal per person every 2 s: bob keeps typing, as people do,
    // until alice sees it.
    const typingLine = alice.page.getByTestId('typing');
    let typed = 'you wrote herre';
    await composer(bob.page).pressSequentially(typed);
    await expect
      .poll(
        async () => {
          typed += '!';
          await composer(bob.page).press('!');
          return typingLine.textContent();
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe(`${bob.login} is typing…`);
    await composer(bob.page).press('Enter');
    const reply = typed;
    await waitForTexts(alice.page, [reply]);
    await message(alice.page, reply)
      .getByRole('button', { name: `In reply to ${alice.login}: ${original}` })
      .waitFor();

    // alice fixes it with arrow-up; bob sees the new text, marked edited.
    await composer(alice.page).press('ArrowUp');
    await composer(alice.page).fill(`a typo here ${run}`);
    await composer(alice.page).press('Enter');
    await waitForTexts(bob.page, [`a typo here ${run}`]);
    await message(bob.page, `a typo here ${run}`).getByText('(edited)').waitFor();

    // bob reacts; alice sees the chip and who put it.
    await message(bob.page, `a typo here ${run}`).hover();
    await message(bob.page, `a typo here ${run}`)
      .getByRole('button', { name: 'Message actions' })
      .click();
    await bob.page.getByRole('menuitem', { name: 'React 🎉' }).click();
    await message(alice.page, `a typo here ${run}`)
      .getByRole('button', { name: `🎉 1: ${bob.login}` })
      .waitFor();

    // alice deletes it, after the confirmation; bob sees a tombstone, and his reply's snippet
    // says so.
    await message(alice.page, `a typo here ${run}`).hover();
    await message(alice.page, `a typo here ${run}`)
      .getByRole('button', { name: 'Message actions' })
      .click();
    await alice.page.getByRole('menuitem', { name: 'Delete' }).click();
    await alice.page.getByRole('alertdialog').getByRole('button', { name: 'Delete' }).click();
    const gone = async (page: Page) => {
      await expect.poll(() => texts(page)).toEqual(['message deleted', reply]);
      await message(page, reply)
        .getByRole('button', { name: `In reply to ${alice.login}: message deleted` })
        .waitFor();
    };
    await gone(bob.page);
    // A reload shows the current state, from history.
    await bob.page.reload();
    await waitConnected(bob.page);
    await gone(bob.page);
    await say(alice, `#dR ${talk}`);
    for (const p of [alice, bob]) await expect.poll(() => heading(p.page)).toBe('#general');
  });

  it('scrolls up through the history, page by page over REST', async () => {
    // 130 messages posted over REST by Alice: more than the 50 that joined brings.
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: alice.login, password: alice.password }),
    });
    const { token } = (await login.json()) as { token: string };
    const history = Array.from(
      { length: 130 },
      (_, i) => `history line ${String(i).padStart(3, '0')}`,
    );
    for (const text of history) {
      const res = await fetch(`${server.url}/api/v1/rooms/general/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ text }),
      });
      expect(res.status).toBe(201);
    }
    const { page } = carol;
    await waitForTexts(page, [history.at(-1)!]);
    await page.reload();
    await waitConnected(page);
    await waitForTexts(page, [history.at(-1)!]);
    expect(await texts(page)).not.toContain(history[0]);

    // Scroll to the top until the first line shows up.
    await expect
      .poll(
        async () => {
          await log(page).evaluate((el) => el.scrollTo(0, 0));
          return (await texts(page)).includes(history[0]!);
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(true);
    const seen = (await texts(page)).filter((t) => t.startsWith('history line'));
    expect(seen).toEqual(history);
    // Everything older is there too, down to the beginning of the room.
    await waitForTexts(page, [`hello from alice ${run}`]);
    await log(page).getByText('This is the beginning of #general.').waitFor({ timeout: 20_000 });
  });

  it('search finds a room message and the caller’s own private one, and opens each in context', async () => {
    const tokenOf = async (p: Person) => {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login: p.login, password: p.password }),
      });
      return ((await res.json()) as { token: string }).token;
    };
    const post = async (token: string, path: string, text: string) => {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ text }),
      });
      expect(res.status).toBe(201);
    };
    const aliceToken = await tokenOf(alice);
    const target = `the quokka${run} budget is approved`;
    await post(aliceToken, '/rooms/general/messages', target);
    await post(await tokenOf(bob), `/dm/${alice.login}/messages`, `quokka${run} secret for alice`);
    // Enough newer messages that the target is far older than what a join loads.
    for (let i = 0; i < 120; i++) {
      await post(aliceToken, '/rooms/general/messages', `filler after the search target ${i}`);
    }
    const { page } = carol;
    await page.reload();
    await waitConnected(page);
    await waitForTexts(page, ['filler after the search target 119']);
    expect(await texts(page)).not.toContain(target);

    const box = page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill(`Quokka${run}`);
    await box.press('Enter');
    const results = page.getByRole('region', { name: 'Search results' });
    await results.getByText('1 message found').waitFor();
    const hit = results.locator('.search-hit');
    expect(await hit.count()).toBe(1); // bob's private message to alice is not carol's to find
    expect(await hit.locator('.search-hit-where').textContent()).toBe('#general');
    expect(await hit.locator('.search-hit-from').textContent()).toBe(alice.login);
    expect(await hit.locator('mark').allTextContents()).toEqual([`quokka${run}`]);

    await hit.click();
    await results.waitFor({ state: 'detached' });
    const focused = log(page).locator('.msg-focused');
    await focused.waitFor();
    expect(await focused.locator('.msg-text').textContent()).toBe(target);
    await expect.poll(() => focused.evaluate(inView)).toBe(true);
    // The log is one unbroken run from the target to the newest message.
    const shown = await texts(page);
    expect(shown.indexOf(target)).toBeLessThan(shown.indexOf('filler after the search target 0'));
    expect(shown).toContain('filler after the search target 119');
    await shot(page, 'search-opened');

    // Alice finds both, the private one named by its thread, and opens it there.
    const mine = alice.page.getByRole('searchbox', { name: 'Search messages' });
    await mine.fill(`quokka${run}`);
    await mine.press('Enter');
    const aliceResults = alice.page.getByRole('region', { name: 'Search results' });
    await aliceResults.getByText('2 messages found').waitFor();
    const privateHit = aliceResults.locator('.search-hit', {
      hasText: `Private with ${bob.login}`,
    });
    await privateHit.click();
    expect(await heading(alice.page)).toContain(bob.login);
    const inThread = log(alice.page).locator('.msg-focused .msg-text');
    await expect.poll(() => inThread.textContent()).toBe(`quokka${run} secret for alice`);
    await alice.page.getByRole('button', { name: /Back to/ }).click();
  });

  it('survives a backend crash: every tab reconnects and nothing is lost or doubled', async () => {
    const before = everyone().map((p) => `before crash from ${p.login}`);
    for (const [i, p] of everyone().entries()) await say(p, before[i]!);
    for (const p of everyone()) await waitForTexts(p.page, before);

    await server.kill();
    for (const p of everyone()) {
      await p.page.locator('.conn-reconnecting, .conn-connecting').waitFor({ timeout: 10_000 });
    }
    // "Reconnect" looks like a button: filled, unlike the bar it sits on.
    const reconnect = alice.page.getByRole('button', { name: 'Reconnect', exact: true });
    await reconnect.waitFor({ timeout: 10_000 });
    const [button, bar] = await Promise.all([
      reconnect.evaluate((el) => getComputedStyle(el).backgroundColor),
      alice.page.locator('.topbar').evaluate((el) => getComputedStyle(el).backgroundColor),
    ]);
    expect(button).not.toBe(bar);
    // Typed while the server is down: shown as pending.
    const during = everyone().map((p) => `typed while down by ${p.login}`);
    for (const [i, p] of everyone().entries()) {
      await say(p, during[i]!);
      await log(p.page).locator('.msg-pending', { hasText: during[i]! }).waitFor();
    }

    await server.start();
    for (const p of everyone()) await waitConnected(p.page, 40_000);

    const after = everyone().map((p) => `after restart from ${p.login}`);
    for (const [i, p] of everyone().entries()) await say(p, after[i]!);

    const all = [...before, ...during, ...after];
    for (const p of everyone()) await waitForTexts(p.page, all, 30_000);

    // Exactly once each, no pending left, and the same order on every screen.
    const orders: string[][] = [];
    for (const p of everyone()) {
      const seen = await rows(p.page);
      for (const text of all) expect(seen.filter((r) => r.text === text)).toHaveLength(1);
      expect(seen.filter((r) => r.pending)).toEqual([]);
      orders.push(seen.map((r) => r.text).filter((t) => all.includes(t)));
    }
    expect(orders[1]).toEqual(orders[0]);
    expect(orders[2]).toEqual(orders[0]);

    // A reload after the crash reads the same history from the server.
    await carol.page.reload();
    await waitConnected(carol.page);
    await waitForTexts(carol.page, all);
  });

  it('shows connection status, latency and clock offset; screenshots of the chat', async () => {
    const { page } = alice;
    // The state is announced by a live region (for screen readers only, the dot shows it).
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ state: 'attached' });
    // A connection indicator, no jargon in the bar: the figures are in its tooltip and details.
    const indicator = page.getByRole('button', { name: 'Connection: Connected' });
    expect(await page.locator('.topbar').innerText()).not.toMatch(/Ping|offset|\d ms/);
    await expect
      .poll(() => indicator.getAttribute('title'))
      .toMatch(
        /^Connected · Response time: \d+ ms · Clock difference with the server: [+-]?\d+ ms$/,
      );
    await indicator.click();
    const details = page.getByRole('group', { name: 'Connection details' });
    expect(await details.getByTestId('latency').textContent()).toMatch(/^\d+ ms$/);
    expect(await details.getByTestId('offset').textContent()).toMatch(/^[+-]?\d+ ms$/);
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    // Live counts: the three of us are in general.
    for (const p of everyone()) {
      await p.page
        .getByRole('button', { name: /^Join general, 3 here/ })
        .waitFor({ timeout: 5_000 });
    }
    await say(alice, 'Looks good on every screen size.');
    await waitForTexts(page, ['Looks good on every screen size.']);
    await shot(page, 'chat-desktop');

    const phone = await openPerson(browser, server.url, carol.login, { width: 390, height: 844 });
    await phone.page.goto('/login');
    await phone.page.getByLabel('Login', { exact: true }).fill(carol.login);
    await phone.page.getByLabel('Password', { exact: true }).fill(carol.password);
    await phone.page.getByRole('button', { name: 'Log in' }).click();
    await composer(phone.page).waitFor();
    await waitConnected(phone.page);
    await waitForTexts(phone.page, ['Looks good on every screen size.']);
    // On a phone: the product name and who is signed in stay; Send says so in words; the
    // language waits in the rooms drawer.
    const bar = phone.page.locator('.topbar');
    expect(await bar.getByText('Sala', { exact: true }).isVisible()).toBe(true);
    expect(await bar.getByText(carol.login, { exact: true }).isVisible()).toBe(true);
    expect(await bar.getByRole('combobox', { name: 'Language' }).isVisible()).toBe(false);
    expect(await phone.page.getByRole('button', { name: 'Send' }).innerText()).toBe('Send');
    expect(
      await phone.page.getByRole('button', { name: 'Connection: Connected' }).isVisible(),
    ).toBe(true);
    await shot(phone.page, 'chat-phone');
    // On a phone the rooms list is a drawer.
    await phone.page.getByRole('button', { name: 'Show rooms' }).click();
    await phone.page.getByRole('button', { name: /^Join general\b/ }).waitFor();
    // Focus went into the drawer as it slid in, and scrolled nothing sideways on the way.
    expect(
      await phone.page.locator('#rooms-drawer').evaluate((aside) => ({
        focusInside: aside.contains(document.activeElement),
        scrolledSideways: [aside, ...Array.from(aside.querySelectorAll('*'))].some(
          (e) => e.scrollLeft !== 0,
        ),
      })),
    ).toEqual({ focusInside: true, scrolledSideways: false });
    await expect // the drawer has slid in (0.2 s)
      .poll(() =>
        phone.page.locator('#rooms-drawer').evaluate((el) => getComputedStyle(el).transform),
      )
      .toBe('none');
    await shot(phone.page, 'chat-phone-rooms');
    const drawer = phone.page.locator('#rooms-drawer');
    expect(await drawer.getByRole('combobox', { name: 'Language' }).isVisible()).toBe(true);
    // A visible close button, and the focus back on the button that opened the drawer.
    await drawer.getByRole('button', { name: 'Close rooms' }).click();
    await expect
      .poll(() => phone.page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Show rooms');
    await phone.page.getByRole('button', { name: 'Show people' }).click();
    await phone.page.getByRole('button', { name: 'Close people' }).click();
    await expect
      .poll(() =>
        phone.page.locator('#people-drawer').evaluate((el) => getComputedStyle(el).visibility),
      )
      .toBe('hidden');
    await phone.ctx.close();

    for (const p of everyone()) {
      expect(p.dialogs).toEqual([]);
      expect(p.errors).toEqual([]);
    }
  });

  it('logs out', async () => {
    const { page } = carol;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
  });
});
