import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';

import { defaultServerUrl, normalizeServerUrl } from '@/config';
import { deviceLanguage, I18nContext, isLanguage, type Language, translator } from '@/i18n';
import { useServices } from '@/lib/services';
import { keys } from '@/lib/storage';

export interface SettingsValue {
  /** False until the saved settings are loaded. */
  ready: boolean;
  serverUrl: string;
  language: Language;
  /** Saves a new server URL; returns false when it is not a valid http(s) URL. */
  setServerUrl(url: string): Promise<boolean>;
  setLanguage(language: Language): Promise<void>;
}

const SettingsContext = createContext<SettingsValue | null>(null);

/** Loads and keeps the server URL and the language; provides the i18n context too. */
export function SettingsProvider({ children }: { children: ReactNode }) {
  const { storage } = useServices();
  const [ready, setReady] = useState(false);
  const [serverUrl, setUrl] = useState(defaultServerUrl);
  const [language, setLang] = useState<Language>(deviceLanguage);

  useEffect(() => {
    let live = true;
    Promise.all([storage.getItem(keys.serverUrl), storage.getItem(keys.language)])
      .then(([url, lang]) => {
        if (!live) return;
        const saved = url ? normalizeServerUrl(url) : null;
        if (saved) setUrl(saved);
        if (isLanguage(lang)) setLang(lang);
      })
      .catch(() => undefined) // unreadable storage: keep the defaults
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [storage]);

  const setServerUrl = useCallback(
    async (input: string) => {
      const url = normalizeServerUrl(input);
      if (!url) return false;
      setUrl(url);
      await storage.setItem(keys.serverUrl, url);
      return true;
    },
    [storage],
  );

  const setLanguage = useCallback(
    async (next: Language) => {
      setLang(next);
      await storage.setItem(keys.language, next);
    },
    [storage],
  );

  const value = useMemo(
    () => ({ ready, serverUrl, language, setServerUrl, setLanguage }),
    [ready, serverUrl, language, setServerUrl, setLanguage],
  );
  const i18n = useMemo(() => ({ language, t: translator(language) }), [language]);

  return (
    <SettingsContext.Provider value={value}>
      <I18nContext.Provider value={i18n}>{children}</I18nContext.Provider>
    </SettingsContext.Provider>
  );
}

export function useSettings(): SettingsValue {
  const value = useContext(SettingsContext);
  if (!value) throw new Error('useSettings outside SettingsProvider');
  return value;
}
