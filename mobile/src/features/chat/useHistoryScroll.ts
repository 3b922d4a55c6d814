import { useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import {
  type LayoutChangeEvent,
  type NativeScrollEvent,
  type NativeSyntheticEvent,
  Platform,
} from 'react-native';

import type { Paging } from './chatStore';
import { type HistoryListHandle, showRow } from './HistoryList';

/** Closer than this to the top (px), the previous page is asked for. */
const TOP_THRESHOLD = 150;
/** Closer than this to the bottom (px), the list follows new messages. */
const BOTTOM_THRESHOLD = 80;
/**
 * How long the size must stay put before "it does not fill the screen" counts: a FlatList
 * renders its rows in batches, so its first sizes are those of the first few rows only.
 */
const SETTLE_MS = 250;

/**
 * The scrolling of a conversation's FlatList (oldest first): it follows new messages only while
 * the reader is at the bottom or when their own message arrives; it asks for older messages
 * when the reader scrolls near the top, and by itself while the list does not fill the screen;
 * and it keeps what the reader looks at in place when older rows are prepended (natively with
 * `maintainVisibleContentPosition`; on the web, which lacks it, by moving the offset).
 */
export function useHistoryScroll<Row extends { key: string }>({
  conversation,
  rows,
  isMine,
  paging,
  loadOlder,
  onNewestVisible,
}: {
  /** Which conversation is shown: another one starts at its bottom. */
  conversation: string;
  rows: readonly Row[];
  /** Whether a row is the user's own message (sent or pending). */
  isMine: (row: Row) => boolean;
  paging: Paging | null | undefined;
  loadOlder: () => void;
  /** Whether the newest row is in view (the list is at its end), each time that changes. */
  onNewestVisible?: (visible: boolean) => void;
}) {
  const list = useRef<HistoryListHandle>(null);
  const canLoad = !!paging && paging.hasMore && !paging.loading && !paging.failed;
  const live = useRef({ canLoad, loadOlder });
  useLayoutEffect(() => {
    live.current = { canLoad, loadOlder };
  }, [canLoad, loadOlder]);
  const view = useRef({ offset: 0, content: 0, viewport: 0, atBottom: true });
  const seen = useRef<{ count: number; last?: string }>({ count: 0 });
  const visible = useRef({ reported: null as boolean | null, onNewestVisible });
  useLayoutEffect(() => {
    visible.current.onNewestVisible = onNewestVisible;
    visible.current.reported = null; // a new listener hears the state once
  }, [onNewestVisible]);
  const report = useCallback(() => {
    const now = view.current.atBottom;
    if (visible.current.reported === now) return;
    visible.current.reported = now;
    visible.current.onNewestVisible?.(now);
  }, []);

  // Another conversation (e.g. the user moved to another room) opens at its newest messages.
  useLayoutEffect(() => {
    view.current.atBottom = true;
    seen.current = { count: 0 };
  }, [conversation]);
  useEffect(report);

  const settle = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fillScreen = useCallback(() => {
    if (settle.current) clearTimeout(settle.current);
    settle.current = setTimeout(() => {
      settle.current = null;
      const v = view.current;
      if (v.viewport > 0 && v.content <= v.viewport + 10 && live.current.canLoad) {
        live.current.loadOlder();
      }
    }, SETTLE_MS);
  }, []);
  useEffect(
    () => () => {
      if (settle.current) clearTimeout(settle.current);
    },
    [],
  );

  const onScroll = useCallback(
    (e: NativeSyntheticEvent<NativeScrollEvent>) => {
      const { contentOffset, contentSize, layoutMeasurement } = e.nativeEvent;
      const v = view.current;
      v.offset = contentOffset.y;
      v.content = contentSize.height;
      v.viewport = layoutMeasurement.height;
      v.atBottom =
        contentSize.height - contentOffset.y - layoutMeasurement.height < BOTTOM_THRESHOLD;
      if (contentOffset.y < TOP_THRESHOLD && live.current.canLoad) live.current.loadOlder();
      report();
    },
    [report],
  );

  const onLayout = useCallback(
    (e: LayoutChangeEvent) => {
      view.current.viewport = e.nativeEvent.layout.height;
      fillScreen();
    },
    [fillScreen],
  );

  const count = rows.length;
  const lastRow = rows.at(-1);
  const last = lastRow?.key;
  const lastIsMine = lastRow ? isMine(lastRow) : false;

  const onContentSizeChange = useCallback(
    (_width: number, height: number) => {
      const v = view.current;
      const before = seen.current;
      // Rows came in while the last one stayed: older ones, above what is on screen.
      const prepended = before.count > 0 && count > before.count && last === before.last;
      const mineArrived = last !== before.last && lastIsMine;
      // Older rows above a reader who is not at the bottom: they stay where they were
      // (natively by maintainVisibleContentPosition, on the web by the layout effect below).
      const keepPlace = prepended && !v.atBottom;
      if (!keepPlace && (v.atBottom || mineArrived)) {
        list.current?.scrollToEnd({ animated: false });
        v.atBottom = true;
      }
      seen.current = { count, last };
      v.content = height;
      fillScreen();
      report();
    },
    [count, last, lastIsMine, fillScreen, report],
  );

  // On the web there is no maintainVisibleContentPosition, and the size the list reports comes
  // after the browser has painted. Right after React has put prepended rows in, and before the
  // paint, move the offset by the height they added (HistoryList renders every row there).
  const shown = useRef({ count, last });
  useLayoutEffect(() => {
    const before = shown.current;
    shown.current = { count, last };
    if (Platform.OS !== 'web') return;
    const node = list.current?.getScrollableNode() as
      { scrollTop: number; scrollHeight: number } | undefined;
    if (!node || typeof node.scrollHeight !== 'number') return;
    const v = view.current;
    const prepended = before.count > 0 && count > before.count && last === before.last;
    if (prepended && !v.atBottom && v.content > 0) {
      node.scrollTop = v.offset + (node.scrollHeight - v.content);
      v.offset = node.scrollTop;
    }
    v.content = node.scrollHeight;
  });

  // A page that changed nothing on screen (or a retry) ends loading: fill the screen again.
  useEffect(() => {
    if (canLoad) fillScreen();
  }, [canLoad, fillScreen]);

  /**
   * Brings a row into view, if it is loaded (a reply snippet's original, a search result): the
   * reader is looking there now, so rows coming in no longer pull the list to the bottom.
   */
  const show = useCallback(
    (key: string) => {
      if (!rows.some((r) => r.key === key)) return;
      view.current.atBottom = false;
      showRow(list.current, rows, key);
    },
    [rows],
  );

  return {
    showRow: show,
    listRef: list,
    onScroll,
    onLayout,
    onContentSizeChange,
    scrollEventThrottle: 32,
    maintainVisibleContentPosition: Platform.OS === 'web' ? undefined : { minIndexForVisible: 0 },
  };
}
