import { defaultServerUrl, LOCAL_SERVER_URL, normalizeServerUrl } from '@/config';

test.each([
  ['http://localhost:8080', 'http://localhost:8080'],
  ['  https://chat.example.org/  ', 'https://chat.example.org'],
  ['192.168.1.20:8080', 'http://192.168.1.20:8080'],
  ['http://10.0.0.5:8080/sala/', 'http://10.0.0.5:8080/sala'],
])('normalizes %p', (input, url) => {
  expect(normalizeServerUrl(input)).toBe(url);
});

test.each(['', '   ', 'ftp://host', 'ws://host:8080', 'http://'])('refuses %p', (input) => {
  expect(normalizeServerUrl(input)).toBeNull();
});

test('defaults to the local server off the web', () => {
  expect(defaultServerUrl()).toBe(LOCAL_SERVER_URL);
});
