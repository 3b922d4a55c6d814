// Replies, edits, deletions, reactions and typing in the chat view, by mouse and keyboard,
// with the server played through the fake socket.
import { screen, waitFor, within } from '@testing-library/vue';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateEnvelope } from '@sala/sdk/testing';
import App from '../../src/App.vue';
import { setSalaServices } from '../../src/services/sala';
import { useChatStore } from '../../src/stores/chat';
import {
  FakeWebSocket,
  alice,
  defaultRoutes,
  fakeFetch,
  fakeServices,
  flush,
  msg,
  welcome,
} from './fakes';
import { renderApp } from './render';
import type { Locale } from '../../src/i18n';

beforeEach(() => {
  localStorage.clear();
  FakeWebSocket.all = [];
  setSalaServices(fakeServices(fakeFetch(defaultRoutes()).fetch));
});
afterEach(() => useChatStore().stop());

/** Opens the chat as alice in #general with bob's message 1 and alice's message 2. */
async function openChat(locale: Locale = 'en') {
  localStorage.setItem('sala.token', 'jwt');
  localStorage.setItem('sala.user', JSON.stringify(alice));
  await renderApp(App, { route: '/', locale });
  await screen.findByRole('textbox');
  const ws = FakeWebSocket.last();
  ws.open();
  ws.receive(welcome(), {
    type: 'joined',
    room: 'general',
    history: [msg(1, 'hello alice'), msg(2, 'hi bob', 'alice')],
    resumed: false,
    more: false,
  });
  await flush();
  return ws;
}

const sent = (ws: FakeWebSocket, type: string) => ws.sent.filter((e) => e.type === type);
const messageEl = (id: number) => document.querySelector<HTMLElement>(`[data-message-id="${id}"]`)!;
const update = updateEnvelope;

describe('a message’s actions', () => {
  it('replies from the menu: the send carries reply_to, the reply shows its snippet', async () => {
    const user = userEvent.setup();
    const ws = await openChat();
    await user.click(within(messageEl(1)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Reply' }));
    expect(screen.getByText('Replying to bob:')).toBeTruthy();
    await user.keyboard('sure');
    expect(sent(ws, 'typing')).toEqual([{ type: 'typing' }]);
    await user.keyboard('{Enter}');
    expect(sent(ws, 'send').at(-1)).toMatchObject({ text: 'sure', reply_to: 1 });
    expect(screen.queryByText('Replying to bob:')).toBeNull();
    ws.receive({
      ...msg(3, 'sure', 'alice'),
      reply_to: { id: 1, from: 'bob', text: 'hello alice' },
    });
    await flush();
    const snippet = within(messageEl(3)).getByRole('button', {
      name: 'In reply to bob: hello alice',
    });
    await user.click(snippet);
    expect(document.activeElement).toBe(messageEl(1));
  });

  it('edits with arrow-up in the empty composer, and Escape calls an edit off', async () => {
    const user = userEvent.setup();
    const ws = await openChat();
    const box = screen.getByRole('textbox', { name: 'Message' }) as HTMLTextAreaElement;
    await user.click(box);
    await user.keyboard('{ArrowUp}');
    expect(screen.getByText('Editing your message')).toBeTruthy();
    expect(box.value).toBe('hi bob');
    await user.keyboard('{Escape}');
    expect(box.value).toBe('');
    expect(screen.queryByText('Editing your message')).toBeNull();
    await user.keyboard('{ArrowUp}');
    await user.clear(box);
    await user.type(box, 'hi bob!{Enter}');
    expect(sent(ws, 'edit')).toEqual([
      expect.objectContaining({ type: 'edit', message_id: 2, text: 'hi bob!' }),
    ]);
    expect(sent(ws, 'send')).toEqual([]);
  });

  it('offers edit and delete only on my messages, and deletes after a confirmation', async () => {
    const user = userEvent.setup();
    const ws = await openChat();
    await user.click(within(messageEl(1)).getByRole('button', { name: 'Message actions' }));
    expect(screen.queryByRole('menuitem', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('menuitem', { name: 'Delete' })).toBeNull();
    await user.keyboard('{Escape}');
    await user.click(within(messageEl(2)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Delete' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete this message for everyone?' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(sent(ws, 'delete')).toEqual([]);
    await user.click(within(messageEl(2)).getByRole('button', { name: 'Message actions' }));
    await user.click(screen.getByRole('menuitem', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    expect(sent(ws, 'delete')).toEqual([expect.objectContaining({ message_id: 2 })]);
  });

  it('works from the keyboard: a focused message opens its menu with Enter, arrows move', async () => {
    const user = userEvent.setup();
    const ws = await openChat();
    messageEl(1).focus();
    await user.keyboard('{Enter}');
    expect(document.activeElement).toBe(screen.getByRole('menuitem', { name: 'Reply' }));
    await user.keyboard('{ArrowDown}{Enter}'); // the first emoji of the picker
    expect(sent(ws, 'react')).toEqual([expect.objectContaining({ message_id: 1, emoji: '👍' })]);
    expect(document.activeElement).toBe(
      within(messageEl(1)).getByRole('button', { name: 'Message actions' }),
    );
  });
});

describe('what others did', () => {
  it('shows edits, tombstones and reactions as they come, and announces edits politely', async () => {
    const user = userEvent.setup();
    const ws = await openChat();
    ws.receive(update(10, 1, { text: 'hello everyone' }));
    await flush();
    expect(messageEl(1).textContent).toContain('hello everyone');
    expect(within(messageEl(1)).getByText('(edited)')).toBeTruthy();
    expect(screen.getByText('bob edited a message').getAttribute('role')).toBe('status');
    ws.receive(
      update(11, 2, {
        kind: 'reaction',
        emoji: '🎉',
        reactions: [{ emoji: '🎉', count: 2, users: ['bob', 'alice'] }],
      }),
    );
    await flush();
    const chip = within(messageEl(2)).getByRole('button', { name: '🎉 2: bob, you' });
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    expect(chip.getAttribute('title')).toBe('🎉 2: bob, you');
    await user.click(chip); // toggles mine off
    expect(sent(ws, 'react')).toEqual([expect.objectContaining({ message_id: 2, emoji: '🎉' })]);
    ws.receive(update(12, 1, { kind: 'deleted' }));
    await flush();
    expect(messageEl(1).textContent).toContain('message deleted');
    expect(messageEl(1).textContent).not.toContain('hello everyone');
    expect(within(messageEl(1)).queryByRole('button', { name: 'Message actions' })).toBeNull();
    expect(screen.getByText('bob deleted a message').getAttribute('role')).toBe('status');
  });

  it('tells the others I am typing, not for commands', async () => {
    const user = userEvent.setup();
    const ws = await openChat();
    await user.type(screen.getByRole('textbox', { name: 'Message' }), '#help');
    expect(sent(ws, 'typing')).toEqual([]);
    await user.clear(screen.getByRole('textbox', { name: 'Message' }));
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'hel');
    expect(sent(ws, 'typing')).toEqual([{ type: 'typing' }]);
  });

  it('says who is typing under the log, outside the live regions', async () => {
    const ws = await openChat();
    ws.receive({ type: 'typing', room: 'general', user: 'bob' });
    ws.receive({ type: 'typing', room: 'general', user: 'carol' });
    await flush();
    const line = screen.getByTestId('typing');
    expect(line.textContent).toBe('bob and carol are typing…');
    expect(line.closest('[aria-live], [role="log"], [role="status"]')).toBeNull();
  });

  it('speaks Spanish', async () => {
    const ws = await openChat('es');
    ws.receive(update(10, 1, { text: 'hola' }), { type: 'typing', room: 'general', user: 'bob' });
    await flush();
    expect(within(messageEl(1)).getByText('(editado)')).toBeTruthy();
    expect(screen.getByTestId('typing').textContent).toBe('bob está escribiendo…');
    expect(within(messageEl(1)).getByRole('button', { name: 'Acciones del mensaje' })).toBeTruthy();
    await waitFor(() => expect(screen.getByText('bob editó un mensaje')).toBeTruthy());
  });
});
