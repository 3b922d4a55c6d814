import { DarkTheme, DefaultTheme, Stack, ThemeProvider } from 'expo-router';
import * as SplashScreen from 'expo-splash-screen';
import { useEffect } from 'react';
import { useColorScheme } from 'react-native';

import { AppProviders } from '@/AppProviders';
import { useSession } from '@/features/auth/session';
import { AlertBanner } from '@/features/chat/reads';
import { useI18n } from '@/i18n';

void SplashScreen.preventAutoHideAsync().catch(() => undefined);

export default function RootLayout() {
  const scheme = useColorScheme();
  return (
    <ThemeProvider value={scheme === 'dark' ? DarkTheme : DefaultTheme}>
      <AppProviders>
        <RootNavigator />
      </AppProviders>
    </ThemeProvider>
  );
}

function RootNavigator() {
  const { ready, session } = useSession();
  const { t } = useI18n();

  useEffect(() => {
    if (ready) void SplashScreen.hideAsync().catch(() => undefined);
  }, [ready]);

  if (!ready) return null;
  const signedIn = !!session;
  return (
    <>
      <Stack>
        <Stack.Protected guard={signedIn}>
          <Stack.Screen name="(app)" options={{ headerShown: false }} />
          <Stack.Screen name="dm/[login]" options={{ title: '' }} />
          <Stack.Screen name="search" options={{ title: t('search.title') }} />
        </Stack.Protected>
        <Stack.Protected guard={!signedIn}>
          <Stack.Screen name="login" options={{ headerShown: false }} />
          <Stack.Screen name="signup" options={{ title: t('auth.signup.submit') }} />
          <Stack.Screen name="server" options={{ title: t('settings.title') }} />
        </Stack.Protected>
      </Stack>
      {signedIn ? <AlertBanner /> : null}
    </>
  );
}
