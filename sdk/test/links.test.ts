import { describe, expect, it } from 'vitest';
import { hasLink, linkify, type TextSegment } from '../src';

const links = (text: string) =>
  linkify(text)
    .filter((s): s is Extract<TextSegment, { type: 'link' }> => s.type === 'link')
    .map((s) => [s.text, s.href]);

describe('linkify', () => {
  it('splits text and addresses, in order, and joins back to the text', () => {
    const text = 'see https://example.org/a?b=1#c and http://x.io, or www.sala.chat!';
    const segments = linkify(text);
    expect(segments).toEqual([
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
      { type: 'text', text: ' and ' },
      { type: 'link', text: 'http://x.io', href: 'http://x.io' },
      { type: 'text', text: ', or ' },
      { type: 'link', text: 'www.sala.chat', href: 'https://www.sala.chat' },
      { type: 'text', text: '!' },
    ]);
    expect(segments.map((s) => s.text).join('')).toBe(text);
  });

  it('gives a text without addresses as one text segment, and an empty text as none', () => {
    expect(linkify('hola <b>x</b>')).toEqual([{ type: 'text', text: 'hola <b>x</b>' }]);
    expect(linkify('')).toEqual([]);
    expect(hasLink('no links here')).toBe(false);
    expect(hasLink('go to https://a.b')).toBe(true);
  });

  it('leaves the sentence punctuation after an address out of it', () => {
    expect(links('Read https://a.org/x.')).toEqual([['https://a.org/x', 'https://a.org/x']]);
    expect(links('https://a.org, then')).toEqual([['https://a.org', 'https://a.org']]);
    expect(links('really https://a.org/?!')).toEqual([['https://a.org/', 'https://a.org/']]);
    expect(links('"https://a.org/q";')).toEqual([['https://a.org/q', 'https://a.org/q']]);
    expect(links("'www.a.org':")).toEqual([['www.a.org', 'https://www.a.org']]);
  });

  it('keeps a closing parenthesis only when the address opened it', () => {
    expect(links('(see https://a.org/x)')).toEqual([['https://a.org/x', 'https://a.org/x']]);
    expect(links('https://en.wikipedia.org/wiki/Foo_(bar)')).toEqual([
      ['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
    ]);
    expect(links('(https://en.wikipedia.org/wiki/Foo_(bar)).')).toEqual([
      ['https://en.wikipedia.org/wiki/Foo_(bar)', 'https://en.wikipedia.org/wiki/Foo_(bar)'],
    ]);
    expect(links('[https://a.org/x]')).toEqual([['https://a.org/x', 'https://a.org/x']]);
  });

  it('links no other scheme, and no address glued to a longer word', () => {
    for (const text of [
      'javascript:alert(1)',
      'javascript:https://a.org',
      'javascript://www.a.org/%0Aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'mailto:bob@a.org ftp://a.org file:///etc/passwd',
      'xhttps://a.org',
      'bob@www.a.org',
      'http:// https:/// www. www.a',
    ]) {
      expect(links(text), text).toEqual([]);
    }
    expect(links('HTTPS://A.ORG/X')).toEqual([['HTTPS://A.ORG/X', 'HTTPS://A.ORG/X']]);
    for (const s of linkify('x https://a.org www.b.org http://c.org')) {
      if (s.type === 'link') expect(s.href).toMatch(/^https?:\/\//);
    }
  });

  it('stops at markup and quotes: <script> and <b> stay text', () => {
    expect(linkify('<a href="https://a.org">x</a> <b>x</b>')).toEqual([
      { type: 'text', text: '<a href="' },
      { type: 'link', text: 'https://a.org', href: 'https://a.org' },
      { type: 'text', text: '">x</a> <b>x</b>' },
    ]);
    expect(links('<https://a.org/<script>>')).toEqual([['https://a.org/', 'https://a.org/']]);
  });

  it('handles unicode around and inside addresses', () => {
    expect(linkify('¡Mira https://es.wikipedia.org/wiki/Año! 😀')).toEqual([
      { type: 'text', text: '¡Mira ' },
      {
        type: 'link',
        text: 'https://es.wikipedia.org/wiki/Año',
        href: 'https://es.wikipedia.org/wiki/Año',
      },
      { type: 'text', text: '! 😀' },
    ]);
    expect(links('見てhttps://a.jp/x。次')).toEqual([['https://a.jp/x', 'https://a.jp/x']]);
    expect(links('«https://a.fr»')).toEqual([['https://a.fr', 'https://a.fr']]);
    expect(links('https://a.org😀 and…https://b.org…')).toEqual([
      ['https://a.org', 'https://a.org'],
      ['https://b.org', 'https://b.org'],
    ]);
    expect(links('مرحبا https://a.org/x مرحبا')).toEqual([['https://a.org/x', 'https://a.org/x']]);
  });

  it('keeps a long address whole', () => {
    const long = `https://a.org/${'x'.repeat(3000)}?q=${'y'.repeat(500)}`;
    expect(links(`long: ${long}.`)).toEqual([[long, long]]);
  });
});
