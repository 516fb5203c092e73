import { createI18n } from 'vue-i18n';
import * as admin from './admin';
import * as applicant from './applicant';
import * as common from './common';
import * as officer from './officer';
import * as supervision from './supervision';

/**
 * Every string of the pages goes through here: Chinese by default, English on the toggle.
 * Each area keeps its words in its own file under its own key (common words at the top).
 */
export type Locale = 'zh-CN' | 'en';
const LOCALE_KEY = 'approvals.locale';

const messages = {
  'zh-CN': { ...common.zhCN, applicant: applicant.zhCN, officer: officer.zhCN, supervision: supervision.zhCN, admin: admin.zhCN },
  en: { ...common.en, applicant: applicant.en, officer: officer.en, supervision: supervision.en, admin: admin.en },
};

const stored = localStorage.getItem(LOCALE_KEY);
export const i18n = createI18n({
  legacy: false,
  locale: stored === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages,
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(LOCALE_KEY, locale);
  document.documentElement.lang = locale;
}
