import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import AppTabs from '@/app/(app)/_layout';
import { ChatScreen } from '@/features/chat/ChatScreen';
import { RoomsScreen } from '@/features/rooms/RoomsScreen';
import { SettingsScreen } from '@/features/settings/SettingsScreen';
import { UsersScreen } from '@/features/users/UsersScreen';

import { fakeServices, FakeSocket, handshake, signedInStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

test('the header says the connection state in words; the figures are a tap away', async () => {
  const { services } = fakeServices(signedInStorage());
  const { screen } = await renderApp(services, {
    '(app)/_layout': AppTabs,
    '(app)/index': ChatScreen,
    '(app)/rooms': RoomsScreen,
    '(app)/users': UsersScreen,
    '(app)/settings': SettingsScreen,
  });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  const ping = FakeSocket.last.sent.find((e) => e.type === 'ping')!;
  await act(async () =>
    FakeSocket.last.receive({ type: 'pong', id: ping.id!, t0: ping.t0!, server_time: ping.t0! }),
  );

  const indicator = screen.getByTestId('connection-indicator');
  expect(indicator).toHaveTextContent('Connected');
  expect(indicator.props.accessibilityLabel).toMatch(/^Connected, response time \d+ ms$/);
  expect(screen.queryByText(/^\d+ ms$/)).toBeNull(); // no unexplained figure in the header

  await act(async () => FakeSocket.last.drop(1006));
  expect(screen.getByTestId('connection-indicator')).toHaveTextContent('Reconnecting…');

  await fireEvent.press(screen.getByTestId('connection-indicator'));
  expect(await screen.findByTestId('settings-screen')).toBeOnTheScreen();
  expect(screen.getByText(/^Response time:/)).toBeOnTheScreen();
}, 20_000); // the first render of the tabs loads many modules
