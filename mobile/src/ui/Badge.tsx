import { countLabel } from '@sala/sdk';
import { StyleSheet, Text, View } from 'react-native';

import { useTheme } from './theme';

/**
 * A small round count, e.g. unread messages; nothing when count is 0. `mention` badges (mentions
 * of the reader) read `@N` in another colour.
 */
export function Badge({
  count,
  testID,
  accessibilityLabel,
  mention,
}: {
  count: number;
  testID?: string;
  accessibilityLabel?: string;
  mention?: boolean;
}) {
  const theme = useTheme();
  if (count <= 0) return null;
  return (
    <View
      testID={testID}
      accessibilityLabel={accessibilityLabel ?? String(count)}
      style={[styles.badge, { backgroundColor: mention ? theme.primary : theme.danger }]}>
      <Text style={styles.text}>
        {mention ? '@' : ''}
        {countLabel(count)}
      </Text>
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
