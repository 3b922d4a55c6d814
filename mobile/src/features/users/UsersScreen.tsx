import { compareNames, type UserInfo } from '@sala/sdk';
import { router, useIsFocused } from 'expo-router';
import { useEffect } from 'react';
import { FlatList, Pressable, StyleSheet, Text, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useChat, useChatStore } from '@/features/chat/ChatProvider';
import { ConnectionBanner } from '@/features/chat/ConnectionBanner';
import { useI18n } from '@/i18n';
import { Badge } from '@/ui/Badge';
import { Screen } from '@/ui/Screen';
import { space, useTheme } from '@/ui/theme';

const noUsers: UserInfo[] = [];
const noUnread: Record<string, number> = {};

/**
 * Every registered user, online or not and in which room; tapping one opens the private
 * conversation. Unread private messages show as a badge.
 */
export function UsersScreen() {
  const { t } = useI18n();
  const theme = useTheme();
  const store = useChatStore();
  const { api } = useSession();
  const me = useChat((s) => s.me);
  const users = useChat((s) => s.users) ?? noUsers;
  const unread = useChat((s) => s.unread) ?? noUnread;
  const threads = useChat((s) => s.threads);
  // Rooms envelopes are pushed when people connect, leave or move: a cue to refresh presence.
  const rooms = useChat((s) => s.rooms);

  const focused = useIsFocused();
  useEffect(() => {
    if (!focused || !store) return;
    let live = true;
    api
      .users()
      .then((list) => live && store.setUsers(list))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [focused, api, store, rooms]);

  // People with a conversation first (unread first), then the rest by login as people read it
  // (bob2 before bob10, case ignored).
  const sorted = [...users.filter((u) => u.login !== me)].sort((a, b) => {
    const ua = unread[a.login] ?? 0;
    const ub = unread[b.login] ?? 0;
    if (ua !== ub) return ub - ua;
    if (a.online !== b.online) return a.online ? -1 : 1;
    return compareNames(a.login, b.login);
  });

  const renderItem = ({ item }: { item: UserInfo }) => {
    const count = unread[item.login] ?? 0;
    const last = threads?.[item.login]?.at(-1);
    return (
      <Pressable
        testID={`user-${item.login}`}
        accessibilityRole="button"
        accessibilityLabel={`${item.first_name} ${item.last_name} (${item.login}), ${
          item.online ? t('users.online') : t('users.offline')
        }${count ? `, ${t('users.unread', { count })}` : ''}`}
        onPress={() => router.push({ pathname: '/dm/[login]', params: { login: item.login } })}
        style={({ pressed }) => [
          styles.row,
          {
            borderBottomColor: theme.border,
            backgroundColor: pressed ? theme.surface : 'transparent',
          },
        ]}>
        <View
          testID={`user-${item.login}-presence`}
          accessibilityLabel={item.online ? t('users.online') : t('users.offline')}
          style={[styles.dot, { backgroundColor: item.online ? theme.ok : theme.border }]}
        />
        <View style={styles.info}>
          <Text style={[styles.name, { color: theme.text }]}>
            {item.first_name} {item.last_name}{' '}
            <Text style={{ color: theme.textMuted }}>@{item.login}</Text>
          </Text>
          <Text
            testID={`user-${item.login}-status`}
            style={[styles.meta, { color: theme.textMuted }]}
            numberOfLines={1}>
            {item.online
              ? item.room
                ? `${t('users.online')} · ${t('users.inRoom', { room: item.room })}`
                : t('users.online')
              : t('users.offline')}
            {last ? ` · ${last.from === me ? `${t('common.you')}: ` : ''}${last.text}` : ''}
          </Text>
        </View>
        <Badge
          count={count}
          testID={`user-${item.login}-unread`}
          accessibilityLabel={t('users.unread', { count })}
        />
      </Pressable>
    );
  };

  return (
    <Screen testID="users-screen">
      <ConnectionBanner />
      <FlatList
        testID="user-list"
        data={sorted}
        keyExtractor={(u) => u.login}
        renderItem={renderItem}
        ListEmptyComponent={
          <Text style={[styles.empty, { color: theme.textMuted }]}>{t('users.empty')}</Text>
        }
      />
    </Screen>
  );
}

const styles = StyleSheet.create({
  row: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: space.md,
    paddingHorizontal: space.lg,
    paddingVertical: space.md,
    borderBottomWidth: StyleSheet.hairlineWidth,
  },
  dot: { width: 10, height: 10, borderRadius: 5 },
  info: { flex: 1 },
  name: { fontSize: 16, fontWeight: '600' },
  meta: { fontSize: 13, marginTop: 2 },
  empty: { textAlign: 'center', marginTop: space.xl },
});
