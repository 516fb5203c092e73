import type { RouteRecordRaw } from 'vue-router';

/** The applicant pages; each page is loaded when first visited. */
export const routes: RouteRecordRaw[] = [];
