import Ionicons from '@expo/vector-icons/Ionicons';
import {
  type AnyMessage,
  applyMention,
  attachmentsReady,
  attachmentText,
  conversationText,
  type HelpItem,
  MAX_TEXT_LENGTH,
  mentionChoices,
  mentionQuery,
  type PendingAttachment,
  textLength,
  type UploadInput,
} from '@sala/sdk';
import { useState } from 'react';
import { Pressable, StyleSheet, Text, TextInput, View } from 'react-native';

import { commandDescription, commandUsage, useI18n } from '@/i18n';
import { Button } from '@/ui/Button';
import { space, useTheme } from '@/ui/theme';

import { ComposerFiles } from './ComposerFiles';
import { pickDocuments, pickImages } from './pickFiles';

/** The system pickers, replaceable in tests. */
export interface Pickers {
  images: () => Promise<UploadInput[]>;
  documents: () => Promise<UploadInput[]>;
}

const systemPickers: Pickers = { images: pickImages, documents: pickDocuments };
const noFiles: readonly PendingAttachment[] = [];

export interface ComposerProps {
  placeholder: string;
  /** Called with the text as typed; `#` commands go to the server unchanged. */
  onSend: (text: string) => void;
  /** Command hints for what is typed so far (empty when not typing a command). */
  hintsFor?: (text: string) => HelpItem[];
  /**
   * The hint Enter completes instead of sending (the one command an incomplete word starts:
   * `#g` → `#gR `); undefined sends the text as typed.
   */
  completeFor?: (text: string) => HelpItem | undefined;
  /** The length the server will check, in characters (default: the whole text's). */
  lengthOf?: (text: string) => number;
  /** The message the next send answers, shown above the box. */
  replyTo?: AnyMessage | null;
  /** The message being edited: the box holds its text and saving calls onEdit. */
  editing?: AnyMessage | null;
  onEdit?: (text: string) => void;
  /** The reply or the edit is called off. */
  onCancel?: () => void;
  /** Something is being typed (not a command, not an edit). */
  onTyping?: () => void;
  /** The logins `@` offers, and mine (never offered). */
  logins?: readonly string[];
  me?: string;
  /** The files the next send carries; without onAttach the composer takes no files. */
  attachments?: readonly PendingAttachment[];
  onAttach?: (file: UploadInput) => void;
  onCancelFile?: (key: string) => void;
  onRemoveFile?: (key: string) => void;
  onRetryFile?: (key: string) => void;
  pickers?: Pickers;
  testID?: string;
}

/** The message box: text input, send button, and command hints while typing `#…`. */
export function Composer({
  placeholder,
  onSend,
  hintsFor,
  completeFor,
  lengthOf = textLength,
  replyTo,
  editing,
  onEdit,
  onCancel,
  onTyping,
  logins,
  me,
  attachments = noFiles,
  onAttach,
  onCancelFile,
  onRemoveFile,
  onRetryFile,
  pickers = systemPickers,
  testID = 'composer',
}: ComposerProps) {
  const { t, language } = useI18n();
  const theme = useTheme();
  const [text, setText] = useState('');
  // Editing puts the message's text in the box; ending the edit empties it.
  const [editingShown, setEditingShown] = useState(editing);
  if (editing !== editingShown) {
    setEditingShown(editing);
    setText(editing ? editing.text : '');
  }
  // Where the caret is, for `@` completion: typing at the end keeps it at the end.
  const [caret, setCaret] = useState(0);
  function change(value: string) {
    if (caret >= text.length) setCaret(value.length);
    setText(value);
    if (value.trim() !== '' && !value.startsWith('#') && !editing) onTyping?.();
  }
  const hints = hintsFor ? hintsFor(text) : [];
  const mention = logins ? mentionQuery(text, Math.min(caret, text.length)) : null;
  const choices = mention && logins ? mentionChoices(logins, mention.query, me, 5) : [];

  /** Puts the chosen login in place of the `@word` at the caret. */
  function choose(login: string) {
    const next = applyMention(text, Math.min(caret, text.length), login);
    setText(next.text);
    setCaret(next.caret);
  }
  // Never cut what is typed or pasted: over the limit, say so and do not send.
  const length = lengthOf(text);
  const tooLong = length > MAX_TEXT_LENGTH;
  // A send waits for every file: none may still be uploading or have failed.
  const filesReady = attachmentsReady(attachments);
  const hasFiles = attachments.some((a) => a.state === 'done');
  const isCommand = text.trim().startsWith('#');
  const canSend =
    !tooLong &&
    (editing || isCommand
      ? text.trim().length > 0
      : filesReady && (text.trim().length > 0 || hasFiles));
  const [pickError, setPickError] = useState('');

  async function pick(which: keyof Pickers) {
    if (!onAttach) return;
    setPickError('');
    try {
      for (const file of await pickers[which]()) onAttach(file);
    } catch (e) {
      setPickError(t('chat.pickFailed', { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  /** Puts a hint's command in the box, with a space when it takes arguments. */
  function fill(h: HelpItem) {
    setText(h.usage.includes('<') ? `${h.command} ` : h.command);
  }

  function send() {
    if (!canSend) return;
    if (editing) onEdit?.(text);
    else onSend(text);
    setText('');
  }

  // Enter: with the hints showing, `#g` means the one command it starts, not an unknown `#g`.
  function submit() {
    const only = hints.length ? completeFor?.(text) : undefined;
    if (only) fill(only);
    else send();
  }

  return (
    <View
      style={[styles.wrap, { borderTopColor: theme.border, backgroundColor: theme.background }]}>
      {hints.length ? (
        <View
          testID={`${testID}-hints`}
          accessibilityLabel={t('chat.commandHints')}
          style={styles.hints}>
          {hints.map((h) => (
            <Pressable
              key={h.command}
              testID={`hint-${h.command}`}
              accessibilityRole="button"
              accessibilityLabel={`${commandUsage(t, h)}: ${commandDescription(t, h)}`}
              onPress={() => fill(h)}
              style={({ pressed }) => [
                styles.hint,
                { backgroundColor: pressed ? theme.border : theme.surface },
              ]}>
              <Text style={[styles.hintUsage, { color: theme.text }]}>{commandUsage(t, h)}</Text>
              <Text style={[styles.hintText, { color: theme.textMuted }]} numberOfLines={1}>
                {commandDescription(t, h)}
              </Text>
            </Pressable>
          ))}
        </View>
      ) : null}
      {choices.length ? (
        <View
          testID={`${testID}-mentions`}
          accessibilityLabel={t('chat.mentionChoices')}
          style={styles.mentions}>
          {choices.map((login) => (
            <Pressable
              key={login}
              testID={`mention-choice-${login}`}
              accessibilityRole="button"
              accessibilityLabel={t('chat.mention', { login })}
              onPress={() => choose(login)}
              style={({ pressed }) => [
                styles.chip,
                { backgroundColor: pressed ? theme.border : theme.surface },
              ]}>
              <Text style={{ color: theme.primary }}>@{login}</Text>
            </Pressable>
          ))}
        </View>
      ) : null}
      {editing || replyTo ? (
        <View
          testID={`${testID}-context`}
          style={[styles.context, { borderLeftColor: theme.primary }]}>
          <Text numberOfLines={1} style={[styles.contextText, { color: theme.textMuted }]}>
            {editing
              ? conversationText(language, 'editing')
              : `${conversationText(language, 'replyingTo', { name: replyTo!.from })}: ${replyTo!.text}`}
          </Text>
          <Pressable
            testID={`${testID}-cancel`}
            accessibilityRole="button"
            accessibilityLabel={conversationText(language, 'cancel')}
            onPress={onCancel}
            hitSlop={8}>
            <Text style={{ color: theme.primary }}>✕</Text>
          </Pressable>
        </View>
      ) : null}
      {attachments.length ? (
        <ComposerFiles
          attachments={attachments}
          onCancel={(key) => onCancelFile?.(key)}
          onRemove={(key) => onRemoveFile?.(key)}
          onRetry={(key) => onRetryFile?.(key)}
        />
      ) : null}
      {!filesReady && !editing ? (
        <Text testID={`${testID}-wait`} style={[styles.tooLong, { color: theme.textMuted }]}>
          {attachmentText(language, 'waitForUploads')}
        </Text>
      ) : null}
      {pickError ? (
        <Text role="alert" style={[styles.tooLong, { color: theme.danger }]}>
          {pickError}
        </Text>
      ) : null}
      {tooLong ? (
        <Text
          testID={`${testID}-too-long`}
          role="alert"
          style={[styles.tooLong, { color: theme.danger }]}>
          {t('chat.tooLong', { count: length, max: MAX_TEXT_LENGTH })}
        </Text>
      ) : null}
      <View style={styles.row}>
        {onAttach && !editing ? (
          <>
            <Pressable
              testID={`${testID}-photo`}
              accessibilityRole="button"
              accessibilityLabel={t('chat.attachPhotos')}
              onPress={() => void pick('images')}
              hitSlop={4}
              style={styles.attach}>
              <Ionicons name="image-outline" size={24} color={theme.primary} />
            </Pressable>
            <Pressable
              testID={`${testID}-file`}
              accessibilityRole="button"
              accessibilityLabel={t('chat.attachFiles')}
              onPress={() => void pick('documents')}
              hitSlop={4}
              style={styles.attach}>
              <Ionicons name="attach-outline" size={24} color={theme.primary} />
            </Pressable>
          </>
        ) : null}
        <TextInput
          testID={`${testID}-input`}
          accessibilityLabel={placeholder}
          placeholder={placeholder}
          placeholderTextColor={theme.textMuted}
          value={text}
          onChangeText={change}
          onSelectionChange={(e) => setCaret(e.nativeEvent.selection.end)}
          onKeyPress={(e) => {
            // A hardware keyboard (the web export): Escape calls a reply or an edit off.
            if (e.nativeEvent.key === 'Escape' && (editing || replyTo)) onCancel?.();
          }}
          onSubmitEditing={submit}
          submitBehavior="submit"
          autoCapitalize="sentences"
          autoCorrect={false}
          multiline={false}
          style={[
            styles.input,
            { color: theme.text, backgroundColor: theme.surface, borderColor: theme.border },
          ]}
        />
        <Button
          testID={`${testID}-send`}
          title={editing ? conversationText(language, 'save') : t('chat.send')}
          onPress={send}
          disabled={!canSend}
        />
      </View>
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { borderTopWidth: StyleSheet.hairlineWidth, padding: space.sm },
  row: { flexDirection: 'row', alignItems: 'center', gap: space.sm },
  input: {
    flex: 1,
    // On the web an input's intrinsic width would push the buttons off a narrow screen.
    minWidth: 0,
    minHeight: 44,
    borderWidth: 1,
    borderRadius: 22,
    paddingHorizontal: space.lg,
    fontSize: 16,
  },
  hints: { marginBottom: space.sm, gap: 2 },
  mentions: { flexDirection: 'row', flexWrap: 'wrap', gap: space.xs, marginBottom: space.sm },
  chip: { paddingHorizontal: space.md, paddingVertical: 8, borderRadius: 16 },
  hint: { paddingHorizontal: space.md, paddingVertical: 6, borderRadius: 8 },
  hintUsage: { fontFamily: 'monospace', fontSize: 14 },
  hintText: { fontSize: 12 },
  context: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: space.sm,
    borderLeftWidth: 3,
    paddingHorizontal: space.sm,
    marginBottom: space.sm,
  },
  contextText: { flex: 1, fontSize: 13 },
  tooLong: { fontSize: 13, marginBottom: space.xs, marginHorizontal: space.sm },
  attach: { padding: 2 },
});
