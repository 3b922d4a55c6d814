import { noticeText, sortRooms } from '@sala/sdk';
import type { ReactNode } from 'react';
import { StyleSheet, Text, View } from 'react-native';

import { commandDescription, commandUsage, errorText, useI18n } from '@/i18n';
import { space, useTheme } from '@/ui/theme';

import type { Notice } from './chatStore';

/**
 * A server notice in the timeline: someone joined, a room was deleted, an error, help, the
 * live rooms (`#lR`), the users (`#show users`).
 */
export function NoticeRow({ notice, room }: { notice: Notice; room?: string | null }) {
  const { t } = useI18n();
  const theme = useTheme();
  if (notice.kind === 'event' && notice.event.kind === 'room_deleted') {
    // The room you were in is gone and you were moved: this must not pass for a small
    // join/leave line.
    return (
      <View
        testID="notice-room_deleted"
        accessible
        role="alert"
        style={[
          styles.banner,
          { backgroundColor: theme.warningBackground, borderColor: theme.warning },
        ]}>
        <Text style={[styles.bannerTitle, { color: theme.text }]}>
          {t('chat.notice.room_deleted', {
            room: notice.event.room,
            user: notice.event.user ?? '',
          })}
        </Text>
        {room ? (
          <Text style={{ color: theme.text }}>{t('chat.deletedMovedTo', { room })}</Text>
        ) : null}
      </View>
    );
  }
  if (notice.kind === 'rooms') {
    return (
      <NoticeCard testID="notice-rooms" title={t('chat.rooms.title')}>
        {sortRooms(notice.rooms).map((r) => (
          <Text key={r.name} testID="notice-rooms-row" style={{ color: theme.text }}>
            {t('chat.rooms.row', { room: r.name, count: r.members })}
            {r.default || r.owner ? (
              <Text style={{ color: theme.textMuted }}>
                {' · '}
                {r.default
                  ? t('chat.rooms.default')
                  : t('chat.rooms.owner', { owner: r.owner ?? '' })}
              </Text>
            ) : null}
          </Text>
        ))}
      </NoticeCard>
    );
  }
  if (notice.kind === 'users') {
    return (
      <NoticeCard testID="notice-users" title={t('chat.users.title')}>
        {notice.users.map((u) => (
          <Text key={u.login} testID="notice-users-row" style={{ color: theme.text }}>
            <Text style={styles.mono}>{u.login}</Text>
            <Text style={{ color: theme.textMuted }}>
              {` ${u.first_name} ${u.last_name} — `}
              {!u.online
                ? t('chat.users.offline')
                : u.room
                  ? t('chat.users.onlineIn', { room: u.room })
                  : t('chat.users.online')}
            </Text>
          </Text>
        ))}
      </NoticeCard>
    );
  }
  if (notice.kind === 'help') {
    return (
      <NoticeCard testID="notice-help" title={t('chat.help.title')}>
        {notice.commands.map((c) => (
          <Text key={c.command} style={{ color: theme.text }}>
            <Text style={styles.mono}>{commandUsage(t, c)}</Text>
            <Text style={{ color: theme.textMuted }}> — {commandDescription(t, c)}</Text>
          </Text>
        ))}
      </NoticeCard>
    );
  }
  let text: string;
  let color = theme.textMuted;
  let testID = 'notice';
  if (notice.kind === 'error') {
    text = errorText(t, notice);
    color = theme.danger;
    testID = `notice-error-${notice.code}`;
  } else if (notice.kind === 'more') {
    text = t('chat.more');
  } else if (notice.kind === 'joined') {
    text = t(notice.moved ? 'chat.notice.movedToDefault' : 'chat.notice.joined', {
      room: notice.room,
    });
    testID = 'notice-joined';
  } else if (notice.kind === 'already') {
    text = noticeText(t.language, 'alreadyInRoom', { room: notice.room });
    testID = 'notice-already';
  } else {
    const { kind, room, user } = notice.event;
    text = t(`chat.notice.${kind}`, { room, user: user ?? '' });
    testID = `notice-${kind}`;
  }
  return (
    <Text
      testID={testID}
      role={notice.kind === 'error' ? 'alert' : undefined}
      style={[styles.notice, { color }]}>
      {text}
      {notice.kind === 'error' && notice.unsent ? (
        // What was typed for a room that did not survive a reconnect: shown, not lost.
        <Text testID="notice-unsent" style={{ color: theme.text }}>
          {'\n'}
          {notice.unsent}
        </Text>
      ) : null}
    </Text>
  );
}

/** A command's answer in the timeline: a title over its rows (#help, #lR, #show users). */
function NoticeCard({
  testID,
  title,
  children,
}: {
  testID: string;
  title: string;
  children: ReactNode;
}) {
  const theme = useTheme();
  return (
    <View testID={testID} style={[styles.card, { backgroundColor: theme.surface }]}>
      <Text style={[styles.cardTitle, { color: theme.text }]}>{title}</Text>
      {children}
    </View>
  );
}

const styles = StyleSheet.create({
  notice: {
    textAlign: 'center',
    fontSize: 13,
    marginVertical: space.xs,
    marginHorizontal: space.lg,
  },
  banner: {
    margin: space.md,
    padding: space.md,
    borderRadius: 10,
    borderLeftWidth: 4,
    gap: 2,
  },
  bannerTitle: { fontSize: 16, fontWeight: '700' },
  card: { margin: space.md, padding: space.md, borderRadius: 10, gap: 2 },
  cardTitle: { fontWeight: '700', marginBottom: space.xs },
  mono: { fontFamily: 'monospace' },
});
