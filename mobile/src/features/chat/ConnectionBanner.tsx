import { StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';
import { Button } from '@/ui/Button';
import { space, useTheme } from '@/ui/theme';

import { useChat, useChatStore } from './ChatProvider';

/** Says when the chat is not connected, with a button to reconnect at once. */
export function ConnectionBanner() {
  const { t } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const status = useChat((s) => s.status);
  if (!status || status === 'open') return null;
  const label =
    status === 'connecting'
      ? t('connection.connecting')
      : status === 'reconnecting'
        ? t('connection.reconnecting')
        : t('connection.closed');
  return (
    <View
      testID="connection-banner"
      role="status"
      aria-live="polite"
      style={[styles.banner, { backgroundColor: theme.warningBackground }]}>
      <Text testID="connection-status" style={[styles.text, { color: theme.warning }]}>
        {label}
      </Text>
      {status !== 'connecting' ? (
        <Button
          compact
          variant="secondary"
          testID="reconnect-now"
          title={t('connection.reconnectNow')}
          onPress={() => store?.reconnect()}
        />
      ) : null}
    </View>
  );
}

/** The average ping round trip, e.g. "42 ms". */
export function LatencyBadge() {
  const { t } = useI18n();
  const theme = useTheme();
  const latency = useChat((s) => (s.status === 'open' ? s.latencyMs : null));
  if (latency == null) return null;
  return (
    <Text
      testID="latency"
      accessibilityLabel={`latency ${Math.round(latency)} ms`}
      style={[styles.latency, { color: theme.textMuted }]}>
      {t('connection.latency', { ms: Math.round(latency) })}
    </Text>
  );
}

const styles = StyleSheet.create({
  banner: {
    flexDirection: 'row',
    alignItems: 'center',
    justifyContent: 'space-between',
    paddingHorizontal: space.lg,
    paddingVertical: space.sm,
    gap: space.sm,
  },
  text: { fontWeight: '600', flexShrink: 1 },
  latency: { fontSize: 13, marginHorizontal: space.md },
});
