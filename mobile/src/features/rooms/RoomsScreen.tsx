import { type RoomInfo, sortRooms } from '@sala/sdk';
import { router, useFocusEffect } from 'expo-router';
import { useCallback, useMemo, useState } from 'react';
import { FlatList, StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useChat, useChatStore } from '@/features/chat/ChatProvider';
import { ConnectionBanner } from '@/features/chat/ConnectionBanner';
import { errorText, useI18n } from '@/i18n';
import { Button } from '@/ui/Button';
import { useConfirm } from '@/ui/confirm';
import { Screen } from '@/ui/Screen';
import { TextField } from '@/ui/TextField';
import { space, useTheme } from '@/ui/theme';

const ROOM_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const noRooms: RoomInfo[] = [];

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
});
