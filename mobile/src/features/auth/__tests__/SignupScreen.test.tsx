import { fireEvent, waitFor } from 'expo-router/testing-library';

import { SignupScreen } from '@/features/auth/SignupScreen';
import { keys } from '@/lib/storage';

import { alice, fakeServices, signedOutStorage } from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

async function fillForm(screen: Awaited<ReturnType<typeof renderApp>>['screen'], age = '30') {
  await fireEvent.changeText(screen.getByTestId('signup-first_name'), 'Alice');
  await fireEvent.changeText(screen.getByTestId('signup-last_name'), 'Liddell');
  await fireEvent.changeText(screen.getByTestId('signup-login'), 'alice');
  await fireEvent.changeText(screen.getByTestId('signup-password'), 'correct horse');
  await fireEvent.changeText(screen.getByTestId('signup-age'), age);
  await fireEvent.press(screen.getByTestId('signup-gender-female'));
}

test("shows the server's field errors next to each field", async () => {
  const { services, http } = fakeServices(signedOutStorage(), {
    'POST /api/v1/auth/signup': {
      status: 422,
      body: {
        error: {
          code: 'validation_failed',
          message: 'some fields are invalid',
          fields: { login: 'Must be 3–32 of a-z 0-9 _ . -.', age: 'must be at least 13' },
        },
      },
    },
  });
  const { screen } = await renderApp(services, { signup: SignupScreen }, '/signup');
  await fillForm(screen, '12');
  await fireEvent.press(screen.getByTestId('signup-submit'));

  expect(await screen.findByTestId('signup-login-error')).toHaveTextContent(
    'Must be 3–32 of a-z 0-9 _ . -.',
  );
  expect(screen.getByTestId('signup-age-error')).toHaveTextContent('Must be at least 13.');
  expect(screen.queryByTestId('signup-first_name-error')).toBeNull();
  expect(screen.queryByTestId('signup-error')).toBeNull();
  expect(http.calls[0]).toMatchObject({
    method: 'POST',
    path: '/api/v1/auth/signup',
    body: {
      first_name: 'Alice',
      last_name: 'Liddell',
      login: 'alice',
      password: 'correct horse',
      age: 12,
      gender: 'female',
    },
  });
});

test('shows a taken login under the login field', async () => {
  const { services } = fakeServices(signedOutStorage(), {
    'POST /api/v1/auth/signup': {
      status: 409,
      body: {
        error: { code: 'login_taken', message: 'login "alice" is taken' },
      },
    },
  });
  const { screen } = await renderApp(services, { signup: SignupScreen }, '/signup');
  await fillForm(screen);
  await fireEvent.press(screen.getByTestId('signup-submit'));
  expect(await screen.findByTestId('signup-login-error')).toHaveTextContent(
    'This login is already taken.',
  );
});

test('asks for every field before calling the server', async () => {
  const { services, http } = fakeServices(signedOutStorage());
  const { screen } = await renderApp(services, { signup: SignupScreen }, '/signup');
  await fireEvent.press(screen.getByTestId('signup-submit'));
  for (const f of ['first_name', 'last_name', 'login', 'password', 'age', 'gender']) {
    expect(screen.getByTestId(`signup-${f}-error`)).toHaveTextContent('Required');
  }
  expect(http.calls).toHaveLength(0);
});

test('a successful sign-up keeps the session in secure storage', async () => {
  const storage = signedOutStorage();
  const { services } = fakeServices(storage, {
    'POST /api/v1/auth/signup': {
      status: 201,
      body: { token: 'jwt-new', expires_at: Date.now() + 3_600_000, user: alice },
    },
  });
  const { screen } = await renderApp(services, { signup: SignupScreen }, '/signup');
  await fillForm(screen);
  await fireEvent.press(screen.getByTestId('signup-submit'));
  await waitFor(() => expect(storage.data.get(keys.session)).toContain('jwt-new'));
});

test('words the field errors in Spanish from their codes', async () => {
  const storage = signedOutStorage();
  await storage.setItem(keys.language, 'es');
  const { services } = fakeServices(storage, {
    'POST /api/v1/auth/signup': {
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: 'some fields are invalid',
          fields: { age: 'must be at least 13' },
          field_errors: { age: { code: 'min', min: 13 } },
        },
      },
    },
  });
  const { screen } = await renderApp(services, { signup: SignupScreen }, '/signup');
  await fillForm(screen, '12');
  await fireEvent.press(screen.getByTestId('signup-submit'));
  expect(await screen.findByTestId('signup-age-error')).toHaveTextContent(
    'Debe ser como mínimo 13.',
  );
});
