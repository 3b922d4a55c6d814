import { router } from 'expo-router';
import { useState } from 'react';
import { StyleSheet, Text } from 'react-native';

import { useSettings } from '@/features/settings/settings';
import { useI18n } from '@/i18n';
import { Button } from '@/ui/Button';
import { Screen } from '@/ui/Screen';
import { TextField } from '@/ui/TextField';
import { space, useTheme } from '@/ui/theme';

import { formErrors, type FormErrors } from './errors';
import { ServerLink } from './ServerLink';
import { useSession } from './session';

/** Log in with login and password. */
export function LoginScreen() {
  const { t } = useI18n();
  const theme = useTheme();
  const { api, signIn } = useSession();
  const { serverUrl } = useSettings();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FormErrors>({ fields: {} });
  const [busy, setBusy] = useState(false);

  async function submit() {
    const fields: Record<string, string> = {};
    if (!login.trim()) fields.login = t('auth.error.required');
    if (!password) fields.password = t('auth.error.required');
    setErrors({ fields });
    if (Object.keys(fields).length) return;
    setBusy(true);
    try {
      await signIn(await api.login({ login: login.trim(), password }));
    } catch (err) {
      setErrors(formErrors(err, t, serverUrl));
      setBusy(false);
    }
  }

  return (
    // No navigation header here: the screen names the app itself, and says "Log in" once.
    <Screen scroll testID="login-screen" edges={['top', 'bottom']}>
      <Text style={[styles.brand, { color: theme.primary }]} accessibilityRole="header">
        {t('app.name')}
      </Text>
      <Text style={[styles.title, { color: theme.text }]}>{t('auth.login.title')}</Text>
      <TextField
        testID="login-login"
        label={t('auth.field.login')}
        value={login}
        onChangeText={setLogin}
        autoCapitalize="none"
        autoComplete="username"
        error={errors.fields.login}
      />
      <TextField
        testID="login-password"
        label={t('auth.field.password')}
        value={password}
        onChangeText={setPassword}
        secureTextEntry
        autoComplete="current-password"
        error={errors.fields.password}
        onSubmitEditing={submit}
      />
      {errors.form ? (
        <Text testID="login-error" role="alert" style={[styles.formError, { color: theme.danger }]}>
          {errors.form}
        </Text>
      ) : null}
      <Button testID="login-submit" title={t('auth.login.submit')} onPress={submit} busy={busy} />
      <Button
        testID="to-signup"
        variant="link"
        title={t('auth.login.toSignup')}
        onPress={() => router.replace('/signup')}
      />
      <ServerLink />
    </Screen>
  );
}

const styles = StyleSheet.create({
  brand: { fontSize: 34, fontWeight: '800', marginTop: space.xl },
  title: { fontSize: 20, fontWeight: '600', marginTop: space.xs, marginBottom: space.xl },
  formError: { marginBottom: space.md, fontSize: 14 },
});
