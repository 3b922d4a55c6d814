import type { Attachment, PendingAttachment, UploadInput } from '@sala/sdk';
import { act, fireEvent, waitFor, within } from 'expo-router/testing-library';
import { useState } from 'react';
import { Linking } from 'react-native';

import { ChatScreen } from '@/features/chat/ChatScreen';
import { Composer } from '@/features/chat/Composer';

import {
  fakeServices,
  FakeSocket,
  handshake,
  message,
  SERVER,
  signedInStorage,
} from '../../../../test/fakes';
import { renderApp } from '../../../../test/render';

const image: Attachment = {
  id: 'u1',
  name: 'view.png',
  size: 1_572_864,
  content_type: 'image/png',
  url: '/api/v1/files/u1?exp=1&sig=s',
  width: 1280,
  height: 720,
};
const pdf: Attachment = {
  id: 'u2',
  name: 'plan.pdf',
  size: 2048,
  content_type: 'application/pdf',
  url: '/api/v1/files/u2?exp=1&sig=s',
};

test('a message shows its image inline at a bounded size, a tap opens it full size', async () => {
  const { services } = fakeServices(signedInStorage());
  const { screen } = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () =>
    handshake(FakeSocket.last, 'general', [
      { ...message(1, 'bob', 'look'), attachments: [image, pdf] },
    ]),
  );
  const open = screen.getByLabelText('Open view.png at full size');
  const img = within(open).getByTestId('message-image-img');
  expect(img.props.source).toEqual({ uri: `${SERVER}${image.url}` });
  expect(img.props.style).toEqual(
    expect.arrayContaining([expect.objectContaining({ width: 320, height: 180 })]),
  );
  expect(screen.queryByTestId('image-viewer')).toBeNull();
  await fireEvent.press(open);
  expect(screen.getByTestId('image-viewer-image').props.source).toEqual({
    uri: `${SERVER}${image.url}`,
  });
  await fireEvent.press(screen.getByLabelText('Close'));
  expect(screen.queryByTestId('image-viewer')).toBeNull();
  await fireEvent.press(open);
  await fireEvent.press(screen.getByTestId('image-viewer'));
  expect(screen.queryByTestId('image-viewer')).toBeNull();

  const opened: string[] = [];
  jest.spyOn(Linking, 'openURL').mockImplementation(async (url) => void opened.push(url));
  await fireEvent.press(screen.getByLabelText('Download plan.pdf (2 KB)'));
  expect(opened).toEqual([`${SERVER}${pdf.url}`]);
});

/** A composer whose files the test sets, with pickers that give `picked`. */
function composerHarness(picked: UploadInput[]) {
  const calls = { attached: [] as string[], sent: [] as string[], cancelled: [] as string[] };
  let setFiles: (files: PendingAttachment[]) => void = () => undefined;
  function Harness() {
    const [files, set] = useState<PendingAttachment[]>([]);
    setFiles = set;
    return (
      <Composer
        placeholder="Message"
        onSend={(text) => calls.sent.push(text)}
        attachments={files}
        onAttach={(f) => calls.attached.push(f.name)}
        onCancelFile={(key) => calls.cancelled.push(key)}
        pickers={{
          images: async () => picked.filter((f) => f.type?.startsWith('image/')),
          documents: async () => picked,
        }}
      />
    );
  }
  return { Harness, calls, setFiles: (f: PendingAttachment[]) => act(() => setFiles(f)) };
}

const uploading: PendingAttachment = {
  key: 'a1',
  where: 'room',
  name: 'view.png',
  size: 2048,
  type: 'image/png',
  state: 'uploading',
  loaded: 1024,
  total: 2048,
};

test('the composer attaches picked photos and files, shows progress and a cancel, and sends once uploaded', async () => {
  const picked: UploadInput[] = [
    { name: 'view.png', size: 2048, type: 'image/png', data: { uri: 'file:///view.png' } },
    { name: 'plan.pdf', size: 10, type: 'application/pdf', data: { uri: 'file:///plan.pdf' } },
  ];
  const { Harness, calls, setFiles } = composerHarness(picked);
  const { services } = fakeServices(signedInStorage());
  const { screen } = await renderApp(services, { index: Harness });
  await fireEvent.press(screen.getByLabelText('Attach photos'));
  const slow = { timeout: 5000 };
  await waitFor(() => expect(calls.attached).toEqual(['view.png']), slow);
  await fireEvent.press(screen.getByLabelText('Attach files'));
  await waitFor(() => expect(calls.attached).toEqual(['view.png', 'view.png', 'plan.pdf']), slow);

  await setFiles([uploading]);
  const bar = screen.getByTestId('composer-file-progress');
  expect(bar.props['aria-valuenow']).toBe(50);
  expect(screen.getByText('Uploading… 50%')).toBeOnTheScreen();
  await fireEvent.changeText(screen.getByTestId('composer-input'), 'look');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(calls.sent).toEqual([]); // waits for the upload
  expect(screen.getByTestId('composer-wait')).toBeOnTheScreen();
  await fireEvent.press(screen.getByLabelText('Cancel upload: view.png'));
  expect(calls.cancelled).toEqual(['a1']);

  await setFiles([{ ...uploading, state: 'done', loaded: 2048 }]);
  expect(screen.queryByTestId('composer-file-progress')).toBeNull();
  await fireEvent.changeText(screen.getByTestId('composer-input'), '');
  await fireEvent.press(screen.getByTestId('composer-send'));
  expect(calls.sent).toEqual(['']); // files alone
});

test('an image whose link fails to load gets its message again with a fresh link', async () => {
  const sent = { ...message(1, 'bob', 'look'), attachments: [image] };
  const freshUrl = '/api/v1/files/u1?exp=2&sig=fresh';
  const fresh = { ...sent, attachments: [{ ...image, url: freshUrl }] };
  const { services, http } = fakeServices(signedInStorage(), {
    'GET /api/v1/rooms/general/messages': {
      status: 200,
      body: { messages: [fresh], has_more: true },
    },
  });
  const { screen } = await renderApp(services, { index: ChatScreen });
  await waitFor(() => expect(FakeSocket.instances.length).toBe(1));
  await act(async () => handshake(FakeSocket.last, 'general', [sent]));
  await act(async () => fireEvent(screen.getByTestId('message-image-img'), 'error'));
  await waitFor(() =>
    expect(screen.getByTestId('message-image-img').props.source).toEqual({
      uri: `${SERVER}${freshUrl}`,
    }),
  );
  const asked = http.calls.filter((c) => c.path === '/api/v1/rooms/general/messages');
  expect(asked.map((c) => [c.query.get('before'), c.query.get('limit')])).toEqual([['2', '1']]);
});
