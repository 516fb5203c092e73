/** Words of the admin pages. */
export const zhCN = {};

export const en: typeof zhCN = {};
