import { fireEvent, screen, waitFor, within } from '@testing-library/vue';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Composer from '../../src/components/Composer.vue';
import ConnectionStatus from '../../src/components/ConnectionStatus.vue';
import MessageList from '../../src/components/MessageList.vue';
import RoomList from '../../src/components/RoomList.vue';
import UserList from '../../src/components/UserList.vue';
import LanguageSwitch from '../../src/components/LanguageSwitch.vue';
import NoticeItem from '../../src/components/NoticeItem.vue';
import { setSalaServices } from '../../src/services/sala';
import { useChatStore, type TimelineItem } from '../../src/stores/chat';
import {
  FakeWebSocket,
  alice,
  commands,
  defaultRoutes,
  fakeFetch,
  fakeServices,
  flush,
  msg,
  welcome,
} from './fakes';
import { freshPinia, renderApp } from './render';

beforeEach(() => {
  localStorage.clear();
  FakeWebSocket.all = [];
  setSalaServices(fakeServices(fakeFetch(defaultRoutes()).fetch));
});

describe('Composer', () => {
  it('is labelled "Message", sends on Enter and clears', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, { props: { placeholder: 'x', commands } });
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, 'hola{Enter}');
    expect(emitted().send).toEqual([['hola']]);
    expect((box as HTMLTextAreaElement).value).toBe('');
  });

  it('adds a line with Shift+Enter and never sends blanks', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, { props: { placeholder: 'x', commands } });
    const box = screen.getByRole('textbox', { name: 'Message' });
    await user.type(box, '   {Enter}');
    expect(emitted().send).toBeUndefined();
    await user.clear(box);
    await user.type(box, 'a{Shift>}{Enter}{/Shift}b{Enter}');
    expect(emitted().send).toEqual([['a\nb']]);
  });

  it('never cuts a long text: counts characters as the server does, and over 4000 says so', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, { props: { placeholder: 'x', commands } });
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    const send = screen.getByRole('button', { name: 'Send' });
    const emoji = '😀'.repeat(2100); // 4,200 UTF-16 units, 2,100 characters
    await fireEvent.update(box, emoji);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(box, '{Enter}');
    expect(emitted().send).toEqual([[emoji]]);

    await fireEvent.update(box, 'x'.repeat(4001));
    expect(box.value).toHaveLength(4001); // nothing cut
    expect(screen.getByRole('alert').textContent).toContain('4001/4000');
    expect(send).toHaveProperty('disabled', true);
    await user.type(box, '{Enter}');
    expect(emitted().send).toHaveLength(1);

    await fireEvent.update(box, `#private bob ${'x'.repeat(4000)}`); // its message is 4000
    expect(screen.queryByRole('alert')).toBeNull();
    expect(send).toHaveProperty('disabled', false);
  });

  it('offers the commands when typing #, filtered by prefix', async () => {
    const user = userEvent.setup();
    await renderApp(Composer, { props: { placeholder: 'x', commands } });
    const box = screen.getByRole('textbox', { name: 'Message' });
    expect(screen.queryByRole('listbox')).toBeNull();
    await user.type(box, '#');
    const list = screen.getByRole('listbox', { name: 'Commands' });
    expect(within(list).getAllByRole('option')).toHaveLength(commands.length);
    await user.type(box, 'g');
    expect(
      within(list)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual([expect.stringContaining('#gR <room>')]);
  });

  it('completes a hint with Tab and picks one with the arrows', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, { props: { placeholder: 'x', commands } });
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(box, '#c');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('#cR ');
    await user.clear(box);
    await user.type(box, '#');
    await user.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(screen.getByRole('option', { selected: true }).textContent).toContain('#help');
    await user.keyboard('{Enter}');
    expect(emitted().send).toEqual([['#help']]);
  });

  it('completes the one command an incomplete word starts on Enter, and sends complete ones', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, { props: { placeholder: 'x', commands } });
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(box, '#g{Enter}');
    expect(emitted().send).toBeUndefined();
    expect(box.value).toBe('#gR ');
    await user.type(box, 'books{Enter}');
    expect(emitted().send).toEqual([['#gR books']]);
    await user.type(box, '#he{Enter}');
    expect(box.value).toBe('#help');
    await user.type(box, '{Enter}');
    expect(emitted().send).toEqual([['#gR books'], ['#help']]);
    // A complete command, several candidates, or an unknown word: sent as typed.
    await user.type(box, '#eR{Enter}');
    await user.type(box, '#{Enter}');
    await user.type(box, '#bogus{Enter}');
    expect(emitted().send?.slice(2)).toEqual([['#eR'], ['#'], ['#bogus']]);
  });

  it('hides the hints with Escape', async () => {
    const user = userEvent.setup();
    await renderApp(Composer, { props: { placeholder: 'x', commands } });
    await user.type(screen.getByRole('textbox', { name: 'Message' }), '#');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
  });
});

/** A message row as the SDK's timeline() makes it. */
function message(id: number, text: string): TimelineItem {
  const m = msg(id, text);
  return { kind: 'message', key: `m${id}`, message: m, id, from: m.from, text, at: id };
}

function pendingItem(id: string, text: string, at: number): TimelineItem {
  const pending = {
    id,
    text,
    kind: 'message' as const,
    room: 'general',
    createdAt: at,
    attempts: 0,
    at,
  };
  return { kind: 'pending', key: `p${id}`, pending, from: 'alice', text, at };
}

describe('MessageList', () => {
  const items: TimelineItem[] = [
    message(1, '<img src=x onerror=alert(1)>'),
    message(2, 'second'),
    {
      kind: 'notice',
      key: 'n1',
      at: 3,
      notice: {
        kind: 'event',
        event: { type: 'event', kind: 'user_joined', room: 'general', user: 'carol', at: 3 },
        key: 'n1',
        afterId: 2,
        at: 3,
      },
    },
    pendingItem('c1', 'on its way', 4),
  ];
  const props = {
    items,
    label: 'Messages in general',
    beginning: 'start',
    hasMore: true,
    loading: false,
    conversationKey: 'room:general',
    me: 'alice',
  };

  it('is a log region that renders text as text, never HTML', async () => {
    const { container } = await renderApp(MessageList, { props });
    const log = screen.getByRole('log', { name: 'Messages in general' });
    expect(within(log).getByText('<img src=x onerror=alert(1)>')).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
  });

  it('makes web addresses links to a new tab, and leaves markup and other schemes as text', async () => {
    const text = 'see https://example.org/a_(b), www.sala.chat. <b>x</b> javascript:alert(1)';
    const { container } = await renderApp(MessageList, {
      props: { ...props, items: [{ kind: 'message', key: 'm9', id: 9, from: 'bob', text, at: 9 }] },
    });
    const links = within(screen.getByRole('log')).getAllByRole('link');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['https://example.org/a_(b)', 'https://example.org/a_(b)'],
      ['www.sala.chat', 'https://www.sala.chat'],
    ]);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer nofollow');
    }
    expect(container.querySelector('.msg-text')?.textContent).toBe(text);
    expect(container.querySelector('b')).toBeNull();
  });

  it('puts the sender before the text, shows events inline and pending sends', async () => {
    await renderApp(MessageList, { props });
    const log = screen.getByRole('log');
    expect(log.textContent).toMatch(/bob.*<img src=x.*second/s);
    expect(within(log).getByText(/carol joined general/)).toBeTruthy();
    expect(within(log).getByText('on its way')).toBeTruthy();
    expect(within(log).getByText('sending…')).toBeTruthy();
  });

  it('asks for older messages from its button', async () => {
    const { emitted } = await renderApp(MessageList, { props });
    await fireEvent.click(screen.getByRole('button', { name: 'Load older messages' }));
    expect(emitted().loadOlder).toBeTruthy();
  });

  it('keeps the keyboard focus on "Load older messages" across pages, then on the log', async () => {
    const { rerender } = await renderApp(MessageList, { props });
    screen.getByRole('button', { name: 'Load older messages' }).focus();
    await rerender({ ...props, loading: true });
    await rerender({ ...props, loading: false });
    await waitFor(() =>
      expect(document.activeElement).toBe(
        screen.getByRole('button', { name: 'Load older messages' }),
      ),
    );
    await rerender({ ...props, loading: true });
    await rerender({ ...props, loading: false, hasMore: false });
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('log', { name: 'Messages in general' })),
    );
  });

  it('keeps the focus in the log when a card is dismissed with the keyboard', async () => {
    const card: TimelineItem = {
      kind: 'notice',
      key: 'e1',
      at: 5,
      notice: { kind: 'error', key: 'e1', afterId: 2, at: 5, code: 'unknown_command', message: '' },
    };
    const { rerender, emitted } = await renderApp(MessageList, {
      props: { ...props, items: [...items, card] },
    });
    const dismiss = screen.getByRole('button', { name: 'Dismiss' });
    dismiss.focus();
    await fireEvent.click(dismiss);
    expect(emitted().dismiss).toEqual([['e1']]);
    await rerender({ ...props, items }); // the store drops the card
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole('log', { name: 'Messages in general' })),
    );
  });

  it('capitalises a day separator’s first word only', async () => {
    await renderApp(MessageList, { props, locale: 'es' });
    // "jueves, 1 de enero" (1970, the items' day) as "Jueves, 1 de enero".
    expect(screen.getByRole('separator').textContent?.trim()).toMatch(
      /^[A-Z][a-z]+, \d+ de [a-z]+$/,
    );
  });

  it('says where the conversation begins once everything is loaded', async () => {
    await renderApp(MessageList, { props: { ...props, hasMore: false } });
    expect(screen.getByText('start')).toBeTruthy();
  });
});

describe('chat panels', () => {
  async function connected() {
    const pinia = freshPinia();
    localStorage.setItem('sala.token', 'jwt');
    localStorage.setItem('sala.user', JSON.stringify(alice));
    const chat = useChatStore(pinia);
    chat.start();
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: [],
      resumed: false,
      more: false,
    });
    await flush();
    return { pinia, chat, ws };
  }
  afterEach(() => useChatStore().stop());

  it('lists rooms with counts, marks the default, joins on click', async () => {
    const { pinia, ws } = await connected();
    await renderApp(RoomList, { pinia });
    const general = screen.getByRole('button', { name: 'Join general, 2 here, default' });
    expect(general.getAttribute('aria-current')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'Join books, 1 here' }));
    expect(ws.sentTexts().at(-1)).toBe('#gR books');
  });

  it('lists rooms default first, then in natural order ignoring case', async () => {
    const { pinia, chat } = await connected();
    const room = (name: string) => ({ name, owner: 'bob', members: 1, default: false });
    chat.state = {
      ...chat.state,
      rooms: [room('room-10'), room('Room-2'), room('room-1'), ...chat.rooms],
    };
    await renderApp(RoomList, { pinia });
    const names = screen
      .getAllByRole('button', { name: /^Join / })
      .map((b) => b.getAttribute('aria-label')?.replace(/^Join (\S+),.*$/, '$1'));
    expect(names).toEqual(['general', 'books', 'room-1', 'Room-2', 'room-10']);
  });

  it('creates a room from the form', async () => {
    const { pinia, ws } = await connected();
    const user = userEvent.setup();
    await renderApp(RoomList, { pinia });
    await user.click(screen.getByRole('button', { name: /New room/ }));
    await user.type(screen.getByLabelText('Room name'), 'poetry{Enter}');
    expect(ws.sentTexts().at(-1)).toBe('#cR poetry');
  });

  it('keeps a name the server would refuse in the form, with the reason', async () => {
    const { pinia, ws } = await connected();
    const user = userEvent.setup();
    await renderApp(RoomList, { pinia });
    await user.click(screen.getByRole('button', { name: /New room/ }));
    const box = screen.getByLabelText('Room name');
    await user.type(box, 'bad name!{Enter}');
    expect(ws.sentTexts().filter((t) => t.startsWith('#cR'))).toEqual([]);
    expect(screen.getByRole('alert').textContent).toContain(
      '“bad name!” is not a room name: use 1–32 letters, digits, - or _.',
    );
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect((box as HTMLInputElement).value).toBe('bad name!');
    await user.clear(box);
    await user.type(box, 'bad-name{Enter}');
    expect(ws.sentTexts().at(-1)).toBe('#cR bad-name');
  });

  it('hands the focus to a button that stays when the form or a confirmation closes', async () => {
    const { pinia } = await connected();
    const user = userEvent.setup();
    await renderApp(RoomList, { pinia });
    const newRoom = screen.getByRole('button', { name: /New room/ });
    await user.click(newRoom);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(document.activeElement).toBe(newRoom));
    const trash = screen.getByRole('button', { name: 'Delete room books' });
    await user.click(trash);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(document.activeElement).toBe(trash));
    await user.click(trash);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(document.activeElement).toBe(newRoom));
  });

  it('deletes an own room after an inline confirmation', async () => {
    const { pinia, ws } = await connected();
    await renderApp(RoomList, { pinia });
    expect(screen.queryByRole('button', { name: 'Delete room general' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Delete room books' }));
    expect(ws.sentTexts()).not.toContain('#dR books');
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    expect(ws.sentTexts().at(-1)).toBe('#dR books');
  });

  it('lists people by login in natural order, ignoring case', async () => {
    const { pinia, chat } = await connected();
    const person = (login: string) => ({ login, first_name: 'A', last_name: 'B', online: false });
    chat.state = {
      ...chat.state,
      users: [person('bob10'), person('Bob2'), person('bob1'), person('alice')],
    };
    await renderApp(UserList, { pinia });
    const logins = screen
      .getAllByRole('button', { name: /^Private conversation with / })
      .map((b) => /with (\S+),/.exec(b.getAttribute('aria-label') ?? b.textContent ?? '')?.[1]);
    expect(logins).toEqual(['bob1', 'Bob2', 'bob10']);
  });

  it('lists everyone with presence and opens a private thread', async () => {
    const { pinia, chat, ws } = await connected();
    ws.receive({
      type: 'private',
      id: 9,
      from: 'bob',
      to: 'alice',
      text: 'hey',
      sent_at: Date.now() + 1_000, // live: after the welcome
      client_id: '',
    });
    await renderApp(UserList, { pinia });
    screen.getByText('alice (you)');
    const bob = screen.getByRole('button', {
      name: 'Private conversation with bob, online in general, 1 unread message',
    });
    screen.getByRole('button', { name: 'Private conversation with carol, offline' });
    await fireEvent.click(bob);
    expect(chat.conversation).toEqual({ kind: 'private', login: 'bob' });
    await fireEvent.click(screen.getByRole('button', { name: 'Refresh people' }));
    expect(ws.sentTexts().at(-1)).toBe('#show users');
  });

  it('is a connection indicator with a dot; its figures are in its tooltip and details, not in the bar', async () => {
    const user = userEvent.setup();
    const { pinia, chat } = await connected();
    const { container } = await renderApp(ConnectionStatus, { pinia });
    chat.state = { ...chat.state, clock: { offset: 12.4, latency: 33.3, bestRtt: 20, samples: 3 } };
    await flush();
    expect(screen.getByRole('status').textContent?.trim()).toBe('Connected');
    const indicator = screen.getByRole('button', { name: 'Connection: Connected' });
    expect(indicator.textContent?.trim()).toBe('Connected');
    expect(indicator.querySelector('.conn-dot')).not.toBeNull();
    // No jargon on show: the figures wait in the tooltip and behind the indicator.
    expect(container.textContent).not.toMatch(/Ping|Clock offset|33 ms/);
    expect(indicator.title).toBe(
      'Connected · Response time: 33 ms · Clock difference with the server: +12 ms',
    );
    expect(indicator.getAttribute('aria-expanded')).toBe('false');

    await user.click(indicator);
    const details = screen.getByRole('group', { name: 'Connection details' });
    expect(indicator.getAttribute('aria-expanded')).toBe('true');
    expect(within(details).getByText('Response time').nextElementSibling?.textContent).toBe(
      '33 ms',
    );
    expect(
      within(details).getByText('Clock difference with the server').nextElementSibling?.textContent,
    ).toBe('+12 ms');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('group', { name: 'Connection details' })).toBeNull();
    expect(document.activeElement).toBe(indicator);

    await user.click(indicator); // and a click elsewhere closes it
    await user.click(document.body);
    expect(screen.queryByRole('group', { name: 'Connection details' })).toBeNull();
  });

  it('shows a large clock offset in seconds, minutes or hours, in the UI language', async () => {
    const { pinia, chat } = await connected();
    const offsets: [number, string, string][] = [
      [-999.4, '-999 ms', '-999 ms'],
      [-3612.3, '-3.6 s', '-3,6 s'],
      [59_940, '+59.9 s', '+59,9 s'],
      [-754_000, '-12 min 34 s', '-12 min 34 s'],
      [-3_601_235, '-1 h 0 min 1 s', '-1 h 0 min 1 s'],
    ];
    for (const locale of ['en', 'es'] as const) {
      const { unmount } = await renderApp(ConnectionStatus, { pinia, locale });
      await fireEvent.click(screen.getByRole('button', { name: /^(Connection|Conexión): / }));
      for (const [offset, en, es] of offsets) {
        chat.state = { ...chat.state, clock: { offset, latency: 30, bestRtt: 20, samples: 3 } };
        await flush();
        expect(screen.getByTestId('offset').textContent).toBe(locale === 'en' ? en : es);
      }
      unmount();
    }
  });

  it('shows the reconnect countdown but announces the state once, without it', async () => {
    const { pinia, chat } = await connected();
    await renderApp(ConnectionStatus, { pinia });
    chat.state = {
      ...chat.state,
      connection: { state: 'reconnecting', attempt: 2, retryAt: Date.now() + 9_000 },
    };
    await flush();
    const indicator = screen.getByRole('button', { name: 'Connection: Reconnecting…' });
    expect(indicator.textContent).toMatch(/Reconnecting in \d+ s…/); // on screen
    expect(screen.getByRole('status').textContent?.trim()).toBe('Reconnecting…'); // read once
    expect(screen.getByRole('button', { name: 'Reconnect' })).toBeTruthy();
  });
});

describe('errors', () => {
  const error = (code: string, message: string, about?: string) => ({
    kind: 'error' as const,
    key: 'e1',
    afterId: 0,
    at: 1,
    code,
    message,
    about,
  });

  it('names the room or user of a failed command in the UI language', async () => {
    await renderApp(NoticeItem, {
      props: { notice: error('room_not_found', 'no live room named "Libros"', 'Libros') },
      locale: 'es',
    });
    screen.getByText('No hay ninguna sala activa llamada «Libros».');
  });

  it('says it without a name when the command is not known', async () => {
    await renderApp(NoticeItem, {
      props: { notice: error('user_not_found', 'no user "carol"') },
      locale: 'es',
    });
    screen.getByText('No hay ningún usuario con ese nombre.');
  });

  it('shows the text of a message that was not sent, so it is not lost', async () => {
    const notice = {
      ...error('not_sent', 'the room books is gone', 'books'),
      unsent: 'my long text',
    };
    await renderApp(NoticeItem, { props: { notice }, locale: 'es' });
    screen.getByText('No enviado: la sala «books» ya no existía al reconectar.');
    screen.getByText('my long text');
  });

  it('keeps the server’s words for a code it has no translation for', async () => {
    await renderApp(NoticeItem, {
      props: { notice: error('too_new', 'something the server knows', 'x') },
      locale: 'es',
    });
    screen.getByText('Something the server knows.'); // a sentence, not a fragment
  });
});

describe('help', () => {
  it('describes the commands and their usages in the UI language, keeping the server’s words for unknown ones', async () => {
    const notice = {
      kind: 'help' as const,
      key: 'n1',
      afterId: 0,
      at: 1,
      commands: [
        ...commands,
        {
          command: '#private',
          usage: '#private <login> <text>',
          description: 'send a private message',
        },
        { command: '#poll', usage: '#poll <question>', description: 'ask the room a question' },
      ],
    };
    await renderApp(NoticeItem, { props: { notice }, locale: 'es' });
    const rows = screen.getAllByRole('row').map((r) => r.textContent);
    expect(rows).toContain('#cR <sala>crea una sala tuya y entra en ella');
    expect(rows).toContain(
      '#private <usuario> <texto>envía un mensaje privado (también #\\private)',
    );
    expect(rows).toContain('#poll <question>ask the room a question');
  });
});

describe('LanguageSwitch', () => {
  it('switches to Spanish and remembers it', async () => {
    const user = userEvent.setup();
    await renderApp(LanguageSwitch);
    await user.selectOptions(screen.getByLabelText('Language'), 'es');
    expect(screen.getByLabelText('Idioma')).toBeTruthy();
    expect(localStorage.getItem('sala.locale')).toBe('es');
    expect(document.documentElement.lang).toBe('es');
    await user.selectOptions(screen.getByLabelText('Idioma'), 'en');
  });
});
