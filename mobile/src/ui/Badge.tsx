import { StyleSheet, Text, View } from 'react-native';

import { useTheme } from './theme';

/** A small round count, e.g. unread messages; nothing when count is 0. */
export function Badge({
  count,
  testID,
  accessibilityLabel,
}: {
  count: number;
  testID?: string;
  accessibilityLabel?: string;
}) {
  const theme = useTheme();
  if (count <= 0) return null;
  return (
    <View
      testID={testID}
      accessibilityLabel={accessibilityLabel ?? String(count)}
      style={[styles.badge, { backgroundColor: theme.danger }]}>
      <Text style={styles.text}>{count > 99 ? '99+' : count}</Text>
    </View>
  );
}

const styles = StyleSheet.create({
  badge: {
    minWidth: 22,
    height: 22,
    borderRadius: 11,
    paddingHorizontal: 6,
    alignItems: 'center',
    justifyContent: 'center',
  },
  text: { color: '#FFFFFF', fontSize: 12, fontWeight: '700' },
});
