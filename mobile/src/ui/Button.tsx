import { ActivityIndicator, Pressable, StyleSheet, Text } from 'react-native';

import { space, useTheme } from './theme';

export interface ButtonProps {
  title: string;
  onPress: () => void;
  testID?: string;
  accessibilityLabel?: string;
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  disabled?: boolean;
  busy?: boolean;
  compact?: boolean;
}

/** A pressable with a text label, in the app's three looks. */
export function Button({
  title,
  onPress,
  testID,
  accessibilityLabel,
  variant = 'primary',
  disabled,
  busy,
  compact,
}: ButtonProps) {
  const theme = useTheme();
  const inactive = disabled || busy;
  const background =
    variant === 'primary'
      ? theme.primary
      : variant === 'danger'
        ? theme.danger
        : variant === 'secondary'
          ? theme.surface
          : 'transparent';
  const color =
    variant === 'primary' || variant === 'danger'
      ? theme.onPrimary
      : variant === 'link'
        ? theme.primary
        : theme.text;
  return (
    <Pressable
      testID={testID}
      accessibilityRole="button"
      accessibilityLabel={accessibilityLabel ?? title}
      accessibilityState={{ disabled: !!inactive, busy: !!busy }}
      disabled={inactive}
      onPress={onPress}
      style={({ pressed }) => [
        styles.base,
        compact && styles.compact,
        { backgroundColor: background, opacity: inactive ? 0.5 : pressed ? 0.75 : 1 },
      ]}>
      {busy ? (
        <ActivityIndicator color={color} />
      ) : (
        <Text style={[styles.label, { color }]}>{title}</Text>
      )}
    </Pressable>
  );
}

const styles = StyleSheet.create({
  base: {
    minHeight: 44,
    paddingHorizontal: space.lg,
    borderRadius: 10,
    alignItems: 'center',
    justifyContent: 'center',
  },
  compact: { minHeight: 32, paddingHorizontal: space.md, borderRadius: 8 },
  label: { fontSize: 16, fontWeight: '600' },
});
