import { fireEvent, waitFor } from 'expo-router/testing-library';

import { LoginScreen } from '@/features/auth/LoginScreen';
import { keys } from '@/lib/storage';

import { alice, fakeServices, signedOutStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

test('names the app and says "Log in" once', async () => {
  const { services } = fakeServices(signedOutStorage());
  const { screen } = await renderApp(services, { login: LoginScreen }, '/login');
  expect(screen.getByRole('header')).toHaveTextContent('Sala');
  expect(screen.getByText('Welcome back')).toBeOnTheScreen();
  expect(screen.getAllByText(/log in/i)).toHaveLength(1);
  expect(screen.getByRole('button', { name: 'Log in' })).toBe(screen.getByTestId('login-submit'));
});

test('shows a wrong password as a form error', async () => {
  const { services } = fakeServices(signedOutStorage(), {
    'POST /api/v1/auth/login': {
      status: 401,
      body: { error: { code: 'invalid_credentials', message: 'wrong login or password' } },
    },
  });
  const { screen } = await renderApp(services, { login: LoginScreen }, '/login');
  await fireEvent.changeText(screen.getByTestId('login-login'), 'alice');
  await fireEvent.changeText(screen.getByTestId('login-password'), 'nope-nope');
  await fireEvent.press(screen.getByTestId('login-submit'));
  expect(await screen.findByTestId('login-error')).toHaveTextContent('Wrong login or password.');
});

test('says which server could not be reached', async () => {
  const { services } = fakeServices(signedOutStorage());
  services.createApi = jest.requireActual('@/lib/services').defaultServices.createApi;
  const fetchSpy = jest
    .spyOn(globalThis, 'fetch')
    .mockRejectedValue(new TypeError('Network request failed'));
  const { screen } = await renderApp(services, { login: LoginScreen }, '/login');
  await fireEvent.changeText(screen.getByTestId('login-login'), 'alice');
  await fireEvent.changeText(screen.getByTestId('login-password'), 'secret-pass');
  await fireEvent.press(screen.getByTestId('login-submit'));
  expect(await screen.findByTestId('login-error')).toHaveTextContent(
    /Cannot reach the server at http:\/\/sala\.test:8080/,
  );
  fetchSpy.mockRestore();
});

test('logs in and keeps the token', async () => {
  const storage = signedOutStorage();
  const { services, http } = fakeServices(storage, {
    'POST /api/v1/auth/login': {
      status: 200,
      body: { token: 'jwt-1', expires_at: Date.now() + 60_000, user: alice },
    },
  });
  const { screen } = await renderApp(services, { login: LoginScreen }, '/login');
  await fireEvent.changeText(screen.getByTestId('login-login'), 'alice');
  await fireEvent.changeText(screen.getByTestId('login-password'), 'correct horse');
  await fireEvent(screen.getByTestId('login-password'), 'submitEditing');
  await waitFor(() => expect(storage.data.get(keys.session)).toContain('jwt-1'));
  expect(http.calls[0].body).toEqual({ login: 'alice', password: 'correct horse' });
});
