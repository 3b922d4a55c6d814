import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router';
import { useSessionStore } from './stores/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Signed-in users only. */
    auth?: boolean;
    /** Signed-out users only (login, signup). */
    guest?: boolean;
  }
}

export const routes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'chat',
    component: () => import('./views/ChatView.vue'),
    meta: { auth: true },
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('./views/LoginView.vue'),
    meta: { guest: true },
  },
  {
    path: '/signup',
    name: 'signup',
    component: () => import('./views/SignupView.vue'),
    meta: { guest: true },
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

export function createAppRouter(history = createWebHistory()): Router {
  const router = createRouter({ history, routes });
  router.beforeEach((to) => {
    const session = useSessionStore();
    if (to.meta.auth && !session.isAuthenticated) return { name: 'login' };
    if (to.meta.guest && session.isAuthenticated) return { name: 'chat' };
    return true;
  });
  return router;
}
