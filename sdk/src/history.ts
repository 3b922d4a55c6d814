// Paging back through a conversation's stored history over REST, shared by both apps.
import type { PageQuery } from './api';
import type { HasId } from './messages';

/** One answer of a history endpoint (`GET /rooms/{name}/messages`, `GET /dm/{login}/messages`). */
export interface HistoryPage<M extends HasId> {
  /** Newest first, as the server sends them. */
  messages: M[];
  /** Older messages remain below this page. */
  has_more: boolean;
}

/** Options of {@link fillGap}. */
export interface FillGapOptions<M extends HasId> {
  /** Fetches one page, e.g. `(q) => api.roomHistory(room, q)`. */
  load: (query: PageQuery) => Promise<HistoryPage<M>>;
  /** The oldest message above the gap (the oldest resumed one): pages start below it. */
  below: number;
  /** The newest message the client already had below the gap (0: none); paging stops there. */
  knownUpTo: number;
  /** Receives each page's messages (newest first, may overlap what the client has). */
  onPage: (messages: M[]) => void;
  /** Asked after every answer: false once the caller no longer wants them (e.g. left the room). */
  wanted?: () => boolean;
  /** Messages per page (default 200, the server's maximum). */
  limit?: number;
  /** Pages at most (default 20). */
  maxPages?: number;
}

/**
 * How paging a gap ended: `filled` (it reached a known message, or the start of the history),
 * `abandoned` (the caller stopped wanting it), `incomplete` (the page bound was hit first).
 */
export type FillGapResult = 'filled' | 'abandoned' | 'incomplete';

/**
 * Pages a conversation's history back from `below` down to `knownUpTo`: after a reconnect
 * whose `joined` says `resumed` with `more`, these are the missed messages the resume did not
 * carry. A failed request rejects with its error (the pages received before it were passed to
 * `onPage`); a page that arrives after `wanted()` turned false is dropped.
 */
export async function fillGap<M extends HasId>(options: FillGapOptions<M>): Promise<FillGapResult> {
  const { load, knownUpTo, onPage, wanted = () => true, limit = 200, maxPages = 20 } = options;
  let before = options.below;
  for (let i = 0; i < maxPages; i++) {
    if (before <= knownUpTo + 1) return 'filled';
    const page = await load({ before, limit });
    if (!wanted()) return 'abandoned';
    onPage(page.messages);
    const oldest = oldestId(page.messages);
    if (!page.has_more || oldest === undefined || oldest <= knownUpTo) return 'filled';
    before = oldest;
  }
  return 'incomplete';
}

/** The lowest id of a page, or undefined for an empty one. */
function oldestId(messages: readonly HasId[]): number | undefined {
  let min: number | undefined;
  for (const m of messages) if (min === undefined || m.id < min) min = m.id;
  return min;
}
