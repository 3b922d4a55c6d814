import { act, fireEvent, waitFor } from 'expo-router/testing-library';

import { SettingsScreen } from '@/features/settings/SettingsScreen';
import { keys } from '@/lib/storage';

import {
  fakeServices,
  FakeSocket,
  handshake,
  signedInStorage,
  signedOutStorage,
} from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

test('saves a valid server URL and refuses anything else', async () => {
  const storage = signedOutStorage();
  const { services } = fakeServices(storage);
  const { screen } = await renderApp(services, { server: SettingsScreen }, '/server');
  const field = screen.getByTestId('settings-server-url');
  expect(field.props.value).toBe('http://sala.test:8080');

  await fireEvent.changeText(field, 'ftp://nope');
  await fireEvent.press(screen.getByTestId('settings-server-save'));
  expect(screen.getByTestId('settings-server-url-error')).toBeOnTheScreen();

  await fireEvent.changeText(field, '192.168.1.20:8080/');
  await fireEvent.press(screen.getByTestId('settings-server-save'));
  await waitFor(() => expect(storage.data.get(keys.serverUrl)).toBe('http://192.168.1.20:8080'));
  expect(screen.queryByTestId('settings-server-url-error')).toBeNull();
});

test('says each thing once: no "SERVER URL" over "Server URL"', async () => {
  const { services } = fakeServices(signedOutStorage());
  const { screen } = await renderApp(services, { server: SettingsScreen }, '/server');
  expect(screen.getByText('Server')).toBeOnTheScreen();
  expect(screen.getByLabelText('Address (URL)')).toBe(screen.getByTestId('settings-server-url'));
  const texts = screen
    .getAllByText(/./)
    .map((e) => String(e.props.children).toLowerCase())
    .filter((x) => x !== '[object object]');
  expect(texts.filter((x, i) => texts.indexOf(x) !== i)).toEqual([]);
});

test('switches the language', async () => {
  const storage = signedOutStorage();
  const { services } = fakeServices(storage);
  const { screen } = await renderApp(services, { server: SettingsScreen }, '/server');
  expect(screen.getByText('Language')).toBeOnTheScreen();
  await fireEvent.press(screen.getByTestId('settings-language-es'));
  expect(screen.getByText('Idioma')).toBeOnTheScreen();
  expect(storage.data.get(keys.language)).toBe('es');
});

test('shows latency, and logs out', async () => {
  const storage = signedInStorage();
  const { services } = fakeServices(storage);
  const { screen } = await renderApp(services, { settings: SettingsScreen }, '/settings');
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last));
  expect(screen.getByTestId('settings-account')).toHaveTextContent('Signed in as alice');

  // The client pinged on welcome; answer it and the latency shows.
  const ping = FakeSocket.last.sent.find((e) => e.type === 'ping')!;
  await act(async () =>
    FakeSocket.last.receive({ type: 'pong', id: ping.id!, t0: ping.t0!, server_time: ping.t0! }),
  );
  expect(screen.getByTestId('settings-latency')).toHaveTextContent(/^\d+ ms$/);
  expect(screen.getByTestId('settings-server-time')).toHaveTextContent(/^\d\d:\d\d:\d\d$/);

  await fireEvent.press(screen.getByTestId('logout'));
  await waitFor(() => expect(storage.data.has(keys.session)).toBe(false));
  expect(FakeSocket.last.readyState).toBe(3);
});
