import type { PrivateEnvelope } from '@sala/sdk';
import { Stack, useFocusEffect } from 'expo-router';
import { useCallback, useMemo, useState } from 'react';
import { StyleSheet, Text } from 'react-native';

import { useChat, useChatStore } from '@/features/chat/ChatProvider';
import { type PendingMessage, pagingKey } from '@/features/chat/chatStore';
import { Composer } from '@/features/chat/Composer';
import { ConnectionBanner } from '@/features/chat/ConnectionBanner';
import { HistoryList } from '@/features/chat/HistoryList';
import { MessageRow, TypingLine, useMessageActions } from '@/features/chat/MessageActions';
import { MessageBubble } from '@/features/chat/MessageBubble';
import { OlderMessages } from '@/features/chat/OlderMessages';
import { NewMessagesLine, useNewestVisible, useNewMessagesId } from '@/features/chat/reads';
import { sendersShown } from '@/features/chat/senders';
import { useComposerFiles } from '@/features/chat/useComposerFiles';
import { useFocusedRow } from '@/features/chat/useFocusedRow';
import { useHistoryScroll } from '@/features/chat/useHistoryScroll';
import { useFirstNames } from '@/features/users/useFirstNames';
import { errorText, useI18n } from '@/i18n';
import { Screen } from '@/ui/Screen';
import { space, useTheme } from '@/ui/theme';

type Row =
  | { key: string; message: PrivateEnvelope }
  | { key: string; pending: PendingMessage }
  | { key: string; line: true };

const noMessages: PrivateEnvelope[] = [];
const noPending: PendingMessage[] = [];

/** The private conversation with one user; it counts as read while it is on screen. */
export function PrivateThreadScreen({ peer }: { peer: string }) {
  const { t } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const files = useComposerFiles(`@${peer}`);
  const me = useChat((s) => s.me);
  const messages = useChat((s) => s.threads[peer]) ?? noMessages;
  const pending = useChat((s) => s.pending) ?? noPending;
  const lastError = useChat((s) => s.lastError);
  const paging = useChat((s) => s.paging[pagingKey({ peer })]);
  // The client ids sent from this screen: an error naming one (e.g. user_not_found) shows here.
  const [sentIds, setSentIds] = useState<string[]>([]);
  const actions = useMessageActions(me ?? '');
  const newFrom = useNewMessagesId(`@${peer}`);
  const onNewestVisible = useNewestVisible(`dm:${peer}`);
  const error = lastError?.id && sentIds.includes(lastError.id) ? errorText(t, lastError) : null;

  useFocusEffect(
    useCallback(() => {
      if (!store) return;
      store.openThread(peer);
      void store.loadThread(peer);
      return () => store.openThread(null);
    }, [store, peer]),
  );

  const rows = useMemo<Row[]>(
    () => [
      ...messages.flatMap((m): Row[] =>
        m.id === newFrom
          ? [
              { key: 'new-messages', line: true },
              { key: `m${m.id}`, message: m },
            ]
          : [{ key: `m${m.id}`, message: m }],
      ),
      ...pending.filter((p) => p.peer === peer).map((p) => ({ key: `p${p.id}`, pending: p })),
    ],
    [messages, pending, peer, newFrom],
  );

  // The peer's name once per run of their messages; yours are on the right, unnamed.
  const shown = useMemo(
    () =>
      sendersShown(
        rows.map((r) => ('message' in r ? r.message.from : 'line' in r ? null : (me ?? ''))),
        me ?? '',
      ),
    [rows, me],
  );
  const nameOf = useFirstNames([peer]);

  const loadOlder = useCallback(() => {
    if (store) void store.loadOlder({ peer }, true);
  }, [store, peer]);
  const { showRow, ...scroll } = useHistoryScroll({
    conversation: peer,
    rows,
    isMine: (r) => 'pending' in r || ('message' in r && r.message.from === me),
    paging,
    loadOlder,
    onNewestVisible,
  });
  const focusedId = useFocusedRow(rows, showRow);

  return (
    <Screen testID="dm-screen">
      <Stack.Screen options={{ title: t('dm.title', { login: peer }) }} />
      <ConnectionBanner />
      <HistoryList
        {...scroll}
        testID="dm-list"
        data={rows}
        keyExtractor={(r) => r.key}
        contentContainerStyle={styles.content}
        ListHeaderComponent={<OlderMessages paging={paging} onLoad={loadOlder} />}
        renderItem={({ item, index }) =>
          'line' in item ? (
            <NewMessagesLine />
          ) : 'message' in item ? (
            <MessageRow
              testID="dm-row"
              message={item.message}
              me={me ?? ''}
              name={nameOf(item.message.from)}
              showFrom={shown[index]}
              onActions={actions.openActions}
              onShowOriginal={(id) => showRow(`m${id}`)}
              focused={item.message.id === focusedId}
            />
          ) : (
            <MessageBubble
              testID="dm-row"
              from=""
              text={item.pending.text}
              at={item.pending.at}
              mine
              pending
            />
          )
        }
        ListEmptyComponent={
          <Text style={[styles.empty, { color: theme.textMuted }]}>{t('dm.empty')}</Text>
        }
      />
      {error ? (
        <Text testID="dm-error" role="alert" style={[styles.error, { color: theme.danger }]}>
          {error}
        </Text>
      ) : null}
      <TypingLine where={peer} />
      <Composer
        testID="dm-composer"
        placeholder={t('dm.placeholder', { login: peer })}
        onSend={(text) => {
          const replyTo = actions.takeReply();
          if (store) setSentIds((ids) => [...ids, store.sendPrivate(peer, text, replyTo)]);
        }}
        {...actions.composer}
        {...files}
      />
      {actions.sheet()}
    </Screen>
  );
}

const styles = StyleSheet.create({
  content: { paddingVertical: space.sm, flexGrow: 1 },
  empty: { textAlign: 'center', marginTop: space.xl },
  error: { textAlign: 'center', paddingHorizontal: space.lg, paddingVertical: space.xs },
});
