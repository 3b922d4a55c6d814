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
    /** Day label for separators. */
    day: (ms: number) =>
      new Intl.DateTimeFormat(locale.value, {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
      }).format(ms),
    iso: (ms: number) => new Date(ms).toISOString(),
  };
}
