import { router } from 'expo-router';
import { Pressable, StyleSheet, Text, View } from 'react-native';

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

/**
 * The header's connection indicator: a coloured dot and the state in words. Its label carries
 * the response time for screen readers; a tap opens Settings, where the figures are.
 */
export function ConnectionIndicator() {
  const { t } = useI18n();
  const theme = useTheme();
  const status = useChat((s) => s.status);
  const latency = useChat((s) => (s.status === 'open' ? s.latencyMs : null));
  if (!status) return null;
  const [label, color] =
    status === 'open'
      ? [t('connection.connected'), theme.ok]
      : status === 'closed'
        ? [t('connection.disconnected'), theme.danger]
        : [
            status === 'connecting' ? t('connection.connecting') : t('connection.reconnecting'),
            theme.warning,
          ];
  const figures =
    latency == null ? '' : `, ${t('connection.responseTime', { ms: Math.round(latency) })}`;
  return (
    <Pressable
      testID="connection-indicator"
      accessibilityRole="button"
      accessibilityLabel={label + figures}
      accessibilityHint={t('connection.details')}
      onPress={() => router.navigate('/settings')}
      hitSlop={8}
      style={styles.indicator}>
      <View style={[styles.dot, { backgroundColor: color }]} />
      <Text style={[styles.indicatorText, { color: theme.textMuted }]}>{label}</Text>
    </Pressable>
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
  indicator: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: 6,
    marginHorizontal: space.md,
  },
  dot: { width: 9, height: 9, borderRadius: 5 },
  indicatorText: { fontSize: 13, fontWeight: '600' },
});
