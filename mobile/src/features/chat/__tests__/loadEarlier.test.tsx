import { act, fireEvent, waitFor } from 'expo-router/testing-library';
import { FlatList } from 'react-native';

import { PrivateThreadRoute } from '@/app/dm/[login]';
import { ChatScreen } from '@/features/chat/ChatScreen';

import {
  type FakeResponse,
  type FakeRoute,
  fakeServices,
  FakeSocket,
  handshake,
  signedInStorage,
} from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

const message = (id: number, from = 'bob') => ({
  type: 'message' as const,
  id,
  room: 'general',
  from,
  text: `room message ${id}`,
  sent_at: Date.UTC(2026, 0, 1, 12, 0) + id,
  client_id: `c${id}`,
});

const privateMessage = (id: number) => ({
  type: 'private' as const,
  id,
  from: 'bob',
  to: 'alice',
  text: `private message ${id}`,
  sent_at: Date.UTC(2026, 0, 1, 12, 0) + id,
  client_id: `c${id}`,
});

/** An answer the test releases when it wants, to see the loading row meanwhile. */
function held() {
  let release: (r: FakeResponse) => void = () => undefined;
  const answer = new Promise<FakeResponse>((r) => (release = r));
  return { answer, release: (r: FakeResponse) => release(r) };
}

/** A scroll of the list: `y` from the top, in a 3000 px list seen through 700 px. */
function scrollTo(y: number) {
  return {
    nativeEvent: {
      contentOffset: { x: 0, y },
      contentSize: { width: 390, height: 3000 },
      layoutMeasurement: { width: 390, height: 700 },
    },
  };
}

async function open(routes: Record<string, FakeRoute>, route = '/') {
  const { services, http } = fakeServices(signedInStorage(), routes);
  const r = await renderApp(
    services,
    { index: ChatScreen, 'dm/[login]': PrivateThreadRoute },
    route,
  );
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  return { screen: r.screen, http };
}

type Screen = Awaited<ReturnType<typeof open>>['screen'];

/** The keys of a list's rows (`m<id>` for a message): FlatList renders only some of them. */
const keys = (screen: Screen, list: string): string[] =>
  (screen.getByTestId(list).props.data as { key: string }[]).map((r) => r.key);

const ids = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `m${from + i}`);

afterEach(() => jest.restoreAllMocks());

test('scrolling to the top of the room loads earlier messages, with a loading row', async () => {
  const page = held();
  const { screen, http } = await open({
    'GET /api/v1/rooms/general/messages': () => page.answer,
  });
  const latest = Array.from({ length: 50 }, (_, i) => message(71 + i));
  await act(async () => handshake(FakeSocket.last, 'general', latest));
  expect(screen.getByTestId('older-load')).toHaveAccessibleName('Load earlier messages');

  await fireEvent.scroll(screen.getByTestId('message-list'), scrollTo(0));
  const loading = screen.getByTestId('older-loading');
  expect(loading).toHaveAccessibleName('Loading earlier messages…');
  const calls = http.calls.filter((c) => c.path === '/api/v1/rooms/general/messages');
  expect(calls.map((c) => c.query.get('before'))).toEqual(['71']);

  await act(async () =>
    page.release({
      status: 200,
      body: {
        messages: Array.from({ length: 70 }, (_, i) => message(70 - i)),
        has_more: false,
      },
    }),
  );
  await waitFor(() => expect(screen.queryByTestId('older-loading')).toBeNull());
  expect(keys(screen, 'message-list')).toEqual(ids(1, 120));
  expect(screen.getByText('room message 1')).toBeOnTheScreen();
  // Nothing older: no button, and scrolling up asks nothing more.
  expect(screen.queryByTestId('older-load')).toBeNull();
  await fireEvent.scroll(screen.getByTestId('message-list'), scrollTo(0));
  expect(http.calls.filter((c) => c.path === '/api/v1/rooms/general/messages')).toHaveLength(1);
});

test('loads earlier messages by itself while the list does not fill the screen', async () => {
  const { screen, http } = await open({
    'GET /api/v1/rooms/general/messages': {
      status: 200,
      body: { messages: [message(2), message(1)], has_more: false },
    },
  });
  await act(async () => handshake(FakeSocket.last, 'general', [message(3), message(4)]));
  const list = screen.getByTestId('message-list');
  await fireEvent(list, 'layout', {
    nativeEvent: { layout: { x: 0, y: 0, width: 390, height: 700 } },
  });
  await fireEvent(list, 'contentSizeChange', 390, 300);
  await waitFor(() => expect(keys(screen, 'message-list')).toEqual(ids(1, 4)));
  const pages = () => http.calls.filter((c) => c.path === '/api/v1/rooms/general/messages');
  expect(pages().map((c) => c.query.get('before'))).toEqual(['3']);
  // Still short, but the server has no more: it stops.
  await fireEvent(list, 'contentSizeChange', 390, 450);
  await act(async () => jest.advanceTimersByTime(400)); // renderRouter's fake timers
  expect(pages()).toHaveLength(1);
});

test('a failed page says so and loads again on "Try again"', async () => {
  let answer: FakeResponse = {
    status: 503,
    body: { error: { code: 'unavailable', message: 'x' } },
  };
  const { screen } = await open({ 'GET /api/v1/rooms/general/messages': () => answer });
  await act(async () => handshake(FakeSocket.last, 'general', [message(5), message(6)]));
  await fireEvent.press(screen.getByTestId('older-load'));
  expect(await screen.findByTestId('older-failed')).toHaveTextContent(
    'Earlier messages could not be loaded.',
  );
  answer = { status: 200, body: { messages: [message(4)], has_more: false } };
  await fireEvent.press(screen.getByTestId('older-retry'));
  await waitFor(() => expect(keys(screen, 'message-list')).toEqual(ids(4, 6)));
  expect(screen.queryByTestId('older-failed')).toBeNull();
});

test('follows new messages only at the bottom, or when the user sends one', async () => {
  const scrollToEnd = jest.spyOn(FlatList.prototype, 'scrollToEnd');
  const { screen } = await open({});
  const latest = Array.from({ length: 50 }, (_, i) => message(71 + i));
  await act(async () => handshake(FakeSocket.last, 'general', latest));
  const list = screen.getByTestId('message-list');

  // Reading older messages, halfway up: someone else's message does not pull the list down.
  await fireEvent.scroll(list, scrollTo(1000));
  scrollToEnd.mockClear();
  await act(async () => FakeSocket.last.receive(message(121)));
  await fireEvent(list, 'contentSizeChange', 390, 3100);
  expect(scrollToEnd).not.toHaveBeenCalled();

  // The user's own message does.
  await fireEvent.changeText(screen.getByTestId('composer-input'), 'my own');
  await fireEvent.press(screen.getByTestId('composer-send'));
  await fireEvent(list, 'contentSizeChange', 390, 3200);
  expect(scrollToEnd).toHaveBeenCalled();

  // At the bottom, every new message is followed.
  await fireEvent.scroll(list, scrollTo(3200 - 700));
  scrollToEnd.mockClear();
  await act(async () => FakeSocket.last.receive(message(122)));
  await fireEvent(list, 'contentSizeChange', 390, 3300);
  expect(scrollToEnd).toHaveBeenCalled();
});

test('another room opens at its newest messages, wherever the last one was scrolled', async () => {
  const scrollToEnd = jest.spyOn(FlatList.prototype, 'scrollToEnd');
  const { screen } = await open({});
  const latest = Array.from({ length: 50 }, (_, i) => message(71 + i));
  await act(async () => handshake(FakeSocket.last, 'general', latest));
  const list = screen.getByTestId('message-list');
  await fireEvent.scroll(list, scrollTo(1000));
  scrollToEnd.mockClear();
  await act(async () =>
    FakeSocket.last.receive({
      type: 'joined',
      room: 'books',
      history: [{ ...message(200), room: 'books' }],
      resumed: false,
      more: false,
    }),
  );
  await fireEvent(screen.getByTestId('message-list'), 'contentSizeChange', 390, 900);
  expect(scrollToEnd).toHaveBeenCalled();
});

test('a private thread loads its latest page, then earlier ones from the top', async () => {
  const all = Array.from({ length: 80 }, (_, i) => privateMessage(i + 1));
  const { screen, http } = await open(
    {
      'GET /api/v1/dm/bob/messages': (url) => {
        const before = Number(url.searchParams.get('before') ?? Infinity);
        const older = all.filter((m) => m.id < before).reverse();
        return { status: 200, body: { messages: older.slice(0, 50), has_more: older.length > 50 } };
      },
    },
    '/dm/bob',
  );
  await act(async () => handshake(FakeSocket.last));
  await waitFor(() => expect(keys(screen, 'dm-list')).toEqual(ids(31, 80)));

  await fireEvent.scroll(screen.getByTestId('dm-list'), scrollTo(20));
  await waitFor(() => expect(keys(screen, 'dm-list')).toEqual(ids(1, 80)));
  expect(screen.getByText('private message 1')).toBeOnTheScreen();
  const before = http.calls
    .filter((c) => c.path === '/api/v1/dm/bob/messages')
    .map((c) => c.query.get('before'));
  expect(before).toEqual([null, '31']);
  expect(screen.queryByTestId('older-load')).toBeNull();
});
