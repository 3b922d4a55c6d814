import { useEffect, useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useChat, useChatStore } from '@/features/chat/ChatProvider';
import { languageNames, languages, useI18n } from '@/i18n';
import { formatClock } from '@/lib/time';
import { Button } from '@/ui/Button';
import { Screen } from '@/ui/Screen';
import { TextField } from '@/ui/TextField';
import { space, useTheme } from '@/ui/theme';

import { useSettings } from './settings';

/**
 * Server URL, language, and (signed in) the connection's latency and server time, and log out.
 * Changing the server signs out: a token belongs to the server that issued it.
 */
export function SettingsScreen() {
  const { t, language } = useI18n();
  const theme = useTheme();
  const settings = useSettings();
  const { session, signOut } = useSession();
  // The draft being typed; null shows the saved URL.
  const [draft, setUrl] = useState<string | null>(null);
  const url = draft ?? settings.serverUrl;
  const [urlState, setUrlState] = useState<'idle' | 'saved' | 'invalid'>('idle');

  async function saveUrl() {
    const ok = await settings.setServerUrl(url);
    setUrlState(ok ? 'saved' : 'invalid');
  }

  return (
    <Screen scroll testID="settings-screen">
      <Text style={[styles.section, { color: theme.textMuted }]}>{t('settings.server')}</Text>
      <View style={styles.row}>
        <View style={styles.grow}>
          <TextField
            testID="settings-server-url"
            label={t('settings.serverAddress')}
            value={url}
            onChangeText={(v) => {
              setUrl(v);
              setUrlState('idle');
            }}
            autoCapitalize="none"
            keyboardType="url"
            inputMode="url"
            onSubmitEditing={saveUrl}
            error={urlState === 'invalid' ? t('settings.serverInvalid') : undefined}
          />
        </View>
        <Button testID="settings-server-save" title={t('common.save')} onPress={saveUrl} />
      </View>
      <Text style={[styles.help, { color: theme.textMuted }]}>
        {urlState === 'saved' ? t('settings.serverSaved') : t('settings.serverHelp')}
      </Text>

      <Text style={[styles.section, { color: theme.textMuted }]}>{t('settings.language')}</Text>
      <View style={styles.chips} role="radiogroup" accessibilityLabel={t('settings.language')}>
        {languages.map((lang) => {
          const selected = lang === language;
          return (
            <Pressable
              key={lang}
              testID={`settings-language-${lang}`}
              role="radio"
              accessibilityState={{ checked: selected }}
              accessibilityLabel={languageNames[lang]}
              onPress={() => void settings.setLanguage(lang)}
              style={[
                styles.chip,
                {
                  borderColor: selected ? theme.primary : theme.border,
                  backgroundColor: selected ? theme.primary : theme.surface,
                },
              ]}>
              <Text style={{ color: selected ? theme.onPrimary : theme.text }}>
                {languageNames[lang]}
              </Text>
            </Pressable>
          );
        })}
      </View>

      {session ? (
        <>
          <ConnectionInfo />
          <Text testID="settings-account" style={[styles.account, { color: theme.text }]}>
            {t('settings.account', { login: session.user.login })}
          </Text>
          <Button
            testID="logout"
            variant="danger"
            title={t('settings.logout')}
            onPress={() => void signOut()}
          />
        </>
      ) : null}
    </Screen>
  );
}

/** Latency and the server's clock, ticking once a second. */
function ConnectionInfo() {
  const { t } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const latency = useChat((s) => s.latencyMs);
  const [now, setNow] = useState<number | null>(null);

  useEffect(() => {
    if (!store) return;
    const tick = () => setNow(store.serverNow());
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [store]);

  return (
    <View style={styles.info}>
      <Text style={{ color: theme.text }}>
        {t('settings.latency')}:{' '}
        <Text testID="settings-latency">
          {latency == null ? '—' : t('connection.latency', { ms: Math.round(latency) })}
        </Text>
      </Text>
      <Text style={{ color: theme.text }}>
        {t('settings.serverTime')}:{' '}
        <Text testID="settings-server-time">{now == null ? '—' : formatClock(now)}</Text>
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  section: {
    fontSize: 13,
    fontWeight: '700',
    textTransform: 'uppercase',
    marginTop: space.lg,
    marginBottom: space.sm,
  },
  row: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  grow: { flex: 1 },
  help: { fontSize: 13 },
  chips: { flexDirection: 'row', gap: space.sm },
  chip: {
    borderWidth: 1,
    borderRadius: 16,
    paddingHorizontal: space.md,
    paddingVertical: space.sm,
  },
  info: { marginTop: space.xl, gap: space.xs },
  account: { marginTop: space.lg, marginBottom: space.md, fontSize: 16 },
});
