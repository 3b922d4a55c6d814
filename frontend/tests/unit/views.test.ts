import { screen, waitFor, within } from '@testing-library/vue';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import App from '../../src/App.vue';
import { initialLocale } from '../../src/i18n';
import { setSalaServices } from '../../src/services/sala';
import { useChatStore } from '../../src/stores/chat';
import LoginView from '../../src/views/LoginView.vue';
import SignupView from '../../src/views/SignupView.vue';
import {
  FakeWebSocket,
  alice,
  defaultRoutes,
  fakeFetch,
  fakeServices,
  flush,
  msg,
  welcome,
  type Route,
} from './fakes';
import { renderApp } from './render';

function routes(extra: Record<string, Route>) {
  const f = fakeFetch(defaultRoutes(extra));
  setSalaServices(fakeServices(f.fetch));
  return f;
}

beforeEach(() => {
  localStorage.clear();
  FakeWebSocket.all = [];
});

describe('SignupView', () => {
  const english = ['First name', 'Last name', 'Login', 'Password', 'Age', 'Gender'];
  const spanish = ['Nombre', 'Apellido', 'Usuario', 'Contraseña', 'Edad', 'Género'];

  /** Fills the form, finding the fields by these labels (first name … gender). */
  async function fill(user: ReturnType<typeof userEvent.setup>, labels = english) {
    const field = (i: number) => screen.getByLabelText(labels[i]!);
    await user.type(field(0), 'Ada');
    await user.type(field(1), 'Lovelace');
    await user.type(field(2), 'ada');
    await user.type(field(3), 'short');
    await user.type(field(4), '9');
    await user.selectOptions(field(5), 'female');
  }

  it('has every account field, labelled', async () => {
    routes({});
    await renderApp(SignupView, { route: '/signup' });
    for (const name of english) {
      expect(screen.getByLabelText(name)).toBeTruthy();
    }
    expect(
      within(screen.getByLabelText('Gender'))
        .getAllByRole('option', { hidden: true })
        .map((o) => o.getAttribute('value')),
    ).toEqual(['', 'female', 'male', 'non_binary', 'other', 'prefer_not_to_say']);
  });

  it('shows the server’s field errors next to each field', async () => {
    const user = userEvent.setup();
    const f = routes({
      'POST /api/v1/auth/signup': () => ({
        status: 422,
        body: {
          error: {
            code: 'validation_failed',
            message: 'some fields are invalid',
            fields: { age: 'must be at least 13', password: 'must be at least 8 characters' },
          },
        },
      }),
    });
    await renderApp(SignupView, { route: '/signup' });
    await fill(user);
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    const age = await screen.findByLabelText('Age');
    await waitFor(() => expect(age.getAttribute('aria-invalid')).toBe('true'));
    // An older server sends no codes: its English reads as sentences.
    expect(screen.getByText('Must be at least 13.').id).toBe(age.getAttribute('aria-describedby'));
    const pw = screen.getByLabelText('Password');
    expect(screen.getByText('Must be at least 8 characters.').id).toBe(
      pw.getAttribute('aria-describedby'),
    );
    expect(screen.getByLabelText('Login').getAttribute('aria-invalid')).toBeNull();
    expect(f.calls[0]!.body).toEqual({
      first_name: 'Ada',
      last_name: 'Lovelace',
      login: 'ada',
      password: 'short',
      age: 9,
      gender: 'female',
    });
  });

  it('words the field errors in Spanish from their codes', async () => {
    const user = userEvent.setup();
    routes({
      'POST /api/v1/auth/signup': () => ({
        status: 400,
        body: {
          error: {
            code: 'validation_failed',
            message: 'some fields are invalid',
            fields: { age: 'must be at least 13', password: 'must be at least 8 characters' },
            field_errors: {
              age: { code: 'min', min: 13 },
              password: { code: 'min_length', min: 8 },
            },
          },
        },
      }),
    });
    await renderApp(SignupView, { route: '/signup', locale: 'es' });
    await fill(user, spanish);
    await user.click(screen.getByRole('button', { name: 'Registrarme' }));
    const age = await screen.findByText('Debe ser como mínimo 13.');
    expect(age.id).toBe(screen.getByLabelText('Edad').getAttribute('aria-describedby'));
    screen.getByText('Usa al menos 8 caracteres.');
    screen.getByText('Hay campos que corregir.');
  });

  it('marks a taken login on its field', async () => {
    const user = userEvent.setup();
    routes({
      'POST /api/v1/auth/signup': () => ({
        status: 409,
        body: { error: { code: 'login_taken', message: 'taken' } },
      }),
    });
    await renderApp(SignupView, { route: '/signup' });
    await fill(user);
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(await screen.findByText('This login is already taken.')).toBeTruthy();
  });

  it('requires every field before asking the server', async () => {
    const user = userEvent.setup();
    const f = routes({});
    await renderApp(SignupView, { route: '/signup' });
    await user.click(screen.getByRole('button', { name: 'Sign up' }));
    expect(screen.getAllByText('Required.')).toHaveLength(6);
    expect(f.calls).toHaveLength(0);
  });
});

describe('LoginView', () => {
  it('says when the login or password is wrong', async () => {
    const user = userEvent.setup();
    routes({
      'POST /api/v1/auth/login': () => ({
        status: 401,
        body: { error: { code: 'invalid_credentials', message: 'no' } },
      }),
    });
    await renderApp(LoginView);
    await user.type(screen.getByLabelText('Login'), 'ada');
    await user.type(screen.getByLabelText('Password'), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong login or password.');
  });

  it('logs in and opens the chat', async () => {
    const user = userEvent.setup();
    routes({
      'POST /api/v1/auth/login': () => ({
        status: 200,
        body: { token: 'jwt', expires_at: Date.now() + 60_000, user: alice },
      }),
    });
    const { router } = await renderApp(LoginView);
    await user.type(screen.getByLabelText('Login'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'right-password');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(router.currentRoute.value.name).toBe('chat'), { timeout: 5000 });
    expect(localStorage.getItem('sala.token')).toBe('jwt');
  });
});

describe('the app', () => {
  afterEach(() => useChatStore().stop());

  it('sends signed-out visitors to the login page', async () => {
    routes({});
    const { router } = await renderApp(App, { route: '/' });
    expect(router.currentRoute.value.name).toBe('login');
  });

  it('opens the chat for a stored session, chats, and logs out', async () => {
    const user = userEvent.setup();
    routes({});
    localStorage.setItem('sala.token', 'jwt');
    localStorage.setItem('sala.user', JSON.stringify(alice));
    const { router } = await renderApp(App, { route: '/' });
    await screen.findByRole('textbox', { name: 'Message' });
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: [msg(1, 'hello alice')],
      resumed: false,
      more: false,
    });
    await flush();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('#general');
    expect(screen.getByRole('log', { name: 'Messages in general' }).textContent).toContain(
      'hello alice',
    );
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'hi bob{Enter}');
    expect(ws.sentTexts()).toEqual(['hi bob']);
    await user.click(screen.getByRole('button', { name: 'Log out' }));
    await waitFor(() => expect(router.currentRoute.value.name).toBe('login'), { timeout: 5000 });
    expect(localStorage.getItem('sala.token')).toBeNull();
  });
});

describe('ChatView on a phone', () => {
  afterEach(() => useChatStore().stop());

  async function openChatView() {
    routes({});
    localStorage.setItem('sala.token', 'jwt');
    localStorage.setItem('sala.user', JSON.stringify(alice));
    await renderApp(App, { route: '/' });
    await screen.findByRole('textbox', { name: 'Message' });
  }

  it('moves focus into an opened drawer and back to its button on Escape', async () => {
    const user = userEvent.setup();
    await openChatView();
    FakeWebSocket.last().open();
    FakeWebSocket.last().receive(welcome(), {
      type: 'joined',
      room: 'general',
      history: [],
      resumed: false,
      more: false,
    });
    await flush();
    for (const [toggle, drawer, first] of [
      ['Show rooms', 'Rooms', 'New room'],
      ['Show people', 'People', 'Refresh people'],
    ] as const) {
      const button = screen.getByRole('button', { name: toggle });
      button.focus();
      await user.keyboard('{Enter}');
      await waitFor(() =>
        expect(document.activeElement).toBe(
          within(
            screen.getByRole(drawer === 'Rooms' ? 'navigation' : 'region', { name: drawer }),
          ).getAllByRole('button', { name: new RegExp(first) })[0],
        ),
      );
      expect(document.querySelector('main')?.hasAttribute('inert')).toBe(true);
      await user.keyboard('{Escape}');
      await waitFor(() => expect(document.activeElement).toBe(button));
      expect(document.querySelector('main')?.hasAttribute('inert')).toBe(false);
    }
  });

  it('each drawer has a close button that gives the focus back; the language is in the rooms drawer', async () => {
    const user = userEvent.setup();
    await openChatView();
    for (const [toggle, close] of [
      ['Show rooms', 'Close rooms'],
      ['Show people', 'Close people'],
    ] as const) {
      const button = screen.getByRole('button', { name: toggle });
      await user.click(button);
      expect(button.getAttribute('aria-expanded')).toBe('true');
      await user.click(screen.getByRole('button', { name: close }));
      expect(button.getAttribute('aria-expanded')).toBe('false');
      await waitFor(() => expect(document.activeElement).toBe(button));
    }
    const rooms = document.getElementById('rooms-drawer')!;
    expect(within(rooms).getByRole('combobox', { name: 'Language' })).toBeTruthy();
  });
});

describe('language', () => {
  it('follows the browser, else English; a saved choice wins', () => {
    expect(initialLocale(null, ['es-ES', 'en'])).toBe('es');
    expect(initialLocale(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(initialLocale(null, ['de'])).toBe('en');
    expect(initialLocale('en', ['es'])).toBe('en');
  });
});
