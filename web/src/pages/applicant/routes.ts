import type { RouteRecordRaw } from 'vue-router';

/** The applicant pages; each page is loaded when first visited. */
const roles: ('applicant' | 'agent')[] = ['applicant', 'agent'];

export const routes: RouteRecordRaw[] = [
  { path: '/applications', component: () => import('./ApplicationsList.vue'), meta: { roles, title: 'applicant.list.title' } },
  { path: '/applications/new', component: () => import('./StartWizard.vue'), meta: { roles, title: 'applicant.wizard.title' } },
  { path: '/applications/:id', component: () => import('./ApplicationPage.vue'), meta: { roles, title: 'applicant.app.title' } },
  { path: '/providers', component: () => import('./ProvidersPage.vue'), meta: { roles, title: 'applicant.providers.title' } },
];
