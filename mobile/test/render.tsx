import { act, renderRouter, screen } from 'expo-router/testing-library';
import type { ComponentType } from 'react';

import { AppProviders } from '@/AppProviders';
import type { Services } from '@/lib/services';

import { FakeSocket } from './fakes';

/**
 * Renders the app's screens under expo-router with the real providers and the given
 * services; `routes` maps route names (e.g. 'index', 'users', 'dm/[login]') to screens.
 */
export async function renderApp(
  services: Services,
  routes: Record<string, ComponentType>,
  initialUrl = '/',
) {
  FakeSocket.instances = [];
  const { Slot } = jest.requireActual<typeof import('expo-router')>('expo-router');
  function Layout() {
    return (
      <AppProviders services={services}>
        <Slot />
      </AppProviders>
    );
  }
  const result = await renderRouter({ _layout: Layout, ...routes }, { initialUrl });
  // Let the providers load storage.
  await act(async () => {
    await Promise.resolve();
  });
  return { ...result, screen };
}
