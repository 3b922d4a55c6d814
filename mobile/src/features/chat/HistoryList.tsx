import { Fragment, type ReactElement, type RefObject } from 'react';
import {
  FlatList,
  type LayoutChangeEvent,
  type NativeScrollEvent,
  type NativeSyntheticEvent,
  Platform,
  ScrollView,
  type StyleProp,
  type ViewStyle,
} from 'react-native';

/** What useHistoryScroll needs of the list it scrolls. */
export interface HistoryListHandle {
  scrollToEnd(options?: { animated?: boolean }): void;
  getScrollableNode(): unknown;
  /** The FlatList's (native); the web's ScrollView has none, see showRow. */
  scrollToIndex?(params: { index: number; viewPosition?: number; animated?: boolean }): void;
}

/**
 * Brings the row with `key` into view, if it is loaded: natively by its index in the
 * FlatList, on the web by its element (`nativeID` is its DOM id), every row being rendered.
 */
export function showRow(
  list: HistoryListHandle | null,
  rows: readonly { key: string }[],
  key: string,
): void {
  const index = rows.findIndex((r) => r.key === key);
  if (index < 0) return;
  if (Platform.OS !== 'web') {
    list?.scrollToIndex?.({ index, viewPosition: 0.5, animated: true });
    return;
  }
  const doc = (globalThis as { document?: { getElementById(id: string): unknown } }).document;
  const el = doc?.getElementById(`row-${key}`) as { scrollIntoView?(o: object): void } | null;
  el?.scrollIntoView?.({ block: 'center' });
}

export interface HistoryListProps<Row> {
  listRef: RefObject<HistoryListHandle | null>;
  testID: string;
  data: readonly Row[];
  keyExtractor: (row: Row) => string;
  renderItem: (info: { item: Row; index: number }) => ReactElement | null;
  ListHeaderComponent: ReactElement | null;
  ListEmptyComponent: ReactElement | null;
  contentContainerStyle: StyleProp<ViewStyle>;
  onScroll: (e: NativeSyntheticEvent<NativeScrollEvent>) => void;
  onLayout: (e: LayoutChangeEvent) => void;
  onContentSizeChange: (width: number, height: number) => void;
  scrollEventThrottle: number;
  maintainVisibleContentPosition?: { minIndexForVisible: number };
}

/**
 * A conversation's rows, oldest first. Natively a FlatList (virtualized, and it keeps the
 * reader's place when older rows are prepended). On the web every row is rendered in a
 * ScrollView: react-native-web has no maintainVisibleContentPosition, and its FlatList renders
 * a window of row indexes, so rows prepended there shift the window to other rows and the
 * content height lags behind; with every row in the page the height a prepended page adds is
 * there right after React renders it, and useHistoryScroll moves the offset by it.
 */
export function HistoryList<Row>({
  listRef,
  data,
  keyExtractor,
  renderItem,
  ListHeaderComponent,
  ListEmptyComponent,
  ...props
}: HistoryListProps<Row>) {
  if (Platform.OS === 'web') {
    return (
      <ScrollView ref={listRef as RefObject<ScrollView | null>} {...props}>
        {ListHeaderComponent}
        {data.length === 0
          ? ListEmptyComponent
          : data.map((item, index) => (
              <Fragment key={keyExtractor(item)}>{renderItem({ item, index })}</Fragment>
            ))}
      </ScrollView>
    );
  }
  return (
    <FlatList
      ref={listRef as RefObject<FlatList<Row> | null>}
      data={data}
      keyExtractor={keyExtractor}
      renderItem={renderItem}
      ListHeaderComponent={ListHeaderComponent}
      ListEmptyComponent={ListEmptyComponent}
      {...props}
    />
  );
}
