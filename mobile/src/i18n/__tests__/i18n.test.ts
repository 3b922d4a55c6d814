import { en } from '@/i18n/en';
import { es } from '@/i18n/es';
import { commandDescription, errorText, isLanguage, translator } from '@/i18n';

test('fills parameters', () => {
  expect(translator('en')('rooms.members', { count: 3 })).toBe('3 online');
  expect(translator('es')('rooms.members', { count: 1 })).toBe('1 en línea');
});

test('Spanish has every English key, translated where the words differ', () => {
  expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  expect(es['auth.login.submit']).not.toBe(en['auth.login.submit']);
});

test('knows its languages', () => {
  expect(isLanguage('es')).toBe(true);
  expect(isLanguage('fr')).toBe(false);
});

test('describes commands in the language, keeping the server’s words for unknown ones', () => {
  const es = translator('es');
  expect(commandDescription(es, { command: '#cR', description: 'create a room' })).toBe(
    'crea una sala tuya y entra en ella',
  );
  expect(commandDescription(es, { command: '#show users', description: 'list users' })).toBe(
    'lista todas las personas registradas, conectadas o no, y su sala',
  );
  expect(commandDescription(es, { command: '#poll', description: 'ask the room' })).toBe(
    'ask the room',
  );
});

test('says errors in the language, naming what the command was about when known', () => {
  const es = translator('es');
  const notFound = { code: 'room_not_found', message: 'no live room named "Libros"' };
  expect(errorText(es, { ...notFound, about: 'Libros' })).toBe(
    'No hay ninguna sala activa llamada «Libros».',
  );
  expect(errorText(es, notFound)).toBe('No hay ninguna sala activa con ese nombre.');
  expect(errorText(es, { code: 'rate_limited', message: 'slow down', about: 'x' })).toBe(
    'Estás enviando demasiado rápido. Espera un momento.',
  );
  expect(errorText(es, { code: 'invalid_command', message: 'usage: #gR <room>' })).toBe(
    'Uso: #gR <sala>',
  );
});
