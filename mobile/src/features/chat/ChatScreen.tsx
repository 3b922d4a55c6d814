import { commandHints, hintToComplete, roomTextLength } from '@sala/sdk';
import { router } from 'expo-router';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { useFirstNames } from '@/features/users/useFirstNames';
import { useI18n } from '@/i18n';
import { Screen } from '@/ui/Screen';
import { space, useTheme } from '@/ui/theme';

import { useChat, useChatStore } from './ChatProvider';
import { type PendingMessage, pagingKey, type TimelineItem } from './chatStore';
import { Composer } from './Composer';
import { ConnectionBanner } from './ConnectionBanner';
import { HistoryList } from './HistoryList';
import { MessageRow, TypingLine, useMessageActions } from './MessageActions';
import { MessageBubble } from './MessageBubble';
import { NoticeRow } from './NoticeRow';
import { OlderMessages } from './OlderMessages';
import { NewMessagesLine, useNewestVisible, useNewMessagesId } from './reads';
import { sendersShown } from './senders';
import { useComposerFiles } from './useComposerFiles';
import { useFocusedRow } from './useFocusedRow';
import { useHistoryScroll } from './useHistoryScroll';

type Row =
  | TimelineItem
  | { key: string; kind: 'pending'; pending: PendingMessage }
  | { key: string; kind: 'new' };

const noItems: TimelineItem[] = [];
const noPending: PendingMessage[] = [];

/** The current room: its messages and notices, pending sends, and the composer. */
export function ChatScreen() {
  const { t } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const me = useChat((s) => s.me);
  const room = useChat((s) => s.room);
  const items = useChat((s) => (s.room ? s.timelines[s.room] : undefined)) ?? noItems;
  const pending = useChat((s) => s.pending) ?? noPending;
  const commands = useChat((s) => s.commands);
  const privateSent = useChat((s) => s.privateSent);
  const paging = useChat((s) => (s.room ? s.paging[pagingKey({ room: s.room })] : undefined));
  const files = useComposerFiles('room');
  const owner = useChat((s) => s.rooms.find((r) => r.name === s.room)?.owner);
  const actions = useMessageActions(me ?? '');
  const openActions = actions.openActions;
  const newFrom = useNewMessagesId(`#${room ?? ''}`);
  const logins = useChat((s) => s.users.map((u) => u.login).join(' '));
  const loginList = useMemo(() => (logins ? logins.split(' ') : []), [logins]);
  const onNewestVisible = useNewestVisible('room');

  // A #private typed here leaves no trace in the room: once the server has stored it, its
  // thread opens, where the sender sees it. What was stored before this screen mounted is not
  // opened again.
  const opened = useRef(privateSent?.id);
  useEffect(() => {
    if (!privateSent || privateSent.id === opened.current) return;
    opened.current = privateSent.id;
    router.push({ pathname: '/dm/[login]', params: { login: privateSent.peer } });
  }, [privateSent]);

  const rows = useMemo<Row[]>(
    () => [
      ...items.flatMap((it): Row[] =>
        it.kind === 'message' && it.id === newFrom
          ? [{ key: 'new-messages', kind: 'new' }, it]
          : [it],
      ),
      ...pending
        .filter((p) => p.room === room)
        .map((p) => ({ key: `p${p.id}`, kind: 'pending' as const, pending: p })),
    ],
    [items, pending, room, newFrom],
  );

  // A run of messages from one person names them once; your own never repeat your login.
  const senders = useMemo(
    () =>
      rows.map((r) =>
        r.kind === 'pending' ? (me ?? '') : r.kind === 'message' ? r.message.from : null,
      ),
    [rows, me],
  );
  const shown = useMemo(() => sendersShown(senders, me ?? ''), [senders, me]);
  const nameOf = useFirstNames(senders.filter((s): s is string => s !== null && s !== me));

  const loadOlder = useCallback(() => {
    if (store && room) void store.loadOlder({ room }, true);
  }, [store, room]);
  const { showRow: showRowKey, ...scroll } = useHistoryScroll({
    conversation: room ?? '',
    rows,
    isMine: (r) => r.kind === 'pending' || (r.kind === 'message' && r.message.from === me),
    paging,
    loadOlder,
    onNewestVisible,
  });

  const showOriginal = useCallback((id: number) => showRowKey(`m${id}`), [showRowKey]);
  const focusedId = useFocusedRow(rows, showRowKey);

  const hintsFor = useCallback((text: string) => commandHints(text, commands ?? []), [commands]);
  const completeFor = useCallback(
    (text: string) => hintToComplete(text, commands ?? []),
    [commands],
  );

  const renderItem = useCallback(
    ({ item, index }: { item: Row; index: number }) => {
      if (item.kind === 'notice') return <NoticeRow notice={item.notice} room={room} />;
      if (item.kind === 'new') return <NewMessagesLine />;
      if (item.kind === 'pending') {
        return (
          <MessageBubble
            testID="message-row"
            from=""
            text={item.pending.text}
            at={item.pending.at}
            mine
            pending
          />
        );
      }
      return (
        <MessageRow
          testID="message-row"
          message={item.message}
          me={me ?? ''}
          name={nameOf(item.message.from)}
          showFrom={shown[index]}
          onActions={openActions}
          onShowOriginal={showOriginal}
          focused={item.message.id === focusedId}
        />
      );
    },
    [me, room, nameOf, shown, openActions, showOriginal, focusedId],
  );

  return (
    <Screen testID="chat-screen">
      <ConnectionBanner />
      <HistoryList
        {...scroll}
        testID="message-list"
        data={rows}
        keyExtractor={(r) => r.key}
        renderItem={renderItem}
        contentContainerStyle={styles.content}
        ListHeaderComponent={<OlderMessages paging={paging} onLoad={loadOlder} />}
        ListEmptyComponent={
          room ? (
            <Text style={[styles.empty, { color: theme.textMuted }]}>{t('chat.empty')}</Text>
          ) : null
        }
      />
      <TypingLine where="room" />
      <View>
        <Composer
          placeholder={t('chat.placeholder', { room: room ?? '' })}
          hintsFor={hintsFor}
          completeFor={completeFor}
          lengthOf={roomTextLength}
          logins={loginList}
          me={me ?? ''}
          onSend={(text) => store?.send(text, actions.takeReply())}
          {...actions.composer}
          {...files}
        />
      </View>
      {actions.sheet(owner ?? undefined)}
    </Screen>
  );
}

/** The header title of the chat tab: the current room. */
export function RoomTitle() {
  const { t } = useI18n();
  const theme = useTheme();
  const room = useChat((s) => s.room);
  return (
    <Text testID="room-title" style={[styles.title, { color: theme.text }]}>
      {room ? t('chat.room', { room }) : t('app.name')}
    </Text>
  );
}

const styles = StyleSheet.create({
  content: { paddingVertical: space.sm, flexGrow: 1 },
  empty: { textAlign: 'center', marginTop: space.xl },
  title: { fontSize: 17, fontWeight: '700' },
});
