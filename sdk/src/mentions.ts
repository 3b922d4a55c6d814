// Mentions (docs/protocol.md, "Mentions"): finding `@login` in a text the way the server does,
// splitting a message's text for highlighting, and the `@` completion both composers offer.
import { linkify, type TextSegment } from './links';

/** A login as the server accepts it: 3–32 of `a-z 0-9 _ . -` (case ignored). */
const LOGIN_CHARS = /[a-z0-9_.-]/i;
// `@` at the start or after a character that can't end a word or an address (`a@b.org` is no
// mention), then the login's characters.
const MENTION = /(^|[^a-z0-9_.@-])@([a-z0-9_.-]+)/gi;

/** Strips what ends a sentence rather than a login: `@bob.` mentions bob. */
function trimLogin(raw: string): string {
  return raw.replace(/[._-]+$/, '');
}

/**
 * The logins an @word may be, longest first, as the server tries them (`@ana.` at a sentence's
 * end may be the login `ana.` or `ana`).
 */
function spellings(raw: string): string[] {
  const out: string[] = [];
  for (let w = raw.toLowerCase(); w !== '';) {
    if (isLogin(w)) out.push(w);
    const shorter = w.replace(/[._-]+$/, '');
    if (shorter === w) break;
    w = shorter;
  }
  return out;
}

function isLogin(s: string): boolean {
  return s.length >= 3 && s.length <= 32;
}

/**
 * Where each mention is: its start (at the `@`), its written form and its login (lower case).
 * With `known` (a message's `mentions`, from the server), an @word is the longest of its
 * spellings that is one of them, or no mention; without, it is the word less its trailing
 * punctuation.
 */
export function findMentions(
  text: string,
  known?: readonly string[],
): Array<{ start: number; text: string; login: string }> {
  const out: Array<{ start: number; text: string; login: string }> = [];
  const logins = known && new Set(known.map((l) => l.toLowerCase()));
  const re = new RegExp(MENTION.source, MENTION.flags);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const raw = m[2]!;
    const login = logins ? spellings(raw).find((w) => logins.has(w)) : trimLogin(raw);
    if (login === undefined || !isLogin(login)) continue;
    const written = raw.slice(0, login.length);
    out.push({ start: m.index + m[1]!.length, text: `@${written}`, login: login.toLowerCase() });
  }
  return out;
}

/** The logins a text mentions (lower case, each once, in order). */
export function mentionsIn(text: string): string[] {
  return [...new Set(findMentions(text).map((m) => m.login))];
}

/**
 * Whether a message mentions `login`: the server's `mentions` when it sent them, else the
 * text read the same way. A deleted message mentions nobody.
 */
export function mentions(
  m: { text: string; mentions?: readonly string[]; deleted?: boolean },
  login: string,
): boolean {
  if (m.deleted || !login) return false;
  const who = login.toLowerCase();
  const list = m.mentions ?? mentionsIn(m.text);
  return list.some((l) => l.toLowerCase() === who);
}

/** A piece of a message's text: a link, plain text, or a mention (`me`: of the reader). */
export type MessageSegment =
  TextSegment | { type: 'mention'; text: string; login: string; me: boolean };

/**
 * A message's text split into plain text, web addresses ({@link linkify}) and mentions, in
 * order; joined back, the segments' texts are the text. Apps render them as text nodes (never
 * markup) and highlight the mentions of `me`. `known`: the message's `mentions` (only those
 * logins are mentions), when the server sent them.
 */
export function messageSegments(
  text: string,
  me = '',
  known?: readonly string[],
): MessageSegment[] {
  const who = me.toLowerCase();
  const out: MessageSegment[] = [];
  for (const s of linkify(text)) {
    if (s.type !== 'text') {
      out.push(s);
      continue;
    }
    let last = 0;
    for (const m of findMentions(s.text, known)) {
      if (m.start > last) out.push({ type: 'text', text: s.text.slice(last, m.start) });
      out.push({ type: 'mention', text: m.text, login: m.login, me: m.login === who });
      last = m.start + m.text.length;
    }
    if (last < s.text.length) out.push({ type: 'text', text: s.text.slice(last) });
  }
  return out;
}

// ---- `@` completion ------------------------------------------------------------------------

/** The `@word` being typed at the caret: where its `@` is and what follows it so far. */
export interface MentionQuery {
  start: number;
  query: string;
}

/**
 * The mention being typed when the caret ends `@…` (at the text's start or after a space or
 * punctuation, with only a login's characters after it); null otherwise.
 */
export function mentionQuery(text: string, caret: number): MentionQuery | null {
  let i = caret;
  while (i > 0 && LOGIN_CHARS.test(text[i - 1]!)) i--;
  if (i === 0 || text[i - 1] !== '@') return null;
  const before = i >= 2 ? text[i - 2]! : '';
  if (before && (LOGIN_CHARS.test(before) || before === '@')) return null;
  const query = text.slice(i, caret);
  if (query.length > 32) return null;
  return { start: i - 1, query };
}

/**
 * The logins to offer for `query`: those that start with it first, then those that contain it,
 * each group by login; case ignored; `me` left out; at most `limit`.
 */
export function mentionChoices(
  logins: readonly string[],
  query: string,
  me = '',
  limit = 8,
): string[] {
  const q = query.toLowerCase();
  const others = logins.filter((l) => l.toLowerCase() !== me.toLowerCase());
  const starts = others.filter((l) => l.toLowerCase().startsWith(q));
  const within = others.filter(
    (l) => !l.toLowerCase().startsWith(q) && l.toLowerCase().includes(q),
  );
  const byName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'base' });
  return [...starts.sort(byName), ...within.sort(byName)].slice(0, limit);
}

/**
 * The text after choosing `login` for the mention typed at the caret: `@query` becomes
 * `@login ` (a space after it unless one follows already), the caret after that space.
 */
export function applyMention(
  text: string,
  caret: number,
  login: string,
): { text: string; caret: number } {
  const q = mentionQuery(text, caret);
  if (q === null) return { text, caret };
  const rest = text.slice(caret);
  const insert = rest.startsWith(' ') ? `@${login}` : `@${login} `;
  const next = text.slice(0, q.start) + insert + rest;
  const end = q.start + insert.length + (rest.startsWith(' ') ? 1 : 0);
  return { text: next, caret: end };
}

/**
 * The logins a stored message mentions, as the server found them (a private message, and a
 * room message that names nobody, carry none).
 */
export function mentionedLogins(m: object): readonly string[] {
  return 'mentions' in m && Array.isArray(m.mentions) ? (m.mentions as string[]) : [];
}
