import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import { PrivateThreadRoute } from '@/app/dm/[login]';
import { ChatScreen } from '@/features/chat/ChatScreen';

import { fakeServices, FakeSocket, handshake, signedInStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

async function openChat() {
  const { services } = fakeServices(signedInStorage());
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  return r.screen;
}

const message = (id: number, from: string, text: string) => ({
  type: 'message' as const,
  id,
  room: 'general',
  from,
  text,
  sent_at: Date.UTC(2026, 0, 1, 12, 0),
  client_id: `c${id}`,
});

test('renders each message with its sender and its text as plain text', async () => {
  const screen = await openChat();
  await act(async () => FakeSocket.last.receive(message(7, 'bob', '<b>not bold</b>')));
  const row = await screen.findByLabelText('bob: <b>not bold</b>');
  expect(row).toHaveTextContent(/bob/);
  expect(screen.getByText('<b>not bold</b>')).toBeOnTheScreen();
  expect(screen.getByText('bob')).toBeOnTheScreen();
});

test('keeps messages in id order and shows each once', async () => {
  const screen = await openChat();
  await act(async () => {
    FakeSocket.last.receive(message(9, 'bob', 'second'));
    FakeSocket.last.receive(message(8, 'carol', 'first'));
    FakeSocket.last.receive(message(9, 'bob', 'second'));
  });
  const texts = screen.getAllByTestId('message-text').map((t) => t.props.children);
  expect(texts).toEqual(['first', 'second']);
});

test('sends what is typed, # commands included, through the chat client', async () => {
  const screen = await openChat();
  const input = screen.getByTestId('composer-input');
  await fireEvent.changeText(input, 'hola a todos');
  await fireEvent.press(screen.getByTestId('composer-send'));
  await fireEvent.changeText(input, '#cR books');
  await fireEvent.press(screen.getByTestId('composer-send'));
  await fireEvent.changeText(input, '#show users');
  await fireEvent(input, 'submitEditing');
  expect(FakeSocket.last.texts).toEqual(['hola a todos', '#cR books', '#show users']);
  expect(input.props.value).toBe('');
});

test('shows command hints while a command is typed, and fills one in when tapped', async () => {
  const screen = await openChat();
  const input = screen.getByTestId('composer-input');
  await fireEvent.changeText(input, '#');
  expect(screen.getByTestId('hint-#cR')).toBeOnTheScreen();
  expect(screen.getByTestId('hint-#help')).toBeOnTheScreen();
  await fireEvent.changeText(input, '#g');
  expect(screen.queryByTestId('hint-#cR')).toBeNull();
  await fireEvent.press(screen.getByTestId('hint-#gR'));
  expect(screen.getByTestId('composer-input').props.value).toBe('#gR ');
});

test('shows a message as pending until the server stores it', async () => {
  const screen = await openChat();
  await fireEvent.changeText(screen.getByTestId('composer-input'), 'are you there?');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(screen.getByTestId('message-pending')).toBeOnTheScreen();
  const id = FakeSocket.last.sent.find((e) => e.type === 'send')!.id!;
  await act(async () =>
    FakeSocket.last.receive(
      { type: 'ack', id, message_id: 12, sent_at: Date.now() },
      { ...message(12, 'alice', 'are you there?'), client_id: id },
    ),
  );
  expect(screen.queryByTestId('message-pending')).toBeNull();
  expect(screen.getByText('are you there?')).toBeOnTheScreen();
});

test('shows the reconnect banner while reconnecting, and reconnects at once on demand', async () => {
  const screen = await openChat();
  await act(async () => FakeSocket.last.receive(message(20, 'bob', 'before the drop')));
  expect(screen.queryByTestId('connection-banner')).toBeNull();

  await act(async () => FakeSocket.last.drop(1006));
  expect(screen.getByTestId('connection-banner')).toBeOnTheScreen();
  expect(screen.getByText('Reconnecting…')).toBeOnTheScreen();

  // Messages typed while offline wait, shown as pending.
  await fireEvent.changeText(screen.getByTestId('composer-input'), 'typed offline');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(screen.getByTestId('message-pending')).toBeOnTheScreen();

  await fireEvent.press(screen.getByTestId('reconnect-now'));
  expect(FakeSocket.instances).toHaveLength(2);
  // The new socket resumes after the last message seen, in the same room.
  expect(FakeSocket.last.url).toContain('last_id=20');
  expect(FakeSocket.last.url).toContain('room=general');

  await act(async () => handshake(FakeSocket.last));
  expect(screen.queryByTestId('connection-banner')).toBeNull();
  expect(FakeSocket.last.texts).toEqual(['typed offline']);
});

test('shows server errors and notices in the timeline', async () => {
  const screen = await openChat();
  await fireEvent.changeText(screen.getByTestId('composer-input'), '#gR nowhere');
  await fireEvent.press(screen.getByTestId('composer-send'));
  const id = FakeSocket.last.sent.find((e) => e.type === 'send')!.id!;
  await act(async () =>
    FakeSocket.last.receive(
      { type: 'event', kind: 'user_joined', room: 'general', user: 'bob', at: Date.now() },
      { type: 'error', id, code: 'room_not_found', message: 'no live room named "nowhere"' },
      { type: 'error', code: 'rate_limited', message: 'slow down' },
      { type: 'error', code: 'too_new', message: 'words of a newer server' },
    ),
  );
  expect(screen.getByText('bob joined #general')).toBeOnTheScreen();
  expect(screen.getByTestId('notice-error-room_not_found')).toHaveTextContent(
    'There is no live room named “nowhere”.',
  );
  expect(screen.getByTestId('notice-error-rate_limited')).toHaveTextContent(
    'You are sending too fast. Wait a moment.',
  );
  expect(screen.getByTestId('notice-error-too_new')).toHaveTextContent('words of a newer server');
});

test('opens the thread of a #private typed in the room once it is stored', async () => {
  const { services } = fakeServices(signedInStorage(), {
    'GET /api/v1/dm/bob/messages': { status: 200, body: { messages: [], has_more: false } },
  });
  const r = await renderApp(services, { index: ChatScreen, 'dm/[login]': PrivateThreadRoute });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  const screen = r.screen;
  const input = screen.getByTestId('composer-input');

  // An error (no such user) stays in the room.
  await fireEvent.changeText(input, '#private nobody hi');
  await fireEvent.press(screen.getByTestId('composer-send'));
  const failed = FakeSocket.last.sent.at(-1)!;
  await act(async () =>
    FakeSocket.last.receive({
      type: 'error',
      id: failed.id,
      code: 'user_not_found',
      message: 'no such user',
    }),
  );
  expect(screen.queryByTestId('dm-screen')).toBeNull();

  await fireEvent.changeText(input, '#\\private Bob see you');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(screen.queryByTestId('dm-screen')).toBeNull(); // not before it is stored
  const sent = FakeSocket.last.sent.at(-1)!;
  await act(async () =>
    FakeSocket.last.receive({ type: 'ack', id: sent.id!, message_id: 12, sent_at: Date.now() }),
  );
  expect(await screen.findByTestId('dm-screen')).toBeOnTheScreen();
});
