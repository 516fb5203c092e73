import type { RouteRecordRaw } from 'vue-router';

/** The officer pages; each page is loaded when first visited. */
export const routes: RouteRecordRaw[] = [
  { path: '/inbox', component: () => import('./InboxPage.vue'), meta: { roles: ['officer'], title: 'officer.inbox.title' } },
  { path: '/applications/:id/matters/:code', component: () => import('./MatterPage.vue'), meta: { roles: ['officer'], title: 'term.matter' } },
  { path: '/delegations', component: () => import('./DelegationsPage.vue'), meta: { roles: ['officer'], title: 'officer.delegations.title' } },
  { path: '/officers/figures', component: () => import('./FiguresPage.vue'), meta: { roles: ['officer'], title: 'officer.figures.title' } },
];
