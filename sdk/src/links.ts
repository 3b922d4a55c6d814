// Links in message text: where a text's web addresses are, for apps to show them as links.

/** A piece of a message's text: plain text, or a web address with the URL to open. */
export type TextSegment =
  { type: 'text'; text: string } | { type: 'link'; text: string; href: string };

// A candidate: `http://`, `https://` or `www.`, then anything up to a space, a quote or an angle
// bracket, or a character no address is written with here (CJK and full-width punctuation,
// general punctuation and symbols such as `…` or `→`, guillemets, emoji).
const CANDIDATE =
  /(?:https?:\/\/|www\.)[^\s<>"`\u00ab\u00bb\u2000-\u2bff\u3000-\u303f\ufe30-\ufe4f\uff00-\uffef\ud83c-\ud83e]+/gi;
// A character that, right before a candidate, makes it part of a longer word (`xhttp://`,
// `user@www.x.org`, `javascript:http://…` stays text up to the scheme we accept).
const GLUED = /[A-Za-z0-9_@./:+-]/;
// Left at an address's end, these are the sentence's punctuation, not the address's.
const TRAILING = /[.,;:!?'*~_]$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function count(text: string, ch: string): number {
  return text.split(ch).length - 1;
}

/** Strips the sentence's punctuation from a candidate's end; a closer stays when balanced. */
function trimEnd(url: string): string {
  for (;;) {
    if (TRAILING.test(url)) {
      url = url.slice(0, -1);
      continue;
    }
    const last = url.slice(-1);
    const open = CLOSERS[last];
    if (open !== undefined && count(url, last) > count(url, open)) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

/** The URL to open for an address as written, or null when it is no address to link. */
function hrefOf(url: string): string | null {
  const www = /^www\./i.test(url);
  const rest = www ? url : url.replace(/^https?:\/\//i, '');
  const host = rest.split(/[/?#]/, 1)[0]!;
  // A host with a name: `http://` alone, `https:///x` or `www.` alone are not addresses.
  if (!/^[^.:@]+(?:\.[^.:@]+)*(?::\d+)?$/.test(host.replace(/^[^@]*@/, ''))) return null;
  if (www && !/^www\.[^.]+\.[^.]/i.test(host)) return null;
  return www ? `https://${url}` : url;
}

/**
 * Splits a message's text into plain text and web addresses (`http://…`, `https://…`, and
 * `www.…`, which opens as `https://www.…`), in order; joined back, the segments' texts are the
 * text. Punctuation that ends a sentence (`.`, `,`, `!`, `?`, `:`, quotes) is not part of an
 * address, nor is a closing `)` or `]` unless the address opened it (Wikipedia's
 * `…/Foo_(bar)`). No other scheme becomes a link (`javascript:`, `data:`, `mailto:`), so a
 * link's `href` always starts with `http://` or `https://`. Apps render the segments as text
 * nodes and links, never as markup: the text is untrusted.
 */
export function linkify(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let plain = '';
  let last = 0;
  const candidates = new RegExp(CANDIDATE.source, CANDIDATE.flags);
  for (let m = candidates.exec(text); m !== null; m = candidates.exec(text)) {
    const start = m.index;
    const before = start > 0 ? text[start - 1]! : '';
    if (before && GLUED.test(before)) continue;
    const url = trimEnd(m[0]);
    const href = hrefOf(url);
    if (href === null) continue;
    plain += text.slice(last, start);
    if (plain) out.push({ type: 'text', text: plain });
    plain = '';
    out.push({ type: 'link', text: url, href });
    last = start + url.length;
  }
  plain += text.slice(last);
  if (plain) out.push({ type: 'text', text: plain });
  return out;
}

/** Whether a text has a web address that {@link linkify} makes a link. */
export function hasLink(text: string): boolean {
  return linkify(text).some((s) => s.type === 'link');
}
