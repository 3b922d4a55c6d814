import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import { ChatScreen } from '@/features/chat/ChatScreen';
import { AlertBanner } from '@/features/chat/reads';
import { RoomsScreen } from '@/features/rooms/RoomsScreen';

import {
  alice,
  fakeServices,
  FakeSocket,
  handshake,
  message,
  signedInStorage,
} from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

const person = (login: string) => ({
  login,
  first_name: login,
  last_name: 'Test',
  online: true,
  room: 'general',
});

async function open(initialUrl: string) {
  const { services } = fakeServices(signedInStorage(), {
    'GET /api/v1/users': {
      status: 200,
      body: { users: [person('alice'), person('bob'), person('bobby'), person('carol')] },
    },
    'GET /api/v1/rooms': {
      status: 200,
      body: {
        rooms: [
          { name: 'general', members: 2, default: true },
          { name: 'ops', owner: 'bob', members: 1, default: false },
        ],
      },
    },
  });
  function WithBanner({ children }: { children: React.ReactNode }) {
    return (
      <>
        {children}
        <AlertBanner />
      </>
    );
  }
  const r = await renderApp(
    services,
    {
      index: () => (
        <WithBanner>
          <ChatScreen />
        </WithBanner>
      ),
      rooms: () => (
        <WithBanner>
          <RoomsScreen />
        </WithBanner>
      ),
    },
    initialUrl,
  );
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  return r.screen;
}

test('@ offers matching logins by touch and puts the chosen one in the message', async () => {
  const screen = await open('/');
  const input = screen.getByTestId('composer-input');
  await fireEvent.changeText(input, 'hi @bo');
  expect(await screen.findByTestId('mention-choice-bobby')).toBeOnTheScreen();
  expect(screen.queryByTestId('mention-choice-alice')).toBeNull();
  expect(screen.queryByTestId('mention-choice-carol')).toBeNull();
  await fireEvent.press(screen.getByTestId('mention-choice-bob'));
  expect(input).toHaveDisplayValue('hi @bob ');
  expect(screen.queryByTestId('composer-mentions')).toBeNull();
});

test('a mention elsewhere shows the room’s badges, the mentions list and a banner that opens it', async () => {
  const screen = await open('/rooms');
  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [
        { name: 'general', members: 2, default: true },
        { name: 'ops', owner: 'bob', members: 1, default: false },
      ],
    }),
  );
  await screen.findByTestId('room-ops');
  await act(async () =>
    FakeSocket.last.receive({
      type: 'mention',
      id: 50,
      room: 'ops',
      message_id: 50,
      from: 'bob',
      text: '@alice can you look?',
      sent_at: Date.now() + 1_000, // live: after the welcome
    }),
  );
  expect(screen.getByTestId('room-ops-mentions')).toHaveTextContent('@1');
  expect(screen.getByTestId('room-ops-unread')).toHaveTextContent('1');
  expect(screen.getByTestId('mention-50')).toHaveTextContent(/bob in #ops/);
  const banner = screen.getByTestId('alert-banner');
  expect(banner).toHaveTextContent(/bob mentioned you in #ops/);
  await fireEvent.press(banner);
  const join = FakeSocket.last.sent.find((e) => e.type === 'send' && e.text === '#gR ops');
  expect(join).toBeDefined();
  expect(screen.queryByTestId('alert-banner')).toBeNull();
});

test('a "New messages" line marks the first unread message; seen in the foreground, it is read', async () => {
  const screen = await open('/');
  const history = [
    message(1, 'bob', 'old'),
    message(2, 'bob', 'new one'),
    message(3, 'bob', 'newer'),
  ];
  await act(async () => {
    FakeSocket.last.receive(
      {
        type: 'welcome',
        server_time: Date.now(),
        user: alice,
        room: 'general',
        rooms: [{ name: 'general', members: 2, default: true }],
        unread: [{ room: 'general', count: 2, mentions: 0, last_read: 1 }],
        commands: [],
      },
      { type: 'joined', room: 'general', history, resumed: false, more: false },
    );
  });
  const rows = screen.getAllByTestId(/^(new-messages|message-row)$/);
  const line = rows.findIndex((r) => r.props.testID === 'new-messages');
  expect(line).toBeGreaterThan(0);
  expect(rows[line + 1]).toHaveTextContent(/new one/);
  const read = FakeSocket.last.sent.find((e) => e.type === 'read') as
    { room?: string; message_id?: number } | undefined;
  expect(read).toMatchObject({ room: 'general', message_id: 3 });
});
