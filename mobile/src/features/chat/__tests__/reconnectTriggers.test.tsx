import NetInfo from '@react-native-community/netinfo';
import { act, waitFor } from 'expo-router/testing-library';
import { AppState, type AppStateStatus } from 'react-native';

import { ChatScreen } from '@/features/chat/ChatScreen';

import { fakeServices, FakeSocket, handshake, signedInStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

async function openDropped() {
  const { services } = fakeServices(signedInStorage());
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  await act(async () => FakeSocket.last.drop(1006));
  expect(r.screen.getByText('Reconnecting…')).toBeOnTheScreen();
  return r.screen;
}

test('reconnects at once when the app comes back to the foreground', async () => {
  await openDropped();
  // react-native's jest setup makes AppState.addEventListener a mock: find our listener.
  const calls = jest.mocked(AppState.addEventListener).mock.calls;
  const listener = calls[calls.length - 1][1] as (s: AppStateStatus) => void;
  await act(async () => listener('background'));
  expect(FakeSocket.instances).toHaveLength(1);
  await act(async () => listener('active'));
  expect(FakeSocket.instances).toHaveLength(2);
});

test('reconnects at once when the network comes back', async () => {
  await openDropped();
  const calls = (NetInfo.addEventListener as jest.Mock).mock.calls;
  const listener = calls[calls.length - 1][0] as (s: { isConnected: boolean }) => void;
  await act(async () => listener({ isConnected: false }));
  expect(FakeSocket.instances).toHaveLength(1);
  await act(async () => listener({ isConnected: true }));
  expect(FakeSocket.instances).toHaveLength(2);
});

test('does not reopen a connection the user closed with #exit', async () => {
  const { services } = fakeServices(signedInStorage());
  const r = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  await act(async () => FakeSocket.last.drop(1000));
  expect(r.screen.getByText('Disconnected.')).toBeOnTheScreen();

  const appCalls = jest.mocked(AppState.addEventListener).mock.calls;
  const onAppState = appCalls[appCalls.length - 1][1] as (s: AppStateStatus) => void;
  const netCalls = (NetInfo.addEventListener as jest.Mock).mock.calls;
  const onNet = netCalls[netCalls.length - 1][0] as (s: { isConnected: boolean }) => void;
  await act(async () => {
    onAppState('background');
    onAppState('active');
    onNet({ isConnected: false });
    onNet({ isConnected: true });
  });
  expect(FakeSocket.instances).toHaveLength(1);
  expect(r.screen.getByText('Disconnected.')).toBeOnTheScreen();
});
