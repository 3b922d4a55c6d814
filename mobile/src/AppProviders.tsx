import type { ReactNode } from 'react';

import { SessionProvider } from '@/features/auth/session';
import { ChatProvider } from '@/features/chat/ChatProvider';
import { SettingsProvider } from '@/features/settings/settings';
import { type Services, ServicesProvider } from '@/lib/services';

/** Every provider the app needs, in order; tests pass fake services. */
export function AppProviders({
  services,
  children,
}: {
  services?: Partial<Services>;
  children: ReactNode;
}) {
  return (
    <ServicesProvider services={services}>
      <SettingsProvider>
        <SessionProvider>
          <ChatProvider>{children}</ChatProvider>
        </SessionProvider>
      </SettingsProvider>
    </ServicesProvider>
  );
}
