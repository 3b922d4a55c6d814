import { commandWord, type HelpItem } from '@sala/sdk';
import { useI18n } from 'vue-i18n';

/**
 * A command's description in the UI language. The server sends #help in English; a command
 * the app has no translation for (a newer server's) keeps the server's words.
 */
export function useCommandDescription() {
  const { t, te } = useI18n();
  return (c: HelpItem): string => {
    const key = `commands.${commandWord(c)}`;
    return te(key) ? t(key) : c.description;
  };
}
