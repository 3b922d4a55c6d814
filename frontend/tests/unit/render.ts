// Renders a component the way the app does: Pinia, English vue-i18n and a memory router.
import { render, type RenderOptions } from '@testing-library/vue';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { createMemoryHistory, type Router } from 'vue-router';
import type { Component } from 'vue';
import { createAppI18n, type Locale } from '../../src/i18n';
import { createAppRouter } from '../../src/router';

export interface AppRender {
  pinia: Pinia;
  router: Router;
}

export function freshPinia(): Pinia {
  const pinia = createPinia();
  setActivePinia(pinia);
  return pinia;
}

export async function renderApp(
  component: Component,
  options: RenderOptions<Component> & { pinia?: Pinia; route?: string; locale?: Locale } = {},
) {
  const pinia = options.pinia ?? freshPinia();
  const router = createAppRouter(createMemoryHistory());
  await router.push(options.route ?? '/login');
  const result = render(component, {
    ...options,
    global: { plugins: [pinia, createAppI18n(options.locale ?? 'en'), router], ...options.global },
  });
  return { ...result, pinia, router };
}
