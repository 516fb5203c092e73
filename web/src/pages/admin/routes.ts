import type { RouteRecordRaw } from 'vue-router';

/** The admin pages; each page is loaded when first visited. */
export const routes: RouteRecordRaw[] = [{ path: '/admin', component: () => import('./AdminPage.vue'), meta: { roles: ['admin'], title: 'admin.title' } }];
