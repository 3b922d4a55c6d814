import { describe, expect, it } from 'vitest';
import {
  ApiError,
  authErrorText,
  chatErrorText,
  commandDescription,
  fieldErrorTexts,
  reactionLabel,
  typingText,
  parseApiError,
  texts,
  usageText,
} from '../src';

describe('the words both apps show for codes', () => {
  it('has the same codes in every language', () => {
    for (const part of Object.keys(texts.en) as Array<keyof typeof texts.en>) {
      expect(Object.keys(texts.es[part]).sort()).toEqual(Object.keys(texts.en[part]).sort());
    }
  });

  it('words field errors from their codes in Spanish, and keeps the server’s English for an unknown one', () => {
    const e = parseApiError(
      400,
      JSON.stringify({
        error: {
          code: 'validation_failed',
          message: 'invalid input',
          fields: {
            age: 'must be at least 13',
            login: 'is taken',
            gender: 'must be one of …',
            x: 'is odd',
          },
          field_errors: {
            age: { code: 'min', min: 13 },
            login: { code: 'taken' },
            gender: { code: 'one_of', values: ['female', 'male'] },
            x: { code: 'brand_new_rule' },
          },
        },
      }),
    );
    expect(e.fieldErrors.age).toEqual({ code: 'min', min: 13 });
    expect(fieldErrorTexts('es', e)).toEqual({
      age: 'Debe ser como mínimo 13.',
      login: 'Ese usuario ya existe.',
      gender: 'Elige uno de: female, male.',
      x: 'Is odd.',
    });
    expect(fieldErrorTexts('en', e).age).toBe('Must be at least 13.');
  });

  it('reads an old server’s fields as sentences, and a taken login as the login field’s error', () => {
    const old = new ApiError(400, 'validation_failed', 'bad', {
      password: 'must be at least 8 characters',
    });
    expect(fieldErrorTexts('en', old)).toEqual({ password: 'Must be at least 8 characters.' });
    const taken = new ApiError(409, 'login_taken', 'login is taken');
    expect(fieldErrorTexts('es', taken)).toEqual({ login: 'Ese usuario ya existe.' });
  });

  it('words form errors, the network and unknown codes', () => {
    expect(authErrorText('es', new ApiError(401, 'invalid_credentials', 'x'))).toBe(
      'Usuario o contraseña incorrectos.',
    );
    expect(authErrorText('en', new ApiError(0, 'network_error', 'fetch failed'))).toBe(
      'Cannot reach the server. Check your connection.',
    );
    expect(authErrorText('en', new ApiError(418, 'teapot', 'short and stout'))).toBe(
      'Something went wrong: short and stout',
    );
  });

  it('words chat errors, naming what they were about, and usages in the language', () => {
    expect(chatErrorText('es', { code: 'room_not_found', message: 'x', about: 'books' })).toBe(
      'No hay ninguna sala activa llamada «books».',
    );
    expect(
      chatErrorText('es', { code: 'invalid_command', message: 'usage: #private <login> <text>' }),
    ).toBe('Uso: #private <usuario> <texto>');
    expect(chatErrorText('en', { code: 'something_new', message: 'the server says so' })).toBe(
      'The server says so.',
    );
    expect(usageText('es', '#gR <room>')).toBe('#gR <sala>');
    expect(commandDescription('es', { command: '#gR', description: 'x' })).toBe(
      'entra en una sala que ya existe',
    );
    expect(commandDescription('es', { command: '#new', description: 'server words' })).toBe(
      'server words',
    );
  });
});

describe('the words of a conversation', () => {
  it('words the action errors in English and Spanish', () => {
    const words = (lang: 'en' | 'es') =>
      ['message_not_found', 'not_author', 'invalid_emoji'].map((code) =>
        chatErrorText(lang, { code, message: code }),
      );
    expect(words('en')).toEqual([
      'That message is gone or was deleted.',
      'Only its author can change that message.',
      'A reaction is one emoji.',
    ]);
    expect(words('es')).toEqual([
      'Ese mensaje ya no existe o se borró.',
      'Solo quien lo escribió puede cambiar ese mensaje.',
      'Una reacción es un solo emoji.',
    ]);
  });

  it('says who is typing, and who reacted', () => {
    expect(typingText('en', ['alice'])).toBe('alice is typing…');
    expect(typingText('en', ['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingText('es', ['alice', 'bob', 'carol', 'dan'])).toBe(
      'alice, bob y 2 más están escribiendo…',
    );
    expect(typingText('es', [])).toBe('');
    const r = { emoji: '👍', count: 2, users: ['bob', 'alice'] };
    expect(reactionLabel('en', r, 'alice')).toBe('👍 2: bob, you');
    expect(reactionLabel('es', r, 'alice')).toBe('👍 2: bob, tú');
  });
});
