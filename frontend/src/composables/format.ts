import { useI18n } from 'vue-i18n';

/** Formats server-time instants (Unix ms) in the UI language. */
export function useTimeFormat() {
  const { locale } = useI18n({ useScope: 'global' });
  return {
    /** 14:05 */
    time: (ms: number) =>
      new Intl.DateTimeFormat(locale.value, { hour: '2-digit', minute: '2-digit' }).format(ms),
    /** Full date and time, for tooltips. */
    full: (ms: number) =>
      new Intl.DateTimeFormat(locale.value, { dateStyle: 'full', timeStyle: 'medium' }).format(ms),
    /**
     * Day label for separators, its first letter capitalised: Spanish writes weekdays and
     * months in lower case ("viernes, 4 de diciembre"), and CSS `capitalize` would make every
     * word a capital ("Viernes, 4 De Diciembre").
     */
    day: (ms: number) =>
      firstUpper(
        new Intl.DateTimeFormat(locale.value, {
          weekday: 'long',
          day: 'numeric',
          month: 'long',
        }).format(ms),
        locale.value,
      ),
    iso: (ms: number) => new Date(ms).toISOString(),
  };
}

function firstUpper(text: string, locale: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}
