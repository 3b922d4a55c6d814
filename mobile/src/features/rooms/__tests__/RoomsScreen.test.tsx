import { Alert, type AlertButton, Platform } from 'react-native';
import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import { ChatScreen } from '@/features/chat/ChatScreen';
import { RoomsScreen } from '@/features/rooms/RoomsScreen';

import { fakeServices, FakeSocket, handshake, signedInStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

afterEach(() => jest.restoreAllMocks());

async function openRooms() {
  const { services } = fakeServices(signedInStorage(), {
    'GET /api/v1/rooms': {
      status: 200,
      body: { rooms: [{ name: 'general', members: 1, default: true }] },
    },
  });
  const r = await renderApp(services, { index: ChatScreen, rooms: RoomsScreen }, '/rooms');
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  return r.screen;
}

test('shows live member counts from rooms envelopes', async () => {
  const screen = await openRooms();
  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [
        { name: 'general', members: 3, default: true },
        { name: 'books', owner: 'bob', members: 2, default: false },
      ],
    }),
  );
  expect(screen.getByTestId('room-general-members')).toHaveTextContent('3 online');
  expect(screen.getByTestId('room-books-members')).toHaveTextContent('2 online');

  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [{ name: 'general', members: 4, default: true }],
    }),
  );
  expect(screen.getByTestId('room-general-members')).toHaveTextContent('4 online');
  expect(screen.queryByTestId('room-books')).toBeNull();
});

test('joins rooms with # commands; only your own rooms can be deleted', async () => {
  const screen = await openRooms();
  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [
        { name: 'general', members: 1, default: true },
        { name: 'books', owner: 'bob', members: 1, default: false },
        { name: 'mine', owner: 'alice', members: 0, default: false },
      ],
    }),
  );
  // Only your own rooms can be deleted; the room you are in has no join button.
  expect(screen.queryByTestId('room-books-delete')).toBeNull();
  expect(screen.queryByTestId('room-general-join')).toBeNull();
  await fireEvent.press(screen.getByTestId('room-books-join'));
  expect(FakeSocket.last.texts).toEqual(['#gR books']);
});

const withMyRoom = {
  type: 'rooms' as const,
  rooms: [
    { name: 'general', members: 1, default: true },
    { name: 'mine', owner: 'alice', members: 2, default: false },
  ],
};

test('on a phone, asks in an alert before deleting a room, and deletes only when confirmed', async () => {
  // The system alert cannot open under jest: record what the screen asks it.
  const alert = jest.spyOn(Alert, 'alert').mockImplementation(() => undefined);
  try {
    const screen = await openRooms();
    await act(async () => FakeSocket.last.receive(withMyRoom));
    await fireEvent.press(screen.getByTestId('room-mine-delete'));
    expect(FakeSocket.last.texts).toEqual([]);
    expect(alert).toHaveBeenCalledTimes(1);
    const [title, message, buttons] = alert.mock.calls[0] as [string, string, AlertButton[]];
    expect(title).toBe('Delete #mine?');
    expect(message).toBe('Everyone in it goes back to #general.');
    expect(buttons.map((b) => [b.text, b.style])).toEqual([
      ['Cancel', 'cancel'],
      ['Delete', 'destructive'],
    ]);
    await act(async () => buttons[1]!.onPress!());
    expect(FakeSocket.last.texts).toEqual(['#dR mine']);
  } finally {
    alert.mockRestore();
  }
});

test('on the web, asks in the app’s own dialog: Cancel keeps the room, Delete deletes it', async () => {
  jest.replaceProperty(Platform, 'OS', 'web');
  const screen = await openRooms();
  await act(async () => FakeSocket.last.receive(withMyRoom));
  await fireEvent.press(screen.getByTestId('room-mine-delete'));
  expect(screen.getByTestId('confirm-dialog')).toHaveTextContent(
    'Delete #mine?Everyone in it goes back to #general.CancelDelete',
  );
  await fireEvent.press(screen.getByTestId('confirm-cancel'));
  expect(screen.queryByTestId('confirm-dialog')).toBeNull();
  expect(FakeSocket.last.texts).toEqual([]);

  await fireEvent.press(screen.getByTestId('room-mine-delete'));
  await fireEvent.press(screen.getByTestId('confirm-ok'));
  expect(screen.queryByTestId('confirm-dialog')).toBeNull();
  expect(FakeSocket.last.texts).toEqual(['#dR mine']);
});

test('creating a room sends #cR and rejects invalid names before sending', async () => {
  const screen = await openRooms();
  await fireEvent.changeText(screen.getByTestId('room-name'), 'bad name!');
  await fireEvent.press(screen.getByTestId('room-create'));
  expect(screen.getByTestId('room-name-error')).toHaveTextContent('1–32 letters, digits, - or _');
  expect(FakeSocket.last.texts).toEqual([]);

  await fireEvent.changeText(screen.getByTestId('room-name'), 'chess-club');
  await fireEvent.press(screen.getByTestId('room-create'));
  expect(FakeSocket.last.texts).toEqual(['#cR chess-club']);
});

test('lists the default room first, then the rest in natural order ignoring case', async () => {
  const screen = await openRooms();
  const room = (name: string) => ({ name, owner: 'bob', members: 1, default: false });
  await act(async () =>
    FakeSocket.last.receive({
      type: 'rooms',
      rooms: [
        room('room-10'),
        room('Room-2'),
        { name: 'general', members: 3, default: true },
        room('room-1'),
      ],
    }),
  );
  const ids = screen
    .getAllByTestId(/^room-(general|room-\d+)$/i)
    .map((e) => e.props.testID as string);
  expect(ids).toEqual(['room-general', 'room-room-1', 'room-Room-2', 'room-room-10']);
});
