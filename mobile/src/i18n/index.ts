import { commandWord } from '@sala/sdk';
import { getLocales } from 'expo-localization';
import { createContext, useContext } from 'react';

import { en, type MessageKey } from './en';
import { es } from './es';

export type { MessageKey };

/** The languages the app speaks. */
export const languages = ['en', 'es'] as const;
export type Language = (typeof languages)[number];

const dictionaries: Record<Language, Record<MessageKey, string>> = { en, es };

/** Language names, each in its own language, for the picker. */
export const languageNames: Record<Language, string> = { en: 'English', es: 'Español' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** The first device language the app speaks, else English. */
export function deviceLanguage(): Language {
  try {
    for (const locale of getLocales()) {
      if (isLanguage(locale.languageCode)) return locale.languageCode;
    }
  } catch {
    // no locale information (tests, old runtimes): fall through
  }
  return 'en';
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** A translate function for one language; `{name}` in a string is replaced by params.name. */
export function translator(language: Language): Translate {
  const dict = dictionaries[language];
  return (key, params) => {
    const text = dict[key] ?? en[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
}

/**
 * A command's #help description in the app's language. The server sends #help in English; a
 * command the app has no words for (a newer server's) keeps the server's.
 */
export function commandDescription(
  t: Translate,
  c: { command: string; description: string },
): string {
  const key = `chat.command.${commandWord(c)}`;
  return key in en ? t(key as MessageKey) : c.description;
}

/**
 * A server error in the app's language: naming the room or user when the app knows what the
 * failed command was about (`about`), by its code otherwise; a code the app has no words for
 * (a newer server's, or `invalid_command`, whose usage text says it best) keeps the server's.
 */
export function errorText(
  t: Translate,
  e: { code: string; message: string; about?: string },
): string {
  const named = `chat.errorsAbout.${e.code}`;
  if (e.about !== undefined && named in en) return t(named as MessageKey, { name: e.about });
  const key = `chat.errors.${e.code}`;
  return key in en ? t(key as MessageKey) : e.message;
}

export interface I18n {
  language: Language;
  t: Translate;
}

export const I18nContext = createContext<I18n>({ language: 'en', t: translator('en') });

/** The current language and its translate function. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
