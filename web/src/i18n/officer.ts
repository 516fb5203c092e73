/** Words of the officer pages. */
export const zhCN = {};

export const en: typeof zhCN = {};
