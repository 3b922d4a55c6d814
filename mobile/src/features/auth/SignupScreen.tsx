import type { Gender } from '@sala/sdk';
import { router } from 'expo-router';
import { useState } from 'react';
import { Pressable, StyleSheet, Text, View } from 'react-native';

import { useSettings } from '@/features/settings/settings';
import { useI18n } from '@/i18n';
import { Button } from '@/ui/Button';
import { Screen } from '@/ui/Screen';
import { TextField } from '@/ui/TextField';
import { space, useTheme } from '@/ui/theme';

import { formErrors, type FormErrors } from './errors';
import { ServerLink } from './ServerLink';
import { useSession } from './session';

// Every Gender of the spec, in the order shown; `satisfies` fails to compile when they drift.
const genderOrder = {
  female: 0,
  male: 1,
  non_binary: 2,
  other: 3,
  prefer_not_to_say: 4,
} satisfies Record<Gender, number>;
const genders = Object.keys(genderOrder) as Gender[];

type TextFieldName = 'first_name' | 'last_name' | 'login' | 'password' | 'age';

/**
 * Sign up with every field the server asks for. The server validates; its per-field errors
 * are shown under each field.
 */
export function SignupScreen() {
  const { t } = useI18n();
  const theme = useTheme();
  const { api, signIn } = useSession();
  const { serverUrl } = useSettings();
  const [values, setValues] = useState<Record<TextFieldName, string>>({
    first_name: '',
    last_name: '',
    login: '',
    password: '',
    age: '',
  });
  const [gender, setGender] = useState<Gender | null>(null);
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);

  const set = (name: TextFieldName) => (text: string) => setValues((v) => ({ ...v, [name]: text }));

  async function submit() {
    // Only what the server can't be asked about without a value; the rules are the server's.
    const fields: Record<string, string> = {};
    for (const name of Object.keys(values) as TextFieldName[]) {
      if (!values[name].trim()) fields[name] = t('auth.error.required');
    }
    if (values.age.trim() && !/^\d+$/.test(values.age.trim())) fields.age = t('auth.error.age');
    if (!gender) fields.gender = t('auth.error.required');
    setErrors({ fields });
    if (Object.keys(fields).length || !gender) return;
    setBusy(true);
    try {
      const auth = await api.signup({
        first_name: values.first_name.trim(),
        last_name: values.last_name.trim(),
        login: values.login.trim(),
        password: values.password,
        age: Number(values.age.trim()),
        gender,
      });
      await signIn(auth);
    } catch (err) {
      setErrors(formErrors(err, t, serverUrl));
      setBusy(false);
    }
  }

  const field = (name: TextFieldName, extra: Partial<Parameters<typeof TextField>[0]> = {}) => (
    <TextField
      testID={`signup-${name}`}
      label={t(`auth.field.${name}`)}
      value={values[name]}
      onChangeText={set(name)}
      error={errors.fields[name]}
      {...extra}
    />
  );

  return (
    <Screen scroll testID="signup-screen">
      <Text style={[styles.title, { color: theme.text }]} accessibilityRole="header">
        {t('auth.signup.title')}
      </Text>
      {field('first_name', { autoComplete: 'given-name' })}
      {field('last_name', { autoComplete: 'family-name' })}
      {field('login', { autoCapitalize: 'none', autoComplete: 'username' })}
      {field('password', { secureTextEntry: true, autoComplete: 'new-password' })}
      {field('age', { keyboardType: 'number-pad', inputMode: 'numeric' })}

      <Text style={[styles.label, { color: theme.textMuted }]}>{t('auth.field.gender')}</Text>
      <View style={styles.chips} role="radiogroup" accessibilityLabel={t('auth.field.gender')}>
        {genders.map((g) => {
          const selected = g === gender;
          return (
            <Pressable
              key={g}
              testID={`signup-gender-${g}`}
              role="radio"
              accessibilityState={{ checked: selected }}
              accessibilityLabel={t(`auth.gender.${g}`)}
              onPress={() => setGender(g)}
              style={[
                styles.chip,
                {
                  borderColor: selected ? theme.primary : theme.border,
                  backgroundColor: selected ? theme.primary : theme.surface,
                },
              ]}>
              <Text style={{ color: selected ? theme.onPrimary : theme.text }}>
                {t(`auth.gender.${g}`)}
              </Text>
            </Pressable>
          );
        })}
      </View>
      {errors.fields.gender ? (
        <Text
          testID="signup-gender-error"
          role="alert"
          style={[styles.error, { color: theme.danger }]}>
          {errors.fields.gender}
        </Text>
      ) : null}

      {errors.form ? (
        <Text testID="signup-error" role="alert" style={[styles.error, { color: theme.danger }]}>
          {errors.form}
        </Text>
      ) : null}
      <View style={styles.actions}>
        <Button
          testID="signup-submit"
          title={t('auth.signup.submit')}
          onPress={submit}
          busy={busy}
        />
      </View>
      <Button
        testID="to-login"
        variant="link"
        title={t('auth.signup.toLogin')}
        onPress={() => router.replace('/login')}
      />
      <ServerLink />
    </Screen>
  );
}

const styles = StyleSheet.create({
  title: { fontSize: 28, fontWeight: '700', marginBottom: space.lg },
  label: { fontSize: 13, marginBottom: space.xs },
  chips: { flexDirection: 'row', flexWrap: 'wrap', gap: space.sm },
  chip: {
    borderWidth: 1,
    borderRadius: 16,
    paddingHorizontal: space.md,
    paddingVertical: space.sm,
  },
  error: { fontSize: 13, marginTop: space.xs },
  actions: { marginTop: space.lg },
});
