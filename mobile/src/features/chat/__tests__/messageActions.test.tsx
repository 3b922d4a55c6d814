import { act, fireEvent, waitFor, within } from 'expo-router/testing-library';
import { updateEnvelope } from '@sala/sdk/testing';

import { ChatScreen } from '@/features/chat/ChatScreen';
import { keys } from '@/lib/storage';

import {
  fakeServices,
  FakeSocket,
  handshake,
  message,
  signedInStorage,
} from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

const update = updateEnvelope;

/** alice in #general with bob's message 1 and her own message 2. */
async function openChat(language = 'en') {
  const storage = signedInStorage();
  storage.data.set(keys.language, language);
  const { services } = fakeServices(storage);
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () =>
    handshake(FakeSocket.last, 'general', [message(1, 'bob', 'hola'), message(2, 'alice', 'hi')]),
  );
  return r.screen;
}

const rows = (screen: Awaited<ReturnType<typeof openChat>>) =>
  screen.getAllByTestId('message-row-press');
const sent = (type: string) => FakeSocket.last.sent.filter((e) => e.type === type);

test('a long press opens the actions; reply sends reply_to and shows the snippet', async () => {
  const screen = await openChat();
  await fireEvent(rows(screen)[0]!, 'longPress');
  expect(screen.getByTestId('message-actions')).toBeOnTheScreen();
  expect(screen.queryByTestId('action-edit')).toBeNull(); // bob's message
  expect(screen.queryByTestId('action-delete')).toBeNull();
  await fireEvent.press(screen.getByTestId('action-reply'));
  expect(screen.getByText('Replying to bob: hola')).toBeOnTheScreen();
  await fireEvent.changeText(screen.getByTestId('composer-input'), 'sí');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(sent('send').at(-1)).toMatchObject({ text: 'sí', reply_to: 1 });
  expect(screen.queryByTestId('composer-context')).toBeNull();
  await act(async () =>
    FakeSocket.last.receive({
      ...message(3, 'alice', 'sí'),
      reply_to: { id: 1, from: 'bob', text: 'hola' },
    }),
  );
  expect(screen.getByLabelText('In reply to bob: hola')).toBeOnTheScreen();
});

test('edits in the composer, deletes after a confirmation, reacts from the sheet', async () => {
  const screen = await openChat();
  await fireEvent(rows(screen)[1]!, 'longPress');
  await fireEvent.press(screen.getByTestId('action-edit'));
  const input = screen.getByTestId('composer-input');
  expect(input.props.value).toBe('hi');
  await fireEvent.changeText(input, 'hi there');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(sent('edit')).toEqual([expect.objectContaining({ message_id: 2, text: 'hi there' })]);
  expect(sent('send')).toEqual([]);

  await fireEvent(rows(screen)[1]!, 'longPress');
  await fireEvent.press(screen.getByTestId('action-delete'));
  expect(screen.getByText('Delete this message for everyone?')).toBeOnTheScreen();
  expect(sent('delete')).toEqual([]);
  await fireEvent.press(screen.getByTestId('action-confirm-delete'));
  expect(sent('delete')).toEqual([expect.objectContaining({ message_id: 2 })]);

  await fireEvent(rows(screen)[0]!, 'longPress');
  await fireEvent.press(screen.getByTestId('react-🎉'));
  expect(sent('react')).toEqual([expect.objectContaining({ message_id: 1, emoji: '🎉' })]);
  expect(screen.queryByTestId('message-actions')).toBeNull();
});

test('shows what others did: edited marks, reaction chips that toggle, tombstones, typing', async () => {
  const screen = await openChat();
  await act(async () =>
    FakeSocket.last.receive(
      update(10, 1, { text: 'hola a todos' }),
      update(11, 1, {
        kind: 'reaction',
        emoji: '👍',
        reactions: [{ emoji: '👍', count: 2, users: ['bob', 'alice'] }],
      }),
      { type: 'typing', room: 'general', user: 'bob' },
    ),
  );
  const first = rows(screen)[0]!;
  expect(within(first).getByText('hola a todos')).toBeOnTheScreen();
  expect(within(first).getByText(/edited/)).toBeOnTheScreen();
  const chip = screen.getByLabelText('👍 2: bob, you');
  expect(chip.props.accessibilityState).toMatchObject({ selected: true });
  await fireEvent.press(chip);
  expect(sent('react')).toEqual([expect.objectContaining({ message_id: 1, emoji: '👍' })]);
  expect(screen.getByTestId('typing-line')).toHaveTextContent('bob is typing…');
  expect(screen.getByTestId('announcement')).toHaveTextContent('bob edited a message');

  await act(async () => FakeSocket.last.receive(update(12, 1, { kind: 'deleted' })));
  expect(within(rows(screen)[0]!).getByTestId('message-deleted')).toHaveTextContent(
    'message deleted',
  );
  expect(screen.queryByLabelText('👍 2: bob, you')).toBeNull();
  expect(screen.getByTestId('announcement')).toHaveTextContent('bob deleted a message');
});

test('speaks Spanish', async () => {
  const screen = await openChat('es');
  await act(async () =>
    FakeSocket.last.receive(update(10, 1, { text: 'hola a todas' }), {
      type: 'typing',
      room: 'general',
      user: 'bob',
    }),
  );
  expect(within(rows(screen)[0]!).getByText(/editado/)).toBeOnTheScreen();
  expect(screen.getByTestId('typing-line')).toHaveTextContent('bob está escribiendo…');
  await fireEvent(rows(screen)[1]!, 'longPress');
  expect(screen.getByTestId('action-reply')).toHaveTextContent('Responder');
  expect(screen.getByTestId('action-edit')).toHaveTextContent('Editar');
});
