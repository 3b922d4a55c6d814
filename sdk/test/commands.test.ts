import { describe, expect, it } from 'vitest';
import {
  MAX_TEXT_LENGTH,
  commandArgument,
  commandHints,
  commandWord,
  hintToComplete,
  parsePrivateCommand,
  roomTextLength,
  textLength,
  typedCommand,
  type HelpItem,
} from '../src';

const help: HelpItem[] = [
  { command: '#cR', usage: '#cR <room>', description: 'create' },
  { command: '#gR', usage: '#gR <room>', description: 'join' },
  { command: '#eR', usage: '#eR', description: 'leave' },
  { command: '#lR', usage: '#lR', description: 'list' },
  { command: '#dR', usage: '#dR <room>', description: 'delete' },
  { command: '#show users', usage: '#show users', description: 'users' },
  { command: '#private', usage: '#private <login> <text>', description: 'dm' },
  { command: '#help', usage: '#help', description: 'help' },
  { command: '#exit', usage: '#exit', description: 'exit' },
];
const names = (text: string) => commandHints(text, help).map((h) => h.command);

describe('commandHints', () => {
  it('lists every command for a bare #', () => {
    expect(names('#')).toHaveLength(help.length);
  });

  it('prefix-matches the command ignoring case', () => {
    expect(names('#g')).toEqual(['#gR']);
    expect(names('#GR')).toEqual(['#gR']);
    expect(names('#e')).toEqual(['#eR', '#exit']);
    expect(names('#SH')).toEqual(['#show users']);
    expect(names('#p')).toEqual(['#private']);
  });

  it('keeps the named command while its arguments are typed', () => {
    expect(names('#gR bo')).toEqual(['#gR']);
    expect(names('#show u')).toEqual(['#show users']);
    expect(names('#private bob hello there')).toEqual(['#private']);
  });

  it('knows the aliases', () => {
    expect(names('#IR')).toEqual(['#lR']);
    expect(names('#\\priv')).toEqual(['#private']);
  });

  it('returns nothing for plain text or an unknown command', () => {
    expect(names('hello #g')).toEqual([]);
    expect(names('#zz')).toEqual([]);
    expect(names('#gRx books')).toEqual([]);
  });
});

describe('parsePrivateCommand', () => {
  it('splits #private and #\\private', () => {
    expect(parsePrivateCommand('#private Bob hi  there')).toEqual({ to: 'bob', text: 'hi  there' });
    expect(parsePrivateCommand('#\\PRIVATE bob x')).toEqual({ to: 'bob', text: 'x' });
  });

  it('rejects other texts', () => {
    expect(parsePrivateCommand('#private bob')).toBeNull();
    expect(parsePrivateCommand('#private bob   ')).toBeNull();
    expect(parsePrivateCommand('#privates bob x')).toBeNull();
  });
});

describe('commandWord', () => {
  it('is the command’s first word without its #', () => {
    expect(help.map(commandWord)).toEqual([
      'cR',
      'gR',
      'eR',
      'lR',
      'dR',
      'show',
      'private',
      'help',
      'exit',
    ]);
  });
});

describe('typedCommand', () => {
  it('is the command word, lower-cased, with its aliases resolved', () => {
    expect(typedCommand('#IR')).toBe('#lr');
    expect(typedCommand('#lR')).toBe('#lr');
    expect(typedCommand('#show users')).toBe('#show');
    expect(typedCommand('#\\private bob hi')).toBe('#private');
    expect(typedCommand('#gR\tbooks')).toBe('#gr');
    expect(typedCommand('hello #lR')).toBeUndefined();
  });
});

describe('commandArgument', () => {
  it('is the word after the command word', () => {
    expect(commandArgument('#gR books')).toBe('books');
    expect(commandArgument('  #dR   Books  ')).toBeUndefined(); // not a command: no leading #
    expect(commandArgument('#dR   Books  ')).toBe('Books');
    expect(commandArgument('#\\private bob hi there')).toBe('bob');
    expect(commandArgument('#eR')).toBeUndefined();
    expect(commandArgument('books')).toBeUndefined();
  });
});

describe('textLength', () => {
  it('counts code points, as the server does', () => {
    expect(textLength('hola')).toBe(4);
    expect(textLength('😀😀')).toBe(2); // four UTF-16 units
    expect(textLength('👨‍👩‍👧‍👦')).toBe(7); // four people joined by three zero-width joiners
    expect(roomTextLength(`#private bob ${'😀'.repeat(MAX_TEXT_LENGTH)}`)).toBe(MAX_TEXT_LENGTH);
    expect(roomTextLength('hola')).toBe(4);
  });
});

describe('hintToComplete', () => {
  const complete = (text: string) => hintToComplete(text, help)?.command;

  it('names the one command an incomplete prefix stands for', () => {
    expect(complete('#g')).toBe('#gR');
    expect(complete('#G')).toBe('#gR');
    expect(complete('#he')).toBe('#help');
    expect(complete('#sh')).toBe('#show users');
    expect(complete('#show')).toBe('#show users');
    expect(complete('#show ')).toBe('#show users');
    expect(complete('#pri')).toBe('#private');
  });

  it('is undefined for a complete command, with or without arguments', () => {
    for (const text of [
      '#lR',
      '#lr',
      '#IR',
      '#help',
      '#exit',
      '#gR',
      '#gR books',
      '#show users',
      '#private bob hi',
      '#\\private bob hi',
    ]) {
      expect(complete(text), text).toBeUndefined();
    }
  });

  it('is undefined when the prefix fits several commands, none, or no command is typed', () => {
    expect(complete('#')).toBeUndefined();
    expect(complete('#e')).toBeUndefined(); // #eR and #exit
    expect(complete('#bogus')).toBeUndefined();
    expect(complete('#g books')).toBeUndefined();
    expect(complete('hello')).toBeUndefined();
  });
});
