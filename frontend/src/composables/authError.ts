import { ApiError } from '@sala/sdk';
import { useI18n } from 'vue-i18n';

/** Turns a failed login/signup into a sentence in the UI language. */
export function useAuthError() {
  const { t, te } = useI18n();
  return (e: unknown): string => {
    if (e instanceof ApiError) {
      const key = `auth.errors.${e.code}`;
      if (te(key)) return t(key);
      return t('auth.errors.generic', { message: e.message });
    }
    return t('auth.errors.generic', { message: e instanceof Error ? e.message : String(e) });
  };
}
