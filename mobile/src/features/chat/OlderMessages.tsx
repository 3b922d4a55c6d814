import { ActivityIndicator, StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';
import { Button } from '@/ui/Button';
import { space, useTheme } from '@/ui/theme';

import type { Paging } from './chatStore';

/**
 * The top row of a conversation while older messages exist: a loading indicator while a page
 * comes, "Load earlier messages" (scrolling up does the same), or a retry after a failure.
 */
export function OlderMessages({
  paging,
  onLoad,
}: {
  paging: Paging | null | undefined;
  /** Asks for the previous page (also after a failure). */
  onLoad: () => void;
}) {
  const { t } = useI18n();
  const theme = useTheme();
  if (!paging || (!paging.hasMore && !paging.loading)) return null;
  if (paging.loading) {
    return (
      <View
        testID="older-loading"
        accessible
        accessibilityRole="progressbar"
        accessibilityLabel={t('chat.older.loading')}
        accessibilityLiveRegion="polite"
        style={styles.row}>
        <ActivityIndicator color={theme.textMuted} />
        <Text style={[styles.text, { color: theme.textMuted }]}>{t('chat.older.loading')}</Text>
      </View>
    );
  }
  return (
    <View style={styles.row}>
      {paging.failed ? (
        <Text testID="older-failed" style={[styles.text, { color: theme.danger }]}>
          {t('chat.older.failed')}
        </Text>
      ) : null}
      <Button
        testID={paging.failed ? 'older-retry' : 'older-load'}
        title={paging.failed ? t('chat.older.retry') : t('chat.older.load')}
        variant="link"
        compact
        onPress={onLoad}
      />
    </View>
  );
}

const styles = StyleSheet.create({
  row: {
    minHeight: 44,
    flexDirection: 'row',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'center',
    gap: space.sm,
    paddingHorizontal: space.md,
  },
  text: { fontSize: 14 },
});
