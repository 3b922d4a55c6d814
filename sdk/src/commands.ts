// Command hints for a composer: what the `#` the user is typing can become.
import type { HelpItem } from './types';

/**
 * The commands that match the composer's text, for hints. `text` must start with `#`; the
 * typed command word (before any space) is matched as a prefix of each command, ignoring case
 * (`#g` → `#gR`, `#SHOW` → `#show users`). Once the text has arguments after the command
 * word, only the command it names is returned (its usage stays visible while typing).
 * Aliases the server accepts (`#IR`, `#\private`) match their command.
 */
export function commandHints(text: string, commands: readonly HelpItem[]): HelpItem[] {
  if (!text.startsWith('#')) return [];
  const typed = text.toLowerCase();
  const space = typed.search(/\s/);
  const word = canonical(space < 0 ? typed : typed.slice(0, space));
  if (space < 0) {
    return commands.filter((c) => c.command.toLowerCase().startsWith(word));
  }
  const withArgs = canonical(typed.trimEnd());
  return commands.filter((c) => {
    const cmd = c.command.toLowerCase();
    const first = cmd.split(/\s/)[0];
    // Multi-word commands (`#show users`): prefix match on the whole typed text.
    if (cmd.includes(' ')) return cmd.startsWith(withArgs) || withArgs.startsWith(cmd);
    return first === word;
  });
}

/**
 * The hint that Enter should complete rather than send: the one command the composer's text
 * names by an incomplete prefix of its word (`#g` → `#gR`, `#sh` → `#show users`). Undefined
 * when the hints are not exactly one, or when the text already is that command, with or
 * without arguments (`#lR`, `#IR`, `#gR books`, `#show users`): that text is sent as typed.
 */
export function hintToComplete(text: string, commands: readonly HelpItem[]): HelpItem | undefined {
  const hints = commandHints(text, commands);
  if (hints.length !== 1) return undefined;
  const hint = hints[0]!;
  const typed = text.trim().toLowerCase();
  const space = typed.search(/\s/);
  const resolved =
    space < 0 ? canonical(typed) : `${canonical(typed.slice(0, space))}${typed.slice(space)}`;
  const command = hint.command.toLowerCase();
  if (
    resolved === command ||
    (resolved.startsWith(command) && /\s/.test(resolved[command.length]!))
  )
    return undefined;
  return hint;
}

function canonical(word: string): string {
  if (word === '#ir') return '#lr';
  if (word.startsWith('#\\')) return `#${word.slice(2)}`;
  return word;
}

/**
 * The command a typed text names, lower-cased, its aliases resolved: `#lr` for `#IR books`,
 * `#private` for `#\private bob hi`; undefined for a text that is not a command. Apps tell by
 * it what answer a command they sent will get.
 */
export function typedCommand(text: string): string | undefined {
  if (!isCommand(text)) return undefined;
  return canonical(text.split(/\s/, 1)[0]!.toLowerCase());
}

/**
 * The word that names a help item's command, without its `#`: `cR` for `#cR`, `show` for
 * `#show users`. Apps key their own words for a command (a translated description) by it.
 */
export function commandWord(item: Pick<HelpItem, 'command'>): string {
  return item.command.replace(/^#/, '').split(' ')[0]!;
}

/**
 * A command's first argument: `books` for `#gR books`, `bob` for `#private bob hi`; undefined
 * for a text without one. Errors name it (`room_not_found` for the room of a `#gR`).
 */
export function commandArgument(text: string): string | undefined {
  if (!isCommand(text)) return undefined;
  return text.trim().split(/\s+/)[1];
}

/** Whether a composer text is a command (starts with `#`). */
export function isCommand(text: string): boolean {
  return text.startsWith('#');
}

/** A `#private <login> <text>` (or `#\private`) command, split; null for any other text. */
export function parsePrivateCommand(text: string): { to: string; text: string } | null {
  const m = /^#\\?private\s+(\S+)\s+([\s\S]*\S[\s\S]*)$/i.exec(text);
  if (!m) return null;
  return { to: m[1]!.toLowerCase(), text: m[2]! };
}

/** The server's limit on a message's text, in characters (Unicode code points). */
export const MAX_TEXT_LENGTH = 4000;

/**
 * A text's length as the server counts it: code points, not UTF-16 units (an emoji is one,
 * where `text.length` says two). A composer limits by it rather than by `maxlength`, which
 * counts UTF-16 units and cuts pasted text without a word.
 */
export function textLength(text: string): number {
  return [...text].length;
}

/** The length the server checks of a text typed in a room: a `#private`'s message, or the text. */
export function roomTextLength(text: string): number {
  return textLength(parsePrivateCommand(text)?.text ?? text);
}

/** Builds the command text of a private message. */
export function privateCommand(login: string, text: string): string {
  return `#private ${login} ${text}`;
}
