import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { config } from '../config';
import { LOCALES, type Locale } from '../i18n';

/** The UI language as a v-model: switching remembers the choice and updates <html lang>. */
export function useLocale() {
  const { locale } = useI18n({ useScope: 'global' });
  const current = computed<Locale>({
    get: () => locale.value as Locale,
    set: (value) => {
      locale.value = value;
      try {
        localStorage.setItem(config.storage.locale, value);
      } catch {
        // storage unavailable: the choice lasts for this page
      }
      document.documentElement.lang = value;
    },
  });
  return { locale: current, locales: LOCALES };
}
