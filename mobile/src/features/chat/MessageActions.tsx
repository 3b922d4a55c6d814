import {
  type AnyMessage,
  conversationText,
  mentionedLogins,
  mentions,
  reactionChoices,
  reactionLabel,
  typingText,
} from '@sala/sdk';
import { type ReactNode, useCallback, useState } from 'react';
import { Modal, Pressable, StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';
import { space, useTheme } from '@/ui/theme';

import { useChat, useChatStore } from './ChatProvider';
import { MessageBubble } from './MessageBubble';

/**
 * A stored message: its bubble (reply snippet, "edited", tombstone), its reaction chips, and a
 * long press (or a screen reader's "actions") that opens its actions.
 */
export function MessageRow({
  message: m,
  me,
  name = m.from,
  showFrom = true,
  testID,
  onActions,
  onShowOriginal,
  focused = false,
}: {
  message: AnyMessage;
  me: string;
  /** How the sender is named (a first name); the login by default. */
  name?: string;
  /** False when the bubble above is the same sender's. */
  showFrom?: boolean;
  testID: string;
  onActions: (m: AnyMessage) => void;
  onShowOriginal?: (id: number) => void;
  /** The message a search result opened: marked. */
  focused?: boolean;
}) {
  const { language } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const actions = conversationText(language, 'actions');
  return (
    <Pressable
      nativeID={`row-m${m.id}`}
      disabled={m.deleted}
      onLongPress={() => onActions(m)}
      accessibilityHint={m.deleted ? undefined : actions}
      accessibilityActions={m.deleted ? undefined : [{ name: 'longpress', label: actions }]}
      onAccessibilityAction={() => onActions(m)}
      testID={`${testID}-press`}
      aria-selected={focused || undefined}
      style={focused ? { backgroundColor: theme.warningBackground } : undefined}>
      <MessageBubble
        testID={testID}
        from={name}
        showFrom={showFrom}
        text={m.text}
        at={m.sent_at}
        mine={m.from === me}
        replyTo={m.reply_to}
        onReplyPress={m.reply_to ? () => onShowOriginal?.(m.reply_to!.id) : undefined}
        onLongPress={m.deleted ? undefined : () => onActions(m)}
        edited={m.edited_at !== undefined}
        deleted={m.deleted}
        me={me}
        mentions={mentionedLogins(m)}
        mentionsMe={m.from !== me && mentions(m, me)}
        attachments={m.attachments}
        messageId={m.id}
      />
      {m.reactions?.length ? (
        <View
          style={[styles.chips, { alignSelf: m.from === me ? 'flex-end' : 'flex-start' }]}
          testID="reactions">
          {m.reactions.map((r) => {
            const mine = r.users.includes(me);
            const label = reactionLabel(language, r, me);
            return (
              <Pressable
                key={r.emoji}
                testID={`reaction-${r.emoji}`}
                accessibilityRole="button"
                accessibilityLabel={label}
                accessibilityState={{ selected: mine }}
                // On the web the title is the tooltip that says who reacted.
                {...({ title: label } as object)}
                onPress={() => store?.react(m.id, r.emoji)}
                style={[
                  styles.chip,
                  {
                    borderColor: mine ? theme.primary : theme.border,
                    backgroundColor: mine ? theme.bubbleMine : theme.surface,
                  },
                ]}>
                <Text style={{ color: theme.text }}>
                  {r.emoji} {r.count}
                </Text>
              </Pressable>
            );
          })}
        </View>
      ) : null}
    </Pressable>
  );
}

/** The actions sheet of one message: reply, edit, delete (after a confirmation), react. */
export function MessageActionsSheet({
  message: m,
  me,
  owner,
  onClose,
  onReply,
  onEdit,
}: {
  message: AnyMessage | null;
  me: string;
  /** The room's owner, who deletes any message in it. */
  owner?: string;
  onClose: () => void;
  onReply: (m: AnyMessage) => void;
  onEdit: (m: AnyMessage) => void;
}) {
  const { language } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const [confirm, setConfirm] = useState(false);
  const w = (key: Parameters<typeof conversationText>[1]) => conversationText(language, key);
  if (!m) return null;
  const mine = m.from === me;
  const canDelete = mine || (owner !== undefined && owner === me);
  const item = (testID: string, label: string, onPress: () => void, danger = false) => (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      onPress={onPress}
      style={({ pressed }) => [styles.item, pressed && { backgroundColor: theme.surface }]}>
      <Text style={{ color: danger ? theme.danger : theme.text, fontSize: 16 }}>{label}</Text>
    </Pressable>
  );
  const close = (then?: () => void) => () => {
    onClose();
    then?.();
  };
  return (
    <Modal transparent animationType="fade" visible onRequestClose={onClose}>
      <Pressable style={styles.backdrop} onPress={onClose} accessibilityLabel={w('cancel')} />
      <View
        testID="message-actions"
        accessibilityViewIsModal
        accessibilityLabel={w('actions')}
        style={[styles.sheet, { backgroundColor: theme.background, borderColor: theme.border }]}>
        {confirm ? (
          <>
            <Text style={[styles.confirm, { color: theme.text }]}>{w('confirmDelete')}</Text>
            {item(
              'action-confirm-delete',
              w('delete'),
              close(() => store?.deleteMessage(m.id)),
              true,
            )}
            {item('action-cancel', w('cancel'), () => setConfirm(false))}
          </>
        ) : (
          <>
            <View style={styles.emoji} accessibilityLabel={w('react')}>
              {reactionChoices(m).map((emoji) => (
                <Pressable
                  key={emoji}
                  testID={`react-${emoji}`}
                  accessibilityRole="button"
                  accessibilityLabel={`${w('react')} ${emoji}`}
                  onPress={close(() => store?.react(m.id, emoji))}
                  style={styles.emojiButton}>
                  <Text style={styles.emojiText}>{emoji}</Text>
                </Pressable>
              ))}
            </View>
            {item(
              'action-reply',
              w('reply'),
              close(() => onReply(m)),
            )}
            {mine
              ? item(
                  'action-edit',
                  w('edit'),
                  close(() => onEdit(m)),
                )
              : null}
            {canDelete ? item('action-delete', w('delete'), () => setConfirm(true), true) : null}
            {item('action-cancel', w('cancel'), onClose)}
          </>
        )}
      </View>
    </Modal>
  );
}

/** "alice is typing…" for a conversation, and edits and deletions said to screen readers. */
export function TypingLine({ where }: { where: string }) {
  const { language } = useI18n();
  const theme = useTheme();
  const typing = useChat((s) => s.typing);
  const announcement = useChat((s) => s.announcement);
  const names = (typing ?? []).filter((p) => p.where === where).map((p) => p.user);
  const said = announcement
    ? conversationText(language, announcement.kind === 'edited' ? 'editedBy' : 'deletedBy', {
        name: announcement.by,
      })
    : '';
  return (
    <View>
      <Text testID="typing-line" style={[styles.typing, { color: theme.textMuted }]}>
        {typingText(language, names)}
      </Text>
      <Text
        testID="announcement"
        role="status"
        accessibilityLiveRegion="polite"
        style={styles.hidden}>
        {said}
      </Text>
    </View>
  );
}

/**
 * What a conversation screen needs for a message's actions: the message whose sheet is open,
 * the reply or edit the composer holds, and the composer's props for them.
 */
export function useMessageActions(me: string) {
  const store = useChatStore();
  const [sheetFor, setSheetFor] = useState<AnyMessage | null>(null);
  const [replyTo, setReplyTo] = useState<AnyMessage | null>(null);
  const [editing, setEditing] = useState<AnyMessage | null>(null);
  const cancel = useCallback(() => {
    setReplyTo(null);
    setEditing(null);
  }, []);
  const reply = useCallback((m: AnyMessage) => {
    setEditing(null);
    setReplyTo(m);
  }, []);
  const edit = useCallback((m: AnyMessage) => {
    setReplyTo(null);
    setEditing(m);
  }, []);
  return {
    openActions: setSheetFor,
    sheet: (owner?: string): ReactNode => (
      <MessageActionsSheet
        key={sheetFor?.id ?? 0} // a new message's sheet starts without the delete confirmation
        message={sheetFor}
        me={me}
        owner={owner}
        onClose={() => setSheetFor(null)}
        onReply={reply}
        onEdit={edit}
      />
    ),
    /** The id the next send answers; the reply ends with that send. */
    takeReply: (): number | undefined => {
      const id = replyTo?.id;
      setReplyTo(null);
      return id;
    },
    composer: {
      replyTo,
      editing,
      onCancel: cancel,
      onEdit: (text: string) => {
        if (editing && text !== editing.text) store?.edit(editing.id, text);
        setEditing(null);
      },
      onTyping: () => store?.typing(),
    },
  };
}

const styles = StyleSheet.create({
  chips: { flexDirection: 'row', flexWrap: 'wrap', gap: 4, marginHorizontal: space.md },
  chip: { borderWidth: 1, borderRadius: 12, paddingHorizontal: 8, paddingVertical: 2 },
  backdrop: {
    position: 'absolute',
    top: 0,
    left: 0,
    right: 0,
    bottom: 0,
    backgroundColor: 'rgba(0,0,0,0.35)',
  },
  sheet: {
    position: 'absolute',
    left: 0,
    right: 0,
    bottom: 0,
    borderTopLeftRadius: 16,
    borderTopRightRadius: 16,
    borderWidth: StyleSheet.hairlineWidth,
    padding: space.md,
    gap: 2,
  },
  item: { paddingVertical: space.md, paddingHorizontal: space.md, borderRadius: 8 },
  emoji: { flexDirection: 'row', flexWrap: 'wrap', gap: 4, marginBottom: space.sm },
  emojiButton: { padding: 6 },
  emojiText: { fontSize: 24 },
  confirm: { fontSize: 16, padding: space.md },
  typing: { fontSize: 12, fontStyle: 'italic', paddingHorizontal: space.md, minHeight: 16 },
  hidden: { position: 'absolute', width: 1, height: 1, opacity: 0, overflow: 'hidden' },
});
