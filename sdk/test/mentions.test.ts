import { describe, expect, it } from 'vitest';
import {
  applyMention,
  mentionChoices,
  mentionQuery,
  mentions,
  mentionsIn,
  messageSegments,
} from '../src';

describe('finding mentions', () => {
  it('reads @login ended by a space, punctuation or the end, never inside an address', () => {
    expect(mentionsIn('@bob hi @Carol, and @dave. @ed @bob')).toEqual(['bob', 'carol', 'dave']);
    expect(mentionsIn('mail alice@example.com or x@bob')).toEqual([]);
    expect(mentionsIn('(@bob) @bob.smith!')).toEqual(['bob', 'bob.smith']);
  });

  it('prefers the server’s list, ignores case, and a deleted message mentions nobody', () => {
    expect(mentions({ text: '@alice', mentions: [] }, 'alice')).toBe(false);
    expect(mentions({ text: 'hi', mentions: ['Alice'] }, 'alice')).toBe(true);
    expect(mentions({ text: 'hi @ALICE!' }, 'alice')).toBe(true);
    expect(mentions({ text: '', mentions: ['alice'], deleted: true }, 'alice')).toBe(false);
  });

  it('with the server’s list, marks only the logins it names, in their longest spelling', () => {
    const text = '@ana. and @nobody, @bob.smith!';
    expect(messageSegments(text, 'ana', ['ana.', 'bob.smith'])).toEqual([
      { type: 'mention', text: '@ana.', login: 'ana.', me: false },
      { type: 'text', text: ' and @nobody, ' },
      { type: 'mention', text: '@bob.smith', login: 'bob.smith', me: false },
      { type: 'text', text: '!' },
    ]);
    expect(messageSegments('hi @ana.', 'ana', ['ana']).map((s) => s.text)).toEqual([
      'hi ',
      '@ana',
      '.',
    ]);
  });

  it('splits a text into text, links and mentions that join back to it', () => {
    const text = 'see https://x.org/a @alice, and @bob';
    const parts = messageSegments(text, 'alice');
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://x.org/a', href: 'https://x.org/a' },
      { type: 'text', text: ' ' },
      { type: 'mention', text: '@alice', login: 'alice', me: true },
      { type: 'text', text: ', and ' },
      { type: 'mention', text: '@bob', login: 'bob', me: false },
    ]);
  });
});

describe('@ completion', () => {
  it('finds the @word at the caret, not in an address or past a space', () => {
    expect(mentionQuery('hi @bo', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('hi @bo there', 6)).toEqual({ start: 3, query: 'bo' });
    expect(mentionQuery('a@bo', 4)).toBeNull();
    expect(mentionQuery('@bob there', 10)).toBeNull();
    expect(mentionQuery('no at', 5)).toBeNull();
  });

  it('offers logins that start with the query first, then those containing it, never me', () => {
    const logins = ['alice', 'bob', 'Bobby', 'rob', 'carol', 'zbo'];
    expect(mentionChoices(logins, 'bo', 'alice')).toEqual(['bob', 'Bobby', 'zbo']);
    expect(mentionChoices(logins, '', 'alice', 3)).toEqual(['bob', 'Bobby', 'carol']);
    expect(mentionChoices(logins, 'AL', 'alice')).toEqual([]);
  });

  it('puts the chosen login in place with one space after it', () => {
    expect(applyMention('hi @bo', 6, 'bobby')).toEqual({ text: 'hi @bobby ', caret: 10 });
    expect(applyMention('@b and more', 2, 'bob')).toEqual({ text: '@bob and more', caret: 5 });
    expect(applyMention('plain', 5, 'bob')).toEqual({ text: 'plain', caret: 5 });
  });
});
