// What both apps need to show a conversation's replies, edits, deletions, reactions and typing
// (docs/protocol.md, "Conversation"): applying an update to a message, who is typing, the
// emoji a picker offers, and the message arrow-up edits.
import { conversationText, type Lang } from './texts';
import type { MessageEnvelope, PrivateEnvelope, Reaction, UpdateEnvelope } from './types';

/** A stored message of either kind. */
export type AnyMessage = MessageEnvelope | PrivateEnvelope;

/** How long a typing signal shows, ms: the server forwards one at most every 2 s. */
export const TYPING_SHOWN_MS = 5_000;
/** The least time between two typing signals the client sends to one conversation, ms. */
export const TYPING_INTERVAL_MS = 2_000;
/** The emoji a reaction picker always offers (the message's own come first). */
export const COMMON_EMOJI: readonly string[] = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];

/**
 * A message after an update. An edit sets the text and `edited_at`; a deletion leaves a
 * tombstone (no text, no reactions); a reaction replaces the reactions with the update's. A
 * tombstone stays one whatever comes after it.
 */
export function applyUpdate<M extends AnyMessage>(m: M, u: UpdateEnvelope): M {
  if (m.deleted) return m;
  switch (u.kind) {
    case 'edited':
      return { ...m, text: u.text ?? m.text, edited_at: u.at };
    case 'deleted':
      return { ...withoutReactions(m, true), text: '', deleted: true };
    case 'reaction':
      return u.reactions?.length ? { ...m, reactions: u.reactions } : withoutReactions(m);
  }
}

/** The message without its reactions (and, for a tombstone, without its files). */
function withoutReactions<M extends AnyMessage>(m: M, files = false): M {
  const copy = { ...m };
  delete copy.reactions;
  if (files) delete copy.attachments;
  return copy;
}

/** A reply's snippet after the message it answers changed: its text follows (empty once deleted). */
export function applySnippet<M extends AnyMessage>(m: M, u: UpdateEnvelope): M {
  if (!m.reply_to || m.reply_to.id !== u.message_id) return m;
  if (u.kind === 'deleted') return { ...m, reply_to: { ...m.reply_to, text: '' } };
  if (u.kind === 'edited') {
    return { ...m, reply_to: { ...m.reply_to, text: [...(u.text ?? '')].slice(0, 100).join('') } };
  }
  return m;
}

/** The emoji a picker offers for `m`: those already on it, then the common ones. */
export function reactionChoices(m: Pick<AnyMessage, 'reactions'>): string[] {
  const own = (m.reactions ?? []).map((r) => r.emoji);
  return [...own, ...COMMON_EMOJI.filter((e) => !own.includes(e))];
}

/** Whether `login` is among the people who put `r`. */
export function reactedBy(r: Reaction, login: string): boolean {
  return r.users.includes(login);
}

/** The latest message of `me` that can still be edited (not deleted), for arrow-up. */
export function lastOwnMessage<M extends AnyMessage>(
  messages: readonly M[],
  me: string,
): M | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.from === me && !m.deleted) return m;
  }
  return undefined;
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and 2 more are typing…". */
export function typingText(lang: Lang, names: readonly string[]): string {
  const [a = '', b = ''] = names;
  if (names.length === 0) return '';
  if (names.length === 1) return conversationText(lang, 'typingOne', { a });
  if (names.length === 2) return conversationText(lang, 'typingTwo', { a, b });
  return conversationText(lang, 'typingMany', { a, b, n: names.length - 2 });
}

/** A reaction chip's tooltip and accessible name: "👍 2: alice, you". */
export function reactionLabel(lang: Lang, r: Reaction, me: string): string {
  const you = conversationText(lang, 'you');
  const users = r.users.map((u) => (u === me ? you : u)).join(', ');
  return conversationText(lang, 'reactionLabel', { emoji: r.emoji, count: r.count, users });
}
