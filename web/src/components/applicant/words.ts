import { useI18n } from 'vue-i18n';
import type { Provider } from '../../api/types';

/** A provider as GET /catalogue/providers lists it: each qualification marked valid on the asked date. */
export type QualifiedProvider = Omit<Provider, 'qualifications'> & { qualifications: (Provider['qualifications'][number] & { valid: boolean })[] };

/**
 * The words the applicant pages put on the API's codes: a name in the current language (the
 * catalogue carries `nameEn` beside the Chinese name), a status, a level, an event kind.
 * Common words first (common.ts), the applicant area's own where common has none.
 */
export function useWords() {
  const { t, te, locale } = useI18n();
  const either = (common: string, own: string, fallback: string) => (te(common) ? t(common) : te(own) ? t(own) : fallback);
  return {
    t,
    locale,
    /** The English name when the page is in English and one exists; the Chinese name otherwise. */
    named: (x: { name: string; nameEn?: string | null } | null | undefined, fallback = '—') => (x ? (locale.value === 'en' && x.nameEn ? x.nameEn : x.name) : fallback),
    statusText: (s: string | null | undefined) => (s ? either(`status.${s}`, `applicant.status.${s}`, s) : '—'),
    levelText: (l: string | null | undefined) => (l ? either(`level.${l}`, `applicant.level.${l}`, l) : '—'),
    eventText: (k: string) => (te(`applicant.events.${k}`) ? t(`applicant.events.${k}`) : k),
    methodText: (m: string) => (te(`applicant.services.method.${m}`) ? t(`applicant.services.method.${m}`) : m),
    /** A list in running text: 、 between Chinese items, a comma in English. */
    list: (items: readonly string[]) => items.join(locale.value === 'en' ? ', ' : '、'),
    days: (n: number | null | undefined, kind: 'working' | 'calendar' = 'working') =>
      n === null || n === undefined ? '—' : t(kind === 'working' ? 'units.workingDays' : 'units.calendarDays', { n }),
  };
}

/** Element Plus tag types by status: the colour repeats what the text says. */
export function statusTagType(status: string | null | undefined): 'info' | 'success' | 'warning' | 'danger' | 'primary' {
  switch (status) {
    case 'approved':
    case 'completed':
    case 'accepted':
    case 'inHand':
    case 'waived':
    case 'delivered':
      return 'success';
    case 'rejected':
    case 'terminated':
    case 'withdrawn':
      return 'danger';
    case 'suspended':
    case 'returned':
    case 'needed':
      return 'warning';
    case 'inProgress':
    case 'running':
    case 'contracted':
    case 'open':
      return 'primary';
    default:
      return 'info';
  }
}
