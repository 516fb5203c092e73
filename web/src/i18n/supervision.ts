/** Words of the supervision pages. */
export const zhCN = {};

export const en: typeof zhCN = {};
