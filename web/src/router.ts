import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { get } from './api/client';
import type { Me } from './api/types';
import { routes as admin } from './pages/admin/routes';
import { routes as applicant } from './pages/applicant/routes';
import { routes as officer } from './pages/officer/routes';
import { routes as supervision } from './pages/supervision/routes';
import { homeOf, session, signIn, signOut } from './session';

/**
 * History routes under /ui/ (the API serves index.html for every path below it). A page
 * declares the roles it is for in `meta.roles`; the sign-in page is the only open one.
 */
declare module 'vue-router' {
  interface RouteMeta {
    roles?: Me['role'][];
    public?: boolean;
    title?: string;
  }
}

const shell: RouteRecordRaw[] = [
  { path: '/', redirect: () => (session.me ? homeOf(session.me.role) : '/sign-in') },
  { path: '/sign-in', component: () => import('./pages/SignIn.vue'), meta: { public: true, title: 'session.signIn' } },
  { path: '/no-pages', component: () => import('./pages/NoPages.vue') },
  { path: '/:rest(.*)*', component: () => import('./pages/NotFound.vue'), meta: { public: true, title: 'state.notFound' } },
];

export const router = createRouter({
  history: createWebHistory('/ui/'),
  routes: [...applicant, ...officer, ...supervision, ...admin, ...shell],
  scrollBehavior: () => ({ top: 0 }),
});

router.beforeEach(async (to) => {
  // A reload keeps the token (sessionStorage) but not who it is: ask once.
  if (session.token && !session.me) {
    try {
      signIn(session.token, await get<Me>('/me'));
    } catch {
      signOut();
    }
  }
  if (to.meta.public) return true;
  if (!session.me) return { path: '/sign-in', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.meta.roles && !to.meta.roles.includes(session.me.role)) return homeOf(session.me.role);
  return true;
});
