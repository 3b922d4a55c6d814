import type { Alert } from '@sala/sdk';
import { router, useIsFocused } from 'expo-router';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';

import { useI18n } from '@/i18n';
import { space, useTheme } from '@/ui/theme';

import { useChat, useChatStore } from './ChatProvider';

/**
 * Tells the chat whether this screen shows its conversation's newest message: it is the focused
 * screen and its list is at its end. Returns the list's onNewestVisible.
 */
export function useNewestVisible(screen: string): (visible: boolean) => void {
  const store = useChatStore();
  const focused = useIsFocused();
  const atEnd = useRef(true);
  useEffect(() => {
    store?.setNewestVisible(screen, focused && atEnd.current);
  }, [store, screen, focused]);
  useEffect(() => () => store?.setNewestVisible(screen, false), [store, screen]);
  return useCallback(
    (visible: boolean) => {
      atEnd.current = visible;
      store?.setNewestVisible(screen, focused && visible);
    },
    [store, screen, focused],
  );
}

/** Where the unread messages start when the conversation opened. */
export function NewMessagesLine() {
  const { t } = useI18n();
  const theme = useTheme();
  return (
    <View testID="new-messages" accessibilityRole="header" style={styles.line}>
      <View style={[styles.rule, { backgroundColor: theme.danger }]} />
      <Text style={[styles.lineText, { color: theme.danger }]}>{t('chat.newMessages')}</Text>
      <View style={[styles.rule, { backgroundColor: theme.danger }]} />
    </View>
  );
}

/** The id of the first unread message of conversation `key` (`#room`, `@login`), if any. */
export function useNewMessagesId(key: string): number | null {
  return useChat((s) => (s.newMessages?.key === key ? s.newMessages.id : null)) ?? null;
}

/** Opens the conversation an alert is about. */
export function openAlert(joinRoom: (room: string) => void, a: Alert): void {
  if (a.ref.kind === 'private') {
    router.push({ pathname: '/dm/[login]', params: { login: a.ref.login } });
  } else {
    joinRoom(a.ref.room);
    router.navigate('/');
  }
}

/** How long a banner stays, ms. */
const BANNER_MS = 6_000;

/**
 * An in-app banner for a private message or a mention in a conversation not on screen; a tap
 * opens it. (A phone whose app is closed needs push notifications: see mobile/README.md.)
 */
export function AlertBanner() {
  const { t } = useI18n();
  const theme = useTheme();
  const insets = useSafeAreaInsets();
  const store = useChatStore();
  const alert = useChat((s) => s.alert);
  const activePeer = useChat((s) => s.activePeer);
  // Alerts up to this key are done: seen before this mounted, dismissed, or timed out.
  const [done, setDone] = useState(alert?.key ?? 0);
  // The thread on screen needs no banner about itself.
  const here = alert?.ref.kind === 'private' && alert.ref.login === activePeer;
  const shown = alert && alert.key > done && !here ? alert : null;
  useEffect(() => {
    if (!shown) return;
    const timer = setTimeout(() => setDone(shown.key), BANNER_MS);
    return () => clearTimeout(timer);
  }, [shown]);

  if (!shown || !store) return null;
  const title =
    shown.ref.kind === 'private'
      ? t('alerts.private', { from: shown.from })
      : t('alerts.mention', { from: shown.from, room: shown.ref.room });
  return (
    <Pressable
      testID="alert-banner"
      accessibilityRole="button"
      accessibilityLiveRegion="polite"
      accessibilityLabel={`${title}: ${shown.text}`}
      onPress={() => {
        setDone(shown.key);
        openAlert(store.joinRoom, shown);
      }}
      style={[
        styles.banner,
        { top: insets.top + space.sm, backgroundColor: theme.surface, borderColor: theme.border },
      ]}>
      <Text style={[styles.bannerTitle, { color: theme.text }]}>{title}</Text>
      <Text numberOfLines={2} style={{ color: theme.textMuted }}>
        {shown.text}
      </Text>
    </Pressable>
  );
}

const styles = StyleSheet.create({
  line: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: space.sm,
    marginHorizontal: space.md,
    marginVertical: space.xs,
  },
  rule: { flex: 1, height: StyleSheet.hairlineWidth * 2 },
  lineText: { fontSize: 12, fontWeight: '700' },
  banner: {
    position: 'absolute',
    left: space.md,
    right: space.md,
    zIndex: 10,
    padding: space.md,
    borderRadius: 12,
    borderWidth: StyleSheet.hairlineWidth,
    elevation: 4,
    shadowColor: '#000',
    shadowOpacity: 0.15,
    shadowRadius: 8,
    shadowOffset: { width: 0, height: 2 },
  },
  bannerTitle: { fontWeight: '700', marginBottom: 2 },
});
