import { type MentionItem, type RoomInfo, sortRooms, unreadOf, type UnreadMap } from '@sala/sdk';
import { router, useFocusEffect } from 'expo-router';
import { useCallback, useMemo, useState } from 'react';
import { FlatList, Pressable, StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useChat, useChatStore } from '@/features/chat/ChatProvider';
import { ConnectionBanner } from '@/features/chat/ConnectionBanner';
import { errorText, useI18n } from '@/i18n';
import { Badge } from '@/ui/Badge';
import { Button } from '@/ui/Button';
import { useConfirm } from '@/ui/confirm';
import { Screen } from '@/ui/Screen';
import { TextField } from '@/ui/TextField';
import { space, useTheme } from '@/ui/theme';

const ROOM_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const noRooms: RoomInfo[] = [];
const noCounts: UnreadMap = {};
const noMentions: readonly MentionItem[] = [];

/** Live rooms with their member counts: create, join, and delete your own. */
export function RoomsScreen() {
  const { t } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const { api } = useSession();
  const live = useChat((s) => s.rooms) ?? noRooms;
  // The default room first, then by name as people read it: room-2 before room-10.
  const rooms = useMemo(() => sortRooms(live), [live]);
  const me = useChat((s) => s.me);
  const current = useChat((s) => s.room);
  const lastError = useChat((s) => s.lastError);
  const counts = useChat((s) => s.counts) ?? noCounts;
  const mentions = useChat((s) => s.mentions) ?? noMentions;
  const [name, setName] = useState('');
  const [localError, setLocalError] = useState<string | undefined>();
  const [requestId, setRequestId] = useState<string | null>(null);
  const confirm = useConfirm();
  const defaultRoom = rooms.find((r) => r.default)?.name ?? '';

  // Counts arrive live in `rooms` envelopes; a REST read on focus covers a missed push.
  useFocusEffect(
    useCallback(() => {
      let live = true;
      api
        .rooms()
        .then((list) => live && store?.setRooms(list))
        .catch(() => undefined);
      return () => {
        live = false;
      };
    }, [api, store]),
  );

  const serverError = lastError && lastError.id === requestId ? errorText(t, lastError) : undefined;

  function create() {
    const trimmed = name.trim();
    if (!ROOM_NAME.test(trimmed)) {
      setLocalError(t('rooms.invalidName'));
      return;
    }
    setLocalError(undefined);
    if (!store) return;
    setRequestId(store.createRoom(trimmed));
    setName('');
    router.navigate('/');
  }

  // Deleting sends everyone in the room elsewhere and cannot be undone: ask first.
  function askDelete(room: string) {
    confirm.ask({
      title: t('rooms.confirmDelete.title', { room }),
      message: t('rooms.confirmDelete.message', { default: defaultRoom }),
      confirm: t('rooms.delete'),
      onConfirm: () => store?.deleteRoom(room),
    });
  }

  function join(room: string) {
    store?.joinRoom(room);
    router.navigate('/');
  }

  const renderItem = ({ item }: { item: RoomInfo }) => {
    const here = item.name === current;
    const own = !item.default && item.owner === me;
    const unread = unreadOf(counts, `#${item.name}`);
    return (
      <View
        testID={`room-${item.name}`}
        accessible={false}
        style={[styles.row, { borderBottomColor: theme.border }]}>
        <View style={styles.info}>
          <Text style={[styles.name, { color: theme.text }]}>#{item.name}</Text>
          <Text style={[styles.meta, { color: theme.textMuted }]}>
            <Text testID={`room-${item.name}-members`}>
              {t('rooms.members', { count: item.members })}
            </Text>
            {item.default
              ? ` · ${t('rooms.default')}`
              : item.owner
                ? ` · ${t('rooms.owner', { owner: item.owner })}`
                : ''}
            {here ? ` · ${t('rooms.current')}` : ''}
          </Text>
        </View>
        <Badge
          mention
          count={unread.mentions}
          testID={`room-${item.name}-mentions`}
          accessibilityLabel={t('rooms.mentions', { count: unread.mentions })}
        />
        <Badge
          count={unread.count}
          testID={`room-${item.name}-unread`}
          accessibilityLabel={t('rooms.unread', { count: unread.count })}
        />
        {!here ? (
          <Button
            compact
            testID={`room-${item.name}-join`}
            accessibilityLabel={`${t('rooms.join')} #${item.name}`}
            title={t('rooms.join')}
            onPress={() => join(item.name)}
          />
        ) : null}
        {own ? (
          <Button
            compact
            variant="danger"
            testID={`room-${item.name}-delete`}
            accessibilityLabel={`${t('rooms.delete')} #${item.name}`}
            title={t('rooms.delete')}
            onPress={() => askDelete(item.name)}
          />
        ) : null}
      </View>
    );
  };

  return (
    <Screen testID="rooms-screen">
      <ConnectionBanner />
      {confirm.dialog}
      <View style={styles.create}>
        <View style={styles.field}>
          <TextField
            testID="room-name"
            label={t('rooms.create')}
            placeholder={t('rooms.newPlaceholder')}
            value={name}
            onChangeText={setName}
            autoCapitalize="none"
            onSubmitEditing={create}
            error={localError ?? serverError}
          />
        </View>
        <View style={styles.createButton}>
          <Button testID="room-create" title={t('rooms.create')} onPress={create} />
        </View>
      </View>
      <FlatList
        testID="room-list"
        data={rooms}
        keyExtractor={(r) => r.name}
        renderItem={renderItem}
        ListEmptyComponent={
          <Text style={[styles.empty, { color: theme.textMuted }]}>{t('rooms.empty')}</Text>
        }
        ListFooterComponent={
          <View testID="mentions-list" style={styles.mentions}>
            <Text role="heading" style={[styles.mentionsTitle, { color: theme.text }]}>
              {t('rooms.mentionsTitle')}
            </Text>
            {mentions.length === 0 ? (
              <Text style={{ color: theme.textMuted }}>{t('rooms.noMentions')}</Text>
            ) : (
              mentions.slice(0, 20).map((m) => (
                <Pressable
                  key={m.message_id}
                  testID={`mention-${m.message_id}`}
                  accessibilityRole="button"
                  onPress={() => join(m.room)}
                  style={[styles.mention, { borderBottomColor: theme.border }]}>
                  <Text style={[styles.meta, { color: theme.textMuted }]}>
                    {t('rooms.mentionIn', { from: m.from, room: m.room })}
                  </Text>
                  <Text numberOfLines={2} style={{ color: theme.text }}>
                    {m.text}
                  </Text>
                </Pressable>
              ))
            )}
          </View>
        }
      />
    </Screen>
  );
}

const styles = StyleSheet.create({
  create: {
    flexDirection: 'row',
    alignItems: 'flex-start',
    gap: space.sm,
    padding: space.lg,
    paddingBottom: 0,
  },
  field: { flex: 1 },
  // Level with the input, below the field's label.
  createButton: { marginTop: 21 },
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: space.sm,
    paddingHorizontal: space.lg,
    paddingVertical: space.md,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
  info: { flex: 1 },
  name: { fontSize: 17, fontWeight: '600' },
  meta: { fontSize: 13, marginTop: 2 },
  empty: { textAlign: 'center', marginTop: space.xl },
  mentions: { padding: space.lg, gap: space.xs },
  mentionsTitle: { fontSize: 15, fontWeight: '700', marginBottom: space.xs },
  mention: { paddingVertical: space.sm, borderBottomWidth: StyleSheet.hairlineWidth },
});
