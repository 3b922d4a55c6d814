import { hasLink } from '@sala/sdk';
import { StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';
import { formatTime } from '@/lib/time';
import { space, useTheme } from '@/ui/theme';

import { LinkedText } from './LinkedText';

export interface MessageBubbleProps {
  /** Who sent it, as people read it (a first name); your own say "You" to screen readers. */
  from: string;
  /** False under a message of the same sender; your own never show it. */
  showFrom?: boolean;
  text: string;
  /** Server time in Unix milliseconds. */
  at: number;
  mine: boolean;
  pending?: boolean;
  testID?: string;
}

/**
 * One message: sender (unless the bubble above is theirs too, or it is yours), then the text as plain text (never markup) with its web addresses as
 * links, then the server time, or "sending…" while it is not acknowledged. A bubble without
 * links is read as one element; one with links lets a screen reader reach each link.
 */
export function MessageBubble({
  from,
  showFrom = true,
  text,
  at,
  mine,
  pending,
  testID,
}: MessageBubbleProps) {
  const { t } = useI18n();
  const theme = useTheme();
  const links = hasLink(text);
  const sender = mine ? t('chat.you') : from;
  return (
    <View
      testID={testID}
      accessible={!links}
      accessibilityLabel={links ? undefined : `${sender}: ${text}`}
      style={[
        styles.bubble,
        {
          backgroundColor: mine ? theme.bubbleMine : theme.surface,
          alignSelf: mine ? 'flex-end' : 'flex-start',
          opacity: pending ? 0.6 : 1,
        },
      ]}>
      {showFrom && !mine ? (
        <Text testID="message-from" style={[styles.from, { color: theme.primary }]}>
          {from}
        </Text>
      ) : null}
      <LinkedText
        testID="message-text"
        selectable
        text={text}
        linkColor={theme.primary}
        style={[styles.text, { color: theme.text }]}
      />
      <Text
        testID={pending ? 'message-pending' : 'message-time'}
        style={[styles.meta, { color: theme.textMuted }]}>
        {pending ? t('common.pending') : formatTime(at)}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  bubble: {
    maxWidth: '85%',
    borderRadius: 14,
    paddingHorizontal: space.md,
    paddingVertical: space.sm,
    marginVertical: 3,
    marginHorizontal: space.md,
  },
  from: { fontSize: 13, fontWeight: '700', marginBottom: 2 },
  text: { fontSize: 16, lineHeight: 21 },
  meta: { fontSize: 11, marginTop: 2, alignSelf: 'flex-end' },
});
