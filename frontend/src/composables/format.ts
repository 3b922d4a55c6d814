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

/**
 * A signed duration (a clock offset, in ms) in the unit it reads best in: `+12 ms` below a
 * second, `-3.6 s` (one decimal, in the UI language's notation) below a minute, then
 * `-12 min 5 s` and `-1 h 0 min 1 s`, rather than `-3601235 ms`.
 */
export function useDurationFormat() {
  const { t, locale } = useI18n({ useScope: 'global' });
  return (ms: number): string => {
    const abs = Math.abs(ms);
    const tenths = Math.round(abs / 100);
    const whole = Math.round(abs / 1000);
    const sign = (n: number) => (ms < 0 && n > 0 ? '-' : ms > 0 && n > 0 ? '+' : '');
    if (abs < 999.5) {
      const n = Math.round(abs);
      return t('status.ms', { n: `${sign(n)}${n}` });
    }
    if (tenths < 600) {
      const n = new Intl.NumberFormat(locale.value, {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(tenths / 10);
      return t('status.seconds', { n: `${sign(tenths)}${n}` });
    }
    const s = whole % 60;
    const m = Math.floor(whole / 60) % 60;
    const h = Math.floor(whole / 3600);
    if (h === 0) return t('status.minutes', { m: `${sign(whole)}${m}`, s });
    return t('status.hours', { h: `${sign(whole)}${h}`, m, s });
  };
}

function firstUpper(text: string, locale: string): string {
  return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}
