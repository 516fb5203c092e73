import type { RouteRecordRaw } from 'vue-router';

/** The supervision pages (督查室, and the administrator looking on); each page is loaded when first visited. */
const roles: ('supervisor' | 'admin')[] = ['supervisor', 'admin'];

export const routes: RouteRecordRaw[] = [
  { path: '/supervision/alerts', component: () => import('./AlertsBoard.vue'), meta: { roles, title: 'supervision.alerts.title' } },
  { path: '/supervision/overview', component: () => import('./OverviewPage.vue'), meta: { roles, title: 'supervision.overview.title' } },
  { path: '/supervision/scorecards', component: () => import('./ScorecardsPage.vue'), meta: { roles, title: 'supervision.scorecards.title' } },
  { path: '/supervision/providers', component: () => import('./ProvidersPage.vue'), meta: { roles, title: 'supervision.providers.title' } },
  { path: '/supervision/credit-records', component: () => import('./CreditRecordsPage.vue'), meta: { roles, title: 'supervision.credit.title' } },
  { path: '/supervision/moved-deadlines', component: () => import('./MovedDeadlinesPage.vue'), meta: { roles, title: 'supervision.moved.title' } },
];
