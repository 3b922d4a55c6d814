// Search (GET /search) as both apps show it: a query's pages of results, the words to mark in
// each, and the conversation a result opens in.
import { ApiError, type ApiClient } from './api';
import type { ConversationRef } from './chat-model';
import type { SearchResult } from './types';

/** A piece of a result's text: `match` when the word begins with a searched term. */
export interface HighlightSegment {
  text: string;
  match: boolean;
}

// A word as the server's indexes see one: a run of letters and digits.
const WORD = /[\p{L}\p{N}]+/gu;

/**
 * Splits `text` into plain and matching pieces: a word matches when it begins with one of
 * `terms` (the server's lower-case terms of the query), ignoring case, as the search did.
 */
export function highlight(text: string, terms: readonly string[]): HighlightSegment[] {
  const out: HighlightSegment[] = [];
  let last = 0;
  const push = (piece: string, match: boolean) => {
    if (piece === '') return;
    const prev = out.at(-1);
    if (prev && prev.match === match) prev.text += piece;
    else out.push({ text: piece, match });
  };
  for (const m of text.matchAll(WORD)) {
    const word = m[0].toLowerCase();
    if (!terms.some((t) => t !== '' && word.startsWith(t))) continue;
    push(text.slice(last, m.index), false);
    push(m[0], true);
    last = m.index + m[0].length;
  }
  push(text.slice(last), false);
  return out;
}

/** The conversation a result belongs to: its room, or the private thread with `with`. */
export function resultConversation(r: SearchResult): { room: string } | { with: string } {
  return r.type === 'private' ? { with: r.with } : { room: r.room };
}

/** The model's reference of a result's conversation (a room's is the room joined). */
export function resultRef(r: SearchResult): ConversationRef {
  return r.type === 'private' ? { kind: 'private', login: r.with } : { kind: 'room' };
}

/** What a search shows. */
export interface SearchState {
  /** The query searched for ('' before any). */
  query: string;
  /** The server's words of the query, to highlight. */
  terms: readonly string[];
  /** Newest first. */
  results: readonly SearchResult[];
  /** Older results remain: loadMore() pages them. */
  more: boolean;
  loading: boolean;
  /** The error code of the last failed request (e.g. `invalid_request`), else null. */
  error: string | null;
}

export const emptySearch: SearchState = {
  query: '',
  terms: [],
  results: [],
  more: false,
  loading: false,
  error: null,
};

/**
 * One search box: `search(q)` replaces the results, `loadMore()` pages back, `clear()` empties
 * it. An answer to a query that was replaced meanwhile is dropped.
 */
export class MessageSearch {
  private state: SearchState = emptySearch;
  private readonly listeners = new Set<() => void>();
  private seq = 0;

  constructor(
    private readonly api: Pick<ApiClient, 'search'>,
    /** Results per page (default 20). */
    private readonly pageSize = 20,
  ) {}

  getState = (): SearchState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Searches for `q` (trimmed); an empty query clears the results. */
  search(q: string): Promise<void> {
    const query = q.trim();
    if (query === '') {
      this.clear();
      return Promise.resolve();
    }
    this.set({ ...emptySearch, query, loading: true });
    return this.load(query, undefined);
  }

  /** Loads the page of results older than the ones shown. */
  loadMore(): Promise<void> {
    const s = this.state;
    if (s.loading || !s.more || s.query === '') return Promise.resolve();
    this.set({ ...s, loading: true, error: null });
    return this.load(s.query, s.results.at(-1)?.id);
  }

  clear(): void {
    this.seq++;
    this.set(emptySearch);
  }

  private async load(query: string, before: number | undefined): Promise<void> {
    const seq = ++this.seq;
    try {
      const page = await this.api.search(query, { before, limit: this.pageSize });
      if (seq !== this.seq) return;
      const results =
        before === undefined ? page.results : [...this.state.results, ...page.results];
      this.set({ query, terms: page.terms, results, more: page.more, loading: false, error: null });
    } catch (err) {
      if (seq !== this.seq) return;
      const code = err instanceof ApiError ? err.code : 'network_error';
      this.set({ ...this.state, loading: false, error: code });
    }
  }

  private set(state: SearchState): void {
    this.state = state;
    for (const l of [...this.listeners]) l();
  }
}
