import { useEffect, useRef } from 'react';

import { useChat } from './ChatProvider';

/**
 * The message a search result opened, when it is a row of this conversation: it is brought
 * into view once per opening (`focus.key`), and its id is returned for the row to be marked.
 */
export function useFocusedRow(rows: readonly { key: string }[], showRow: (key: string) => void) {
  const focus = useChat((s) => s.focus);
  const shownKey = useRef(0);
  const key = focus ? `m${focus.id}` : '';
  const loaded = key !== '' && rows.some((r) => r.key === key);
  useEffect(() => {
    if (!focus || !loaded || shownKey.current === focus.key) return;
    shownKey.current = focus.key;
    // After this render's layout: the row must be on the page to scroll to it.
    const timer = setTimeout(() => showRow(key), 0);
    return () => clearTimeout(timer);
  }, [focus, loaded, key, showRow]);
  return loaded ? focus!.id : 0;
}
