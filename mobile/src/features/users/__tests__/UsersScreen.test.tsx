import { router } from 'expo-router';
import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import { PrivateThreadRoute } from '@/app/dm/[login]';
import { UsersScreen } from '@/features/users/UsersScreen';

import { fakeServices, FakeSocket, handshake, signedInStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

const users = [
  { login: 'alice', first_name: 'Alice', last_name: 'Liddell', online: true, room: 'general' },
  { login: 'bob', first_name: 'Bob', last_name: 'Builder', online: true, room: 'books' },
  { login: 'carol', first_name: 'Carol', last_name: 'Danvers', online: false },
];

const fromBob = (id: number, text: string) => ({
  type: 'private' as const,
  id,
  from: 'bob',
  to: 'alice',
  text,
  sent_at: Date.now() + 1_000, // live: after the welcome
  client_id: `b${id}`,
});

async function openUsers() {
  const { services, http } = fakeServices(signedInStorage(), {
    'GET /api/v1/users': { status: 200, body: { users } },
    'GET /api/v1/dm/bob/messages': {
      status: 200,
      body: { messages: [fromBob(3, 'older one')], has_more: false },
    },
  });
  const r = await renderApp(
    services,
    { users: UsersScreen, 'dm/[login]': PrivateThreadRoute },
    '/users',
  );
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  return { screen: r.screen, http };
}

test('lists every other user, online or not, with their room', async () => {
  const { screen } = await openUsers();
  expect(await screen.findByTestId('user-bob')).toBeOnTheScreen();
  expect(screen.queryByTestId('user-alice')).toBeNull();
  expect(screen.getByTestId('user-bob-status')).toHaveTextContent(/online · in #books/);
  expect(screen.getByTestId('user-carol-status')).toHaveTextContent('offline');
});

test('refreshes presence when the room counts change', async () => {
  const { screen, http } = await openUsers();
  await screen.findByTestId('user-bob');
  const reads = () => http.calls.filter((c) => c.path === '/api/v1/users').length;
  const before = reads();
  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [{ name: 'general', members: 2, default: true }],
    }),
  );
  await waitFor(() => expect(reads()).toBe(before + 1));
});

test('counts unread private messages per user and clears them when the thread is opened', async () => {
  const { screen } = await openUsers();
  await screen.findByTestId('user-bob');
  expect(screen.queryByTestId('user-bob-unread')).toBeNull();

  await act(async () =>
    FakeSocket.last.receive(fromBob(10, 'psst'), fromBob(11, 'are you there?')),
  );
  expect(screen.getByTestId('user-bob-unread')).toHaveTextContent('2');
  expect(screen.queryByTestId('user-carol-unread')).toBeNull();

  await fireEvent.press(screen.getByTestId('user-bob'));
  expect(await screen.findByTestId('dm-screen')).toBeOnTheScreen();
  expect(screen.getByText('psst')).toBeOnTheScreen();
  expect(await screen.findByText('older one')).toBeOnTheScreen();

  // A message arriving while the thread is open is read at once.
  await act(async () => FakeSocket.last.receive(fromBob(12, 'ok')));
  expect(screen.getByText('ok')).toBeOnTheScreen();

  await act(async () => router.back());
  expect(await screen.findByTestId('user-bob')).toBeOnTheScreen();
  expect(screen.queryByTestId('user-bob-unread')).toBeNull();
});

test('sends a private message through the client and shows it pending until stored', async () => {
  const { screen } = await openUsers();
  await fireEvent.press(await screen.findByTestId('user-bob'));
  await screen.findByTestId('dm-screen');
  await fireEvent.changeText(screen.getByTestId('dm-composer-input'), 'hi bob');
  await fireEvent.press(screen.getByTestId('dm-composer-send'));
  expect(FakeSocket.last.texts).toEqual(['#private bob hi bob']);
  expect(screen.getByTestId('message-pending')).toBeOnTheScreen();

  const id = FakeSocket.last.sent.find((e) => e.type === 'send')!.id!;
  await act(async () =>
    FakeSocket.last.receive(
      { type: 'ack', id, message_id: 30, sent_at: Date.now() },
      { ...fromBob(30, 'hi bob'), from: 'alice', to: 'bob', client_id: id },
    ),
  );
  expect(screen.queryByTestId('message-pending')).toBeNull();
  expect(screen.getByText('hi bob')).toBeOnTheScreen();
});

test('shows an error for a private message the server refused', async () => {
  const { screen } = await openUsers();
  await fireEvent.press(await screen.findByTestId('user-carol'));
  await screen.findByTestId('dm-screen');
  await fireEvent.changeText(screen.getByTestId('dm-composer-input'), 'hello?');
  await fireEvent.press(screen.getByTestId('dm-composer-send'));
  const id = FakeSocket.last.sent.find((e) => e.type === 'send')!.id!;
  await act(async () =>
    FakeSocket.last.receive({
      type: 'error',
      id,
      code: 'user_not_found',
      message: 'no user "carol"',
    }),
  );
  expect(screen.getByTestId('dm-error')).toHaveTextContent(
    'There is no user with the login “carol”.',
  );
  expect(screen.queryByTestId('message-pending')).toBeNull();
});

test('lists people by login in natural order, ignoring case', async () => {
  const { screen } = await openUsers();
  await screen.findByTestId('user-bob');
  const person = (login: string) => ({ login, first_name: 'A', last_name: 'B', online: false });
  await act(async () =>
    FakeSocket.last.receive({
      type: 'users',
      users: [person('bob10'), person('Bob2'), person('alice'), person('bob1')],
    }),
  );
  await waitFor(() => expect(screen.queryByTestId('user-bob10')).toBeOnTheScreen());
  const ids = screen.getAllByTestId(/^user-bob\d+$/i).map((e) => e.props.testID as string);
  expect(ids).toEqual(['user-bob1', 'user-Bob2', 'user-bob10']);
});
