import { type ReactNode, useCallback, useState } from 'react';
import { Alert, Modal, Platform, StyleSheet, Text, View } from 'react-native';

import { useI18n } from '@/i18n';

import { Button } from './Button';
import { space, useTheme } from './theme';

/** A question with a destructive answer, e.g. "Delete #books?". */
export interface Confirmation {
  title: string;
  message: string;
  /** The destructive button's label, e.g. "Delete". */
  confirm: string;
  onConfirm: () => void;
}

/**
 * Asks before something that cannot be undone. On phones it is the system's alert; on the web,
 * where React Native's Alert does nothing, the same question in a modal of the app's own.
 * Render `dialog` once in the screen that asks.
 */
export function useConfirm(): { ask: (c: Confirmation) => void; dialog: ReactNode } {
  const { t } = useI18n();
  const [open, setOpen] = useState<Confirmation | null>(null);
  const ask = useCallback(
    (c: Confirmation) => {
      if (Platform.OS !== 'web') {
        Alert.alert(c.title, c.message, [
          { text: t('common.cancel'), style: 'cancel' },
          { text: c.confirm, style: 'destructive', onPress: c.onConfirm },
        ]);
        return;
      }
      setOpen(c);
    },
    [t],
  );
  const dialog = open ? (
    <ConfirmDialog
      confirmation={open}
      onClose={(confirmed) => {
        setOpen(null);
        if (confirmed) open.onConfirm();
      }}
    />
  ) : null;
  return { ask, dialog };
}

function ConfirmDialog({
  confirmation,
  onClose,
}: {
  confirmation: Confirmation;
  onClose: (confirmed: boolean) => void;
}) {
  const { t } = useI18n();
  const theme = useTheme();
  return (
    <Modal transparent animationType="fade" onRequestClose={() => onClose(false)}>
      <View style={styles.backdrop}>
        <View
          testID="confirm-dialog"
          role="alertdialog"
          aria-modal
          aria-labelledby="confirm-title"
          style={[styles.card, { backgroundColor: theme.background }]}>
          <Text nativeID="confirm-title" style={[styles.title, { color: theme.text }]}>
            {confirmation.title}
          </Text>
          <Text style={[styles.message, { color: theme.textMuted }]}>{confirmation.message}</Text>
          <View style={styles.buttons}>
            <Button
              variant="secondary"
              testID="confirm-cancel"
              title={t('common.cancel')}
              onPress={() => onClose(false)}
            />
            <Button
              variant="danger"
              testID="confirm-ok"
              title={confirmation.confirm}
              onPress={() => onClose(true)}
            />
          </View>
        </View>
      </View>
    </Modal>
  );
}

const styles = StyleSheet.create({
  backdrop: {
    flex: 1,
    alignItems: 'center',
    justifyContent: 'center',
    padding: space.xl,
    backgroundColor: 'rgba(0,0,0,0.4)',
  },
  card: { width: '100%', maxWidth: 360, borderRadius: 14, padding: space.lg, gap: space.sm },
  title: { fontSize: 18, fontWeight: '700' },
  message: { fontSize: 15 },
  buttons: { flexDirection: 'row', justifyContent: 'flex-end', gap: space.sm, marginTop: space.sm },
});
