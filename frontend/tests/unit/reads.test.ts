// Unread badges, the "New messages" line, mention highlighting and `@` completion.
import { screen } from '@testing-library/vue';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mentionsIn } from '@sala/sdk';
import Composer from '../../src/components/Composer.vue';
import MentionsMenu from '../../src/components/MentionsMenu.vue';
import MessageList from '../../src/components/MessageList.vue';
import RoomList from '../../src/components/RoomList.vue';
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

const logins = ['alice', 'bob', 'bobby', 'carol'];

describe('@ completion in the composer', () => {
  it('offers logins after @, moves with the arrows, takes one with Enter or Tab, closes with Esc', async () => {
    const user = userEvent.setup();
    const { emitted } = await renderApp(Composer, {
      props: { placeholder: 'x', commands, logins, me: 'alice' },
    });
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(box, 'hi @b');
    const list = screen.getByRole('listbox', { name: 'People to mention' });
    expect(list.textContent).toContain('@bob');
    expect(list.textContent).toContain('@bobby');
    expect(list.textContent).not.toContain('@alice');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(box.value).toBe('hi @bobby ');
    expect(emitted().send).toBeUndefined();
    await user.type(box, 'and @c');
    await user.keyboard('{Tab}');
    expect(box.value).toBe('hi @bobby and @carol ');
    await user.type(box, '@b');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).toBeNull();
    await user.keyboard('{Enter}');
    expect(emitted().send).toEqual([['hi @bobby and @carol @b']]);
  });

  it('takes a login with the mouse', async () => {
    const user = userEvent.setup();
    await renderApp(Composer, { props: { placeholder: 'x', commands, logins, me: 'alice' } });
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.type(box, '@ca');
    await user.click(screen.getByRole('option', { name: '@carol' }));
    expect(box.value).toBe('@carol ');
  });
});

describe('messages', () => {
  const item = (id: number, text: string, from = 'bob'): TimelineItem => {
    const m = {
      ...msg(id, text, from),
      mentions: mentionsIn(text),
    };
    return { kind: 'message', key: `m${id}`, message: m, id, from, text, at: m.sent_at };
  };

  it('marks a mention of me, and puts the New messages line above the first unread', async () => {
    await renderApp(MessageList, {
      props: {
        items: [item(1, 'hello'), item(2, 'hey @alice, look'), item(3, 'and @bob')],
        label: 'log',
        beginning: 'start',
        hasMore: false,
        loading: false,
        conversationKey: 'room:general',
        me: 'alice',
        newFrom: 2,
      },
    });
    const mine = screen.getByTestId('mention-me');
    expect(mine.textContent).toBe('@alice');
    expect(mine.closest('.msg')?.classList.contains('msg-mentions-me')).toBe(true);
    expect(screen.getByText('@bob').classList.contains('mention-me')).toBe(false);
    const line = screen.getByTestId('new-messages');
    expect(line.getAttribute('role')).toBe('separator');
    expect(line.textContent).toContain('New messages');
    // The line sits right before message 2, the first unread.
    expect(line.nextElementSibling?.getAttribute('data-message-id')).toBe('2');
  });
});

describe('room badges', () => {
  afterEach(() => useChatStore().stop());

  it('shows each room’s unread count and a distinct mention badge from welcome', async () => {
    const pinia = freshPinia();
    localStorage.setItem('sala.token', 'jwt');
    localStorage.setItem('sala.user', JSON.stringify(alice));
    const chat = useChatStore(pinia);
    chat.start();
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive(
      Object.assign(welcome(), {
        unread: [
          { room: 'general', count: 0, mentions: 0, last_read: 4 },
          { room: 'books', count: 3, mentions: 1, last_read: 2 },
        ],
      }),
      { type: 'joined', room: 'general', history: [], resumed: false, more: false },
    );
    await flush();
    await renderApp(RoomList, { pinia });
    screen.getByRole('button', { name: 'Join books, 1 here, 3 unread messages, 1 mention' });
    expect(screen.getByTestId('room-books-unread').textContent).toBe('3');
    expect(screen.getByTestId('room-books-mentions').textContent).toBe('@1');
    expect(screen.queryByTestId('room-general-unread')).toBeNull();
    expect(chat.totalUnread).toBe(3);
  });
});

describe('the mentions menu', () => {
  it('lists mentions (one opens its room) and offers notifications only from its button', async () => {
    const user = userEvent.setup();
    const mention = { room: 'ops', message_id: 9, from: 'bob', text: '@alice look', at: 1 };
    const { emitted } = await renderApp(MentionsMenu, {
      props: { mentions: [mention], unread: 1, permission: 'default' },
    });
    const button = screen.getByRole('button', { name: 'Mentions, 1 mention' });
    expect(screen.queryByRole('button', { name: 'Turn on notifications' })).toBeNull();
    await user.click(button);
    await user.click(screen.getByRole('button', { name: 'Turn on notifications' }));
    expect(emitted().enable).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: /bob in #ops/ }));
    expect(emitted().open).toEqual([['ops']]);
  });
});
