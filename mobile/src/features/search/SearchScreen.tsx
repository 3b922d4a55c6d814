import {
  highlight,
  MessageSearch,
  resultConversation,
  type SearchResult,
  type SearchState,
} from '@sala/sdk';
import { router } from 'expo-router';
import { useMemo, useState, useSyncExternalStore } from 'react';
import { FlatList, Pressable, StyleSheet, Text, TextInput, View } from 'react-native';

import { useSession } from '@/features/auth/session';
import { useChatStore } from '@/features/chat/ChatProvider';
import { useI18n } from '@/i18n';
import { formatTime } from '@/lib/time';
import { Button } from '@/ui/Button';
import { Screen } from '@/ui/Screen';
import { space, useTheme } from '@/ui/theme';

/**
 * Search over what the user may read: each result names its room or private thread, its
 * author and time, and marks the words searched for; a tap opens it in its conversation.
 */
export function SearchScreen() {
  const { t, language } = useI18n();
  const theme = useTheme();
  const { api } = useSession();
  const store = useChatStore();
  const search = useMemo(() => new MessageSearch(api), [api]);
  const s: SearchState = useSyncExternalStore(search.subscribe, search.getState);
  const [query, setQuery] = useState('');
  const [failed, setFailed] = useState(false);
  const [opening, setOpening] = useState(false);

  async function open(r: SearchResult) {
    if (!store || opening) return;
    setOpening(true);
    setFailed(false);
    const target = resultConversation(r);
    const ok = await store.openMessage(target, r.id);
    setOpening(false);
    if (!ok) {
      setFailed(true);
      return;
    }
    if ('with' in target) {
      router.replace({ pathname: '/dm/[login]', params: { login: target.with } });
    } else {
      router.dismissTo('/');
    }
  }

  const status = s.error
    ? t('search.failed')
    : s.query !== '' && !s.loading && s.results.length === 0
      ? t('search.none')
      : '';

  return (
    <Screen testID="search-screen">
      <TextInput
        testID="search-input"
        style={[styles.input, { color: theme.text, borderColor: theme.border }]}
        value={query}
        onChangeText={setQuery}
        placeholder={t('search.placeholder')}
        placeholderTextColor={theme.textMuted}
        accessibilityLabel={t('search.open')}
        returnKeyType="search"
        autoFocus
        autoCapitalize="none"
        maxLength={200}
        onSubmitEditing={() => void search.search(query)}
      />
      {status || failed ? (
        <Text
          testID="search-status"
          role="status"
          style={[styles.status, { color: theme.textMuted }]}>
          {failed ? t('search.openFailed') : status}
        </Text>
      ) : null}
      <FlatList
        data={s.results}
        keyExtractor={(r) => String(r.id)}
        contentContainerStyle={styles.list}
        renderItem={({ item: r }) => (
          <Pressable
            testID="search-result"
            accessibilityRole="button"
            disabled={opening}
            onPress={() => void open(r)}
            style={({ pressed }) => [
              styles.hit,
              { borderColor: theme.border, backgroundColor: pressed ? theme.surface : undefined },
            ]}>
            <View style={styles.head}>
              <Text style={[styles.where, { color: theme.primary }]}>
                {r.type === 'private' ? t('search.privateWith', { login: r.with }) : `#${r.room}`}
              </Text>
              <Text style={[styles.from, { color: theme.text }]}>{r.from}</Text>
              <Text style={{ color: theme.textMuted }}>
                {new Date(r.sent_at).toLocaleDateString(language)} {formatTime(r.sent_at)}
              </Text>
            </View>
            <Text testID="search-text" style={{ color: theme.text }}>
              {highlight(r.text, s.terms).map((seg, i) =>
                seg.match ? (
                  <Text
                    key={i}
                    testID="search-match"
                    style={[styles.match, { backgroundColor: theme.warningBackground }]}>
                    {seg.text}
                  </Text>
                ) : (
                  seg.text
                ),
              )}
            </Text>
          </Pressable>
        )}
        ListFooterComponent={
          s.more ? (
            <Button
              testID="search-more"
              title={t('search.more')}
              variant="secondary"
              onPress={() => void search.loadMore()}
            />
          ) : null
        }
      />
    </Screen>
  );
}

const styles = StyleSheet.create({
  input: {
    margin: space.md,
    paddingHorizontal: space.md,
    paddingVertical: space.sm,
    borderWidth: 1,
    borderRadius: 8,
    fontSize: 16,
  },
  status: { textAlign: 'center', paddingHorizontal: space.lg },
  list: { paddingHorizontal: space.md, paddingBottom: space.lg },
  hit: { paddingVertical: space.sm, borderBottomWidth: StyleSheet.hairlineWidth },
  head: { flexDirection: 'row', flexWrap: 'wrap', gap: space.sm, marginBottom: 2 },
  where: { fontWeight: '700' },
  from: { fontWeight: '600' },
  match: { fontWeight: '700' },
});
