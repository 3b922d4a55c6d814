import { chatErrorText, commandDescription as describeCommand, usageText } from '@sala/sdk';
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

/** Translates a key; it knows its language, for the SDK's words for server codes. */
export type Translate = ((key: MessageKey, params?: Record<string, string | number>) => string) & {
  language: Language;
};

/** A translate function for one language; `{name}` in a string is replaced by params.name. */
export function translator(language: Language): Translate {
  const dict = dictionaries[language];
  const t = (key: MessageKey, params?: Record<string, string | number>) => {
    const text = dict[key] ?? en[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  };
  return Object.assign(t, { language });
}

/**
 * A command's #help description in the app's language (the SDK's words, shared with the web
 * app); a command without words there (a newer server's) keeps the server's.
 */
export function commandDescription(
  t: Translate,
  c: { command: string; description: string },
): string {
  return describeCommand(t.language, c);
}

/** A command usage with its placeholders in the app's language (`#gR <sala>`). */
export function commandUsage(t: Translate, c: { usage: string }): string {
  return usageText(t.language, c.usage);
}

/**
 * A server error in the app's language (the SDK's words): naming the room or user when the
 * app knows what the failed command was about (`about`), by its code otherwise; a code without
 * words keeps the server's message, as a sentence.
 */
export function errorText(
  t: Translate,
  e: { code: string; message: string; about?: string },
): string {
  return chatErrorText(t.language, e);
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
