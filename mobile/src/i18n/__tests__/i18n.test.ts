import { en } from '@/i18n/en';
import { es } from '@/i18n/es';
import { isLanguage, translator } from '@/i18n';

test('fills parameters', () => {
  expect(translator('en')('rooms.members', { count: 3 })).toBe('3 online');
  expect(translator('es')('rooms.members', { count: 3 })).toBe('3 conectados');
});

test('Spanish has every English key, translated where the words differ', () => {
  expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
  expect(es['auth.login.submit']).not.toBe(en['auth.login.submit']);
});

test('knows its languages', () => {
  expect(isLanguage('es')).toBe(true);
  expect(isLanguage('fr')).toBe(false);
});
