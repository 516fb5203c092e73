/** Words of the applicant pages. */
export const zhCN = {};

export const en: typeof zhCN = {};
