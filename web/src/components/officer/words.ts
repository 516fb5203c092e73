import { useI18n } from 'vue-i18n';

/**
 * The words the officer and admin pages put on the API's codes: a name in the current language
 * (the catalogue carries `nameEn` beside the Chinese name), a status, a level, an event kind,
 * working days. Common words first (common.ts), the officer area's own where common has none.
 */
export function useOfficerWords() {
  const { t, te, locale } = useI18n();
  const either = (common: string, own: string, fallback: string) => (te(common) ? t(common) : te(own) ? t(own) : fallback);
  return {
    t,
    locale,
    /** The English name when the page is in English and one exists; the Chinese name otherwise. */
    named: (x: { name: string; nameEn?: string | null } | null | undefined, fallback = '—') => (x ? (locale.value === 'en' && x.nameEn ? x.nameEn : x.name) : fallback),
    statusText: (s: string | null | undefined) => (s ? either(`status.${s}`, `officer.status.${s}`, s) : '—'),
    levelText: (l: string | null | undefined) => (l ? either(`level.${l}`, `officer.level.${l}`, l) : '—'),
    eventText: (k: string) => (te(`officer.events.${k}`) ? t(`officer.events.${k}`) : k),
    procedureText: (k: string | null | undefined) => (k ? (te(`officer.procedures.${k}`) ? t(`officer.procedures.${k}`) : k) : '—'),
    serviceStatusText: (s: string) => (te(`officer.serviceStatus.${s}`) ? t(`officer.serviceStatus.${s}`) : s),
    acceptanceText: (a: string | null | undefined) => (a ? (te(`officer.acceptance.${a}`) ? t(`officer.acceptance.${a}`) : a) : '—'),
    /** Who an event names ("officer officer-drc (DRC)", "system system"), in words. */
    actorText: (actor: string) => {
      const m = /^(\w+) (\S+)(?: \((\w+)\))?$/.exec(actor);
      if (!m) return actor;
      if (m[1] === 'system') return t('officer.matter.history.system');
      return te(`roles.${m[1]}`) ? `${t(`roles.${m[1]}`)} ${m[2]}${m[3] ? ` (${m[3]})` : ''}` : actor;
    },
    /** A count of working days, always labelled 工作日. */
    workingDays: (n: number | null | undefined) => (n === null || n === undefined ? '—' : t('units.workingDays', { n })),
    /** Working days left to a due date: left, due today, or overdue by; a matter without a running clock says so. */
    leftText: (n: number | null | undefined) =>
      n === null || n === undefined ? t('officer.inbox.notRunning') : n > 0 ? t('officer.inbox.left', { n }) : n === 0 ? t('officer.inbox.dueToday') : t('officer.inbox.overdueBy', { n: -n }),
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
      return 'success';
    case 'rejected':
    case 'terminated':
    case 'withdrawn':
      return 'danger';
    case 'suspended':
    case 'returned':
    case 'delivered':
    case 'intake':
      return 'warning';
    case 'inProgress':
    case 'running':
    case 'contracted':
      return 'primary';
    default:
      return 'info';
  }
}
