// The SDK's words for the server's codes (one copy for both apps), in the UI's language.
import {
  attachmentStatus,
  attachmentText,
  attachmentView,
  authErrorText,
  chatErrorText,
  commandDescription,
  conversationText,
  reactionLabel,
  typingText,
  fieldErrorTexts,
  noticeText,
  usageText,
  type Attachment,
  type HelpItem,
  type Lang,
  type PendingAttachment,
  type Reaction,
} from '@sala/sdk';
import { useI18n } from 'vue-i18n';
import { config } from '../config';

/** Functions that word codes in the current locale. */
export function useTexts() {
  const { locale } = useI18n();
  const lang = (): Lang => (locale.value === 'es' ? 'es' : 'en');
  return {
    /** A command's #help description; a command the SDK has no words for keeps the server's. */
    describe: (c: HelpItem) => commandDescription(lang(), c),
    /** A command usage with its placeholders translated (`#gR <sala>`). */
    usage: (c: HelpItem) => usageText(lang(), c.usage),
    chatError: (e: { code: string; message: string; about?: string }) => chatErrorText(lang(), e),
    /** A failed login or sign-up as a sentence. */
    authError: (e: unknown) => authErrorText(lang(), e),
    /** A failed sign-up's errors by field. */
    fieldErrors: (e: unknown) => fieldErrorTexts(lang(), e),
    /** A conversation word (`edited`, `reply`, `replyingTo`…) from the SDK's table. */
    conv: (key: Parameters<typeof conversationText>[1], params?: Record<string, string | number>) =>
      conversationText(lang(), key, params),
    /** "alice is typing…" ('' when nobody is). */
    typing: (names: readonly string[]) => typingText(lang(), names),
    /** A reaction chip's name: "👍 2: bob, you". */
    reaction: (r: Reaction, me: string) => reactionLabel(lang(), r, me),
    notice: (key: 'alreadyInRoom' | 'gap', params?: Record<string, string>) =>
      noticeText(lang(), key, params),
    /** A word of files (`attach`, `remove`, `openImage`…) from the SDK's table. */
    files: (key: Parameters<typeof attachmentText>[1], params?: Record<string, string | number>) =>
      attachmentText(lang(), key, params),
    /** A composer file's state: "Uploading… 42%", "Failed: …". */
    fileStatus: (a: PendingAttachment) => attachmentStatus(a, lang()),
    /** A message's file as shown: an inline image at a bounded size, or a named download. */
    fileView: (a: Attachment) => attachmentView(a, lang(), { baseUrl: config.apiBase }),
  };
}
