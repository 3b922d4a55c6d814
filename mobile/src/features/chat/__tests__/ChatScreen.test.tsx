import { Linking } from 'react-native';
import { router } from 'expo-router';
import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import { PrivateThreadRoute } from '@/app/dm/[login]';
import { ChatScreen } from '@/features/chat/ChatScreen';
import { UsersScreen } from '@/features/users/UsersScreen';
import { palettes } from '@/ui/theme';

import {
  fakeServices,
  FakeSocket,
  handshake,
  message,
  signedInStorage,
} from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

async function openChat() {
  const { services } = fakeServices(signedInStorage());
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  return r.screen;
}

test('renders each message with its sender and its text as plain text', async () => {
  const screen = await openChat();
  await act(async () => FakeSocket.last.receive(message(7, 'bob', '<b>not bold</b>')));
  const row = await screen.findByLabelText('bob: <b>not bold</b>');
  expect(row).toHaveTextContent(/bob/);
  expect(screen.getByText('<b>not bold</b>')).toBeOnTheScreen();
  expect(screen.getByText('bob')).toBeOnTheScreen();
});

test('names a run of one person’s messages once, by first name, and never your own', async () => {
  const { services, http } = fakeServices(signedInStorage(), {
    'GET /api/v1/users': {
      status: 200,
      body: {
        users: [
          { login: 'alice', first_name: 'Alice', last_name: 'Liddell', online: true },
          { login: 'bob', first_name: 'Bob', last_name: 'Builder', online: true },
        ],
      },
    },
  });
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  const screen = r.screen;
  await act(async () =>
    FakeSocket.last.receive(
      message(1, 'bob', 'one'),
      message(2, 'bob', 'two'),
      message(3, 'alice', 'mine'),
      message(4, 'dave', 'who am I'), // not in the users list: his login
      message(5, 'bob', 'three'),
    ),
  );
  await waitFor(() => expect(screen.getByLabelText('Bob: one')).toBeOnTheScreen());
  expect(screen.getAllByTestId('message-from').map((e) => e.props.children)).toEqual([
    'Bob',
    'dave',
    'Bob',
  ]);
  for (const label of ['Bob: two', 'You: mine', 'dave: who am I', 'Bob: three']) {
    expect(screen.getByLabelText(label)).toBeOnTheScreen();
  }
  // The list was read by the model at the welcome, then once more for dave, who is not in it,
  // and never again for him.
  expect(http.calls.filter((c) => c.path === '/api/v1/users')).toHaveLength(2);
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
  expect(screen.getByTestId('notice-error-too_new')).toHaveTextContent('Words of a newer server.');
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

test('"Reconnect now" connects again after #exit closed the connection', async () => {
  const screen = await openChat();
  await act(async () => FakeSocket.last.receive(message(30, 'bob', 'bye')));
  await fireEvent.changeText(screen.getByTestId('composer-input'), '#exit');
  await fireEvent.press(screen.getByTestId('composer-send'));
  // The server closes normally (1000): the client stops instead of retrying.
  await act(async () => FakeSocket.last.drop(1000));
  expect(screen.getByText('Disconnected.')).toBeOnTheScreen();
  expect(FakeSocket.instances).toHaveLength(1);

  await fireEvent.press(screen.getByTestId('reconnect-now'));
  expect(FakeSocket.instances).toHaveLength(2);
  expect(FakeSocket.last.url).toContain('last_id=30');
  expect(FakeSocket.last.url).toContain('room=general');
  await act(async () => handshake(FakeSocket.last));
  expect(screen.queryByTestId('connection-banner')).toBeNull();
});

test('shows the answers to #lR and #show users typed in the chat, and only those', async () => {
  const people = [
    { login: 'bob', first_name: 'Bob', last_name: 'Builder', online: true, room: 'books' },
    { login: 'carol', first_name: 'Carol', last_name: 'Danvers', online: false },
  ];
  const { services, http } = fakeServices(signedInStorage(), {
    'GET /api/v1/users': { status: 200, body: { users: people } },
  });
  const r = await renderApp(services, { index: ChatScreen, users: UsersScreen }, '/users');
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  const screen = r.screen;
  // The people list loaded over REST, and room lists nobody asked for, add no notice.
  expect(await screen.findByTestId('user-bob')).toBeOnTheScreen();
  expect(http.calls.some((c) => c.path === '/api/v1/users')).toBe(true);
  await act(async () => router.navigate('/'));
  const rooms = [
    { name: 'general', members: 3, default: true },
    { name: 'books', owner: 'bob', members: 1, default: false },
  ];
  await act(async () => FakeSocket.last.receive({ type: 'rooms', rooms }));
  expect(screen.queryByTestId('notice-rooms')).toBeNull();
  expect(screen.queryByTestId('notice-users')).toBeNull();

  const input = screen.getByTestId('composer-input');
  await fireEvent.changeText(input, '#lR');
  await fireEvent.press(screen.getByTestId('composer-send'));
  await act(async () => FakeSocket.last.receive({ type: 'rooms', rooms }));
  const roomRows = screen.getAllByTestId('notice-rooms-row');
  expect(roomRows).toHaveLength(2);
  expect(roomRows[0]).toHaveTextContent('#general — 3 online · default');
  expect(roomRows[1]).toHaveTextContent('#books — 1 online · by bob');

  await fireEvent.changeText(input, '#show users');
  await fireEvent.press(screen.getByTestId('composer-send'));
  await act(async () =>
    FakeSocket.last.receive({
      type: 'users',
      users: people,
    }),
  );
  const userRows = screen.getAllByTestId('notice-users-row');
  expect(userRows[0]).toHaveTextContent('bob Bob Builder — online in #books');
  expect(userRows[1]).toHaveTextContent('carol Carol Danvers — offline');
  expect(screen.getAllByTestId('notice-rooms')).toHaveLength(1);
  expect(screen.getAllByTestId('notice-users')).toHaveLength(1);
});

test('says that the room was deleted in the room the user is moved to', async () => {
  const { services } = fakeServices(signedInStorage());
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last, 'books'));
  const screen = r.screen;
  await act(async () =>
    FakeSocket.last.receive(
      { type: 'event', kind: 'room_deleted', room: 'books', user: 'bob', at: Date.now() },
      {
        type: 'joined',
        room: 'general',
        history: [message(5, 'carol', 'hi')],
        resumed: false,
        more: false,
      },
    ),
  );
  expect(screen.getByText('hi')).toBeOnTheScreen();
  // Prominent, not a grey line: a coloured banner, announced, saying where the user is now.
  const notice = screen.getByRole('alert');
  expect(notice).toHaveTextContent('#books was deletedYou are back in #general.');
  expect(notice).toHaveStyle({ backgroundColor: palettes.light.warningBackground });
  expect(screen.getByText('#books was deleted')).toHaveStyle({ fontWeight: '700' });
});

test('never cuts a long text: counts characters, and over 4000 says so and does not send', async () => {
  const screen = await openChat();
  const input = screen.getByTestId('composer-input');
  expect(input.props.maxLength).toBeUndefined();

  // 2,100 emoji are 4,200 UTF-16 units but 2,100 characters: sent whole.
  const emoji = '😀'.repeat(2100);
  await fireEvent.changeText(input, emoji);
  expect(screen.queryByTestId('composer-too-long')).toBeNull();
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(FakeSocket.last.texts).toEqual([emoji]);

  const long = 'a'.repeat(4500);
  await fireEvent.changeText(input, long);
  expect(screen.getByTestId('composer-too-long')).toHaveTextContent(
    '4500/4000 characters: shorten the message to send it.',
  );
  await fireEvent.press(screen.getByTestId('composer-send'));
  await fireEvent(input, 'submitEditing');
  expect(FakeSocket.last.texts).toEqual([emoji]);
  expect(screen.getByTestId('composer-input').props.value).toBe(long);

  await fireEvent.changeText(input, 'a'.repeat(4000));
  expect(screen.queryByTestId('composer-too-long')).toBeNull();
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(FakeSocket.last.texts).toEqual([emoji, 'a'.repeat(4000)]);

  // A #private's limit is on its text, not on the command around it.
  await fireEvent.changeText(input, `#private bob ${'a'.repeat(4000)}`);
  expect(screen.queryByTestId('composer-too-long')).toBeNull();
  await fireEvent.changeText(input, `#private bob ${'a'.repeat(4001)}`);
  expect(screen.getByTestId('composer-too-long')).toHaveTextContent(/^4001\/4000 /);
});

test('shows the text of a message whose room was gone after the reconnect', async () => {
  const screen = await openChat();
  await act(async () =>
    FakeSocket.last.receive({
      type: 'joined',
      room: 'books',
      history: [],
      resumed: false,
      more: false,
    }),
  );
  await act(async () => FakeSocket.last.drop(1006));
  await fireEvent.changeText(screen.getByTestId('composer-input'), 'typed for books');
  await fireEvent.press(screen.getByTestId('composer-send'));
  await fireEvent.press(screen.getByTestId('reconnect-now'));
  await act(async () => handshake(FakeSocket.last)); // books ended: back in general
  expect(FakeSocket.last.texts).toEqual([]);
  expect(screen.getByTestId('notice-error-not_sent')).toHaveTextContent(
    /^Not sent: the room “books” was gone after the reconnect\.\s+typed for books$/,
  );
  expect(screen.getByTestId('notice-unsent')).toHaveTextContent('typed for books');
});

test('makes web addresses pressable links that open in the browser; markup stays text', async () => {
  const openURL = jest.spyOn(Linking, 'openURL').mockResolvedValue(true);
  const screen = await openChat();
  const text = 'see https://example.org/a_(b), www.sala.chat. <b>x</b> javascript:alert(1)';
  await act(async () => FakeSocket.last.receive(message(11, 'bob', text)));
  const links = await screen.findAllByTestId('message-link');
  expect(links.map((l) => l.props.children)).toEqual([
    'https://example.org/a_(b)',
    'www.sala.chat',
  ]);
  for (const l of links) expect(l).toHaveAccessibleName(/./); // reachable, with role link
  expect(screen.getAllByRole('link')).toHaveLength(2);
  expect(screen.getByTestId('message-text')).toHaveTextContent(text);
  await fireEvent.press(links[1]!);
  expect(openURL).toHaveBeenCalledWith('https://www.sala.chat');
  await fireEvent.press(links[0]!);
  expect(openURL).toHaveBeenLastCalledWith('https://example.org/a_(b)');
  expect(openURL).toHaveBeenCalledTimes(2);
  openURL.mockRestore();
});

test('Enter completes the one command an incomplete word starts, and sends complete ones', async () => {
  const screen = await openChat();
  const input = screen.getByTestId('composer-input');
  await fireEvent.changeText(input, '#g');
  await fireEvent(input, 'submitEditing');
  expect(screen.getByTestId('composer-input').props.value).toBe('#gR ');
  await fireEvent.changeText(input, '#he');
  await fireEvent(input, 'submitEditing');
  expect(screen.getByTestId('composer-input').props.value).toBe('#help');
  expect(FakeSocket.last.texts).toEqual([]);
  await fireEvent(input, 'submitEditing');
  await fireEvent.changeText(input, '#gR books');
  await fireEvent(input, 'submitEditing');
  await fireEvent.changeText(input, '#');
  await fireEvent(input, 'submitEditing');
  expect(FakeSocket.last.texts).toEqual(['#help', '#gR books', '#']);
});

test('lists the #lR rooms default first, then in natural order', async () => {
  const screen = await openChat();
  const room = (name: string) => ({ name, owner: 'bob', members: 1, default: false });
  await fireEvent.changeText(screen.getByTestId('composer-input'), '#lR');
  await fireEvent(screen.getByTestId('composer-input'), 'submitEditing');
  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [
        room('room-10'),
        room('Room-2'),
        { name: 'general', members: 1, default: true },
        room('room-1'),
      ],
    }),
  );
  const rows = await screen.findAllByTestId('notice-rooms-row');
  expect(rows).toHaveLength(4);
  ['#general ', '#room-1 ', '#Room-2 ', '#room-10 '].forEach((name, i) =>
    expect(rows[i]).toHaveTextContent(name, { exact: false }),
  );
});
