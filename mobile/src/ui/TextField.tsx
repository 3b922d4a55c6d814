import { StyleSheet, Text, TextInput, type TextInputProps, View } from 'react-native';

import { space, useTheme } from './theme';

export interface TextFieldProps extends Omit<TextInputProps, 'style'> {
  label: string;
  /** The field's error, shown under it; `${testID}-error` in tests. */
  error?: string;
  testID: string;
}

/** A labelled text input with its error message right under it. */
export function TextField({ label, error, testID, ...input }: TextFieldProps) {
  const theme = useTheme();
  return (
    <View style={styles.wrap}>
      <Text style={[styles.label, { color: theme.textMuted }]}>{label}</Text>
      <TextInput
        testID={testID}
        accessibilityLabel={label}
        aria-invalid={!!error}
        placeholderTextColor={theme.textMuted}
        autoCorrect={false}
        style={[
          styles.input,
          {
            color: theme.text,
            backgroundColor: theme.surface,
            borderColor: error ? theme.danger : theme.border,
          },
        ]}
        {...input}
      />
      {error ? (
        <Text
          testID={`${testID}-error`}
          role="alert"
          style={[styles.error, { color: theme.danger }]}>
          {error}
        </Text>
      ) : null}
    </View>
  );
}

const styles = StyleSheet.create({
  wrap: { marginBottom: space.md },
  label: { fontSize: 13, marginBottom: space.xs },
  input: {
    minHeight: 44,
    borderWidth: 1,
    borderRadius: 10,
    paddingHorizontal: space.md,
    fontSize: 16,
  },
  error: { fontSize: 13, marginTop: space.xs },
});
