import { router } from 'expo-router';

import { useSettings } from '@/features/settings/settings';
import { useI18n } from '@/i18n';
import { Button } from '@/ui/Button';

/** Shows which server the form talks to; opens the server settings. */
export function ServerLink() {
  const { t } = useI18n();
  const { serverUrl } = useSettings();
  return (
    <Button
      variant="link"
      testID="server-link"
      title={t('auth.serverSettings', { url: serverUrl })}
      onPress={() => router.push('/server')}
    />
  );
}
