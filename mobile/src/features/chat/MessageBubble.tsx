import { type Attachment, conversationText, hasLink, type ReplySnippet } from '@sala/sdk';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';
import { formatTime } from '@/lib/time';
import { space, useTheme } from '@/ui/theme';

import { LinkedText } from './LinkedText';
import { MessageAttachments } from './MessageAttachments';

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
  /** The message this one answers; pressing the snippet calls onReplyPress. */
  replyTo?: ReplySnippet;
  onReplyPress?: () => void;
  /** A long press on the snippet is one on the message. */
  onLongPress?: () => void;
  /** Edited: "(edited)" after the time. */
  edited?: boolean;
  /** A tombstone: "message deleted" instead of the text. */
  deleted?: boolean;
  /** The reader's login: their mentions stand out. */
  me?: string;
  /** It mentions the reader: the bubble is marked. */
  mentionsMe?: boolean;
  /** Its files: images inline, others as links. */
  attachments?: readonly Attachment[];
  /** The stored message's id (none while pending), to fetch fresh file links. */
  messageId?: number;
  /** The logins the server found mentioned (undefined for a send not stored yet). */
  mentions?: readonly string[];
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
  text: stored,
  at,
  mine,
  pending,
  replyTo,
  onReplyPress,
  onLongPress,
  edited,
  deleted,
  me,
  mentionsMe,
  attachments,
  messageId,
  mentions,
  testID,
}: MessageBubbleProps) {
  const { t, language } = useI18n();
  const theme = useTheme();
  const text = deleted ? conversationText(language, 'deleted') : stored;
  const files = !deleted && attachments?.length ? attachments : null;
  // Links and files are each reachable: the bubble is then not read as one element.
  const links = hasLink(text) || files !== null;
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
        mentionsMe ? [styles.mentioned, { borderLeftColor: MENTION }] : null,
      ]}>
      {showFrom && !mine ? (
        <Text testID="message-from" style={[styles.from, { color: theme.primary }]}>
          {from}
        </Text>
      ) : null}
      {replyTo ? (
        <Pressable
          testID="message-reply"
          accessibilityRole="button"
          accessibilityLabel={`${conversationText(language, 'inReplyTo', { name: replyTo.from })}: ${replyTo.text || conversationText(language, 'deleted')}`}
          onPress={onReplyPress}
          onLongPress={onLongPress}
          style={[styles.reply, { borderLeftColor: theme.primary, backgroundColor: theme.border }]}>
          <Text style={[styles.replyFrom, { color: theme.text }]}>{replyTo.from}</Text>
          <Text numberOfLines={1} style={{ color: theme.textMuted }}>
            {replyTo.text || conversationText(language, 'deleted')}
          </Text>
        </Pressable>
      ) : null}
      {text !== '' || !files ? (
        <LinkedText
          testID={deleted ? 'message-deleted' : 'message-text'}
          selectable
          text={text}
          me={me}
          mentions={mentions}
          mentionColor={MENTION}
          linkColor={theme.primary}
          style={[
            styles.text,
            { color: deleted ? theme.textMuted : theme.text },
            deleted ? styles.deleted : null,
          ]}
        />
      ) : null}
      {files ? <MessageAttachments attachments={files} messageId={messageId} /> : null}
      <Text
        testID={pending ? 'message-pending' : 'message-time'}
        style={[styles.meta, { color: theme.textMuted }]}>
        {pending ? t('common.pending') : formatTime(at)}
        {edited && !deleted ? ` · ${conversationText(language, 'edited')}` : ''}
      </Text>
    </View>
  );
}

/** Mentions of the reader: a warm mark that reads on both palettes. */
const MENTION = '#F0A03C';

const styles = StyleSheet.create({
  mentioned: { borderLeftWidth: 3 },
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
  deleted: { fontStyle: 'italic' },
  reply: {
    borderLeftWidth: 3,
    borderRadius: 6,
    paddingHorizontal: 6,
    paddingVertical: 2,
    marginBottom: 4,
  },
  replyFrom: { fontSize: 12, fontWeight: '700' },
});
