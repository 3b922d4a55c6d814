import { attachmentStatus, attachmentText, type PendingAttachment, uploadPercent } from '@sala/sdk';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';
import { space, useTheme } from '@/ui/theme';

export interface ComposerFilesProps {
  attachments: readonly PendingAttachment[];
  onCancel: (key: string) => void;
  onRemove: (key: string) => void;
  onRetry: (key: string) => void;
}

/**
 * The composer's files on their way: a progress bar and a cancel while one uploads, retry and
 * remove when it failed, remove once uploaded or cancelled.
 */
export function ComposerFiles({ attachments, onCancel, onRemove, onRetry }: ComposerFilesProps) {
  const { language } = useI18n();
  const theme = useTheme();
  return (
    <View testID="composer-files" style={styles.list}>
      {attachments.map((a) => {
        const percent = uploadPercent(a);
        const uploading = a.state === 'uploading';
        const close = attachmentText(language, uploading ? 'cancel' : 'remove');
        return (
          <View
            key={a.key}
            testID={`composer-file-${a.state}`}
            style={[styles.file, { borderColor: theme.border, backgroundColor: theme.surface }]}>
            <View style={styles.texts}>
              <Text numberOfLines={1} style={{ color: theme.text }}>
                {a.name}
              </Text>
              {uploading ? (
                <View
                  testID="composer-file-progress"
                  role="progressbar"
                  accessibilityLabel={a.name}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={percent}
                  style={[styles.track, { backgroundColor: theme.border }]}>
                  <View
                    style={[styles.bar, { width: `${percent}%`, backgroundColor: theme.primary }]}
                  />
                </View>
              ) : null}
              <Text
                testID="composer-file-status"
                style={[
                  styles.status,
                  { color: a.state === 'failed' ? theme.danger : theme.textMuted },
                ]}>
                {attachmentStatus(a, language)}
              </Text>
            </View>
            {a.state === 'failed' ? (
              <Pressable
                testID="composer-file-retry"
                accessibilityRole="button"
                onPress={() => onRetry(a.key)}
                hitSlop={8}>
                <Text style={{ color: theme.primary }}>{attachmentText(language, 'retry')}</Text>
              </Pressable>
            ) : null}
            <Pressable
              testID={uploading ? 'composer-file-cancel' : 'composer-file-remove'}
              accessibilityRole="button"
              accessibilityLabel={`${close}: ${a.name}`}
              onPress={() => (uploading ? onCancel(a.key) : onRemove(a.key))}
              hitSlop={8}
              style={styles.close}>
              <Text style={{ color: theme.textMuted, fontSize: 16 }}>✕</Text>
            </Pressable>
          </View>
        );
      })}
    </View>
  );
}

const styles = StyleSheet.create({
  list: { gap: space.xs, marginBottom: space.sm },
  file: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: space.sm,
    borderWidth: StyleSheet.hairlineWidth,
    borderRadius: 8,
    paddingHorizontal: space.md,
    paddingVertical: space.xs,
  },
  texts: { flex: 1, gap: 2 },
  track: { height: 4, borderRadius: 2, overflow: 'hidden' },
  bar: { height: 4 },
  status: { fontSize: 12 },
  close: { padding: space.xs },
});
