import Ionicons from '@expo/vector-icons/Ionicons';
import { router, Tabs } from 'expo-router';
import type { ComponentProps } from 'react';
import { type ColorValue, Pressable } from 'react-native';

import { useChat } from '@/features/chat/ChatProvider';
import { otherRoomsUnread, roomUnread, totalUnread } from '@/features/chat/chatStore';
import { RoomTitle } from '@/features/chat/ChatScreen';
import { ConnectionIndicator } from '@/features/chat/ConnectionBanner';
import { useI18n } from '@/i18n';

type IconName = ComponentProps<typeof Ionicons>['name'];

function icon(name: IconName) {
  return function TabBarIcon({ color, size }: { color: ColorValue; size: number }) {
    return <Ionicons name={name} color={color} size={size} />;
  };
}

/** Opens the search screen from the chat tab's header. */
function SearchButton({ label }: { label: string }) {
  return (
    <Pressable
      testID="open-search"
      accessibilityRole="button"
      accessibilityLabel={label}
      hitSlop={8}
      style={{ paddingHorizontal: 12 }}
      onPress={() => router.push('/search')}>
      <Ionicons name="search-outline" size={22} color="#5F6B76" />
    </Pressable>
  );
}

/**
 * The signed-in app: chat, rooms, people, settings. The chat tab counts the current room's
 * unread messages, rooms the other rooms', people the private ones.
 */
export default function AppTabs() {
  const { t } = useI18n();
  const unread = useChat(totalUnread) ?? 0;
  const here = useChat(roomUnread) ?? 0;
  const elsewhere = useChat(otherRoomsUnread) ?? 0;
  return (
    <Tabs screenOptions={{ headerRight: () => <ConnectionIndicator /> }}>
      <Tabs.Screen
        name="index"
        options={{
          title: t('tabs.chat'),
          headerTitle: () => <RoomTitle />,
          headerLeft: () => <SearchButton label={t('search.open')} />,
          tabBarIcon: icon('chatbubbles-outline'),
          tabBarBadge: here > 0 ? here : undefined,
          tabBarButtonTestID: 'tab-chat',
        }}
      />
      <Tabs.Screen
        name="rooms"
        options={{
          title: t('tabs.rooms'),
          tabBarIcon: icon('albums-outline'),
          tabBarBadge: elsewhere > 0 ? elsewhere : undefined,
          tabBarButtonTestID: 'tab-rooms',
        }}
      />
      <Tabs.Screen
        name="users"
        options={{
          title: t('tabs.users'),
          tabBarIcon: icon('people-outline'),
          tabBarBadge: unread > 0 ? unread : undefined,
          tabBarButtonTestID: 'tab-users',
        }}
      />
      <Tabs.Screen
        name="settings"
        options={{
          title: t('tabs.settings'),
          tabBarIcon: icon('settings-outline'),
          tabBarButtonTestID: 'tab-settings',
        }}
      />
    </Tabs>
  );
}
