import { useI18n } from 'vue-i18n';

/**
 * The words every page puts on the API's codes, from i18n/common.ts: a catalogue name in the
 * page's language (the catalogue carries `nameEn` beside the Chinese name), a status, a level,
 * an event kind, an acceptance, a special procedure, who acted, a count of days, a list. A code
 * without a word shows as itself; an absent one as a dash. An area adds only words of its own.
 */
export function useWords() {
  const { t, te, locale } = useI18n();
  const word = (group: string, code: string | null | undefined) => (!code ? '—' : te(`${group}.${code}`) ? t(`${group}.${code}`) : code);
  return {
    t,
    locale,
    /** The word of a group for a code (`word('status', 'approved')`): for an area's own groups too. */
    word,
    /** The English name when the page is in English and one exists; the Chinese name otherwise. */
    named: (x: { name: string; nameEn?: string | null } | null | undefined, fallback = '—') => (x ? (locale.value === 'en' && x.nameEn ? x.nameEn : x.name) : fallback),
    statusText: (s: string | null | undefined) => word('status', s),
    levelText: (l: string | null | undefined) => word('level', l),
    eventText: (k: string) => word('events', k),
    acceptanceText: (a: string | null | undefined) => word('acceptance', a),
    procedureText: (p: string | null | undefined) => word('procedure', p),
    /** Who an event names ("officer officer-drc (DRC)", "system system"), in words. */
    actorText: (actor: string) => {
      const m = /^(\w+) (\S+)(?: \((\w+)\))?$/.exec(actor);
      if (!m) return actor;
      if (m[1] === 'system') return t('roles.system');
      return te(`roles.${m[1]}`) ? `${t(`roles.${m[1]}`)} ${m[2]}${m[3] ? ` (${m[3]})` : ''}` : actor;
    },
    /** A list in running text: 、 between Chinese items, a comma in English. */
    list: (items: readonly string[]) => items.join(locale.value === 'en' ? ', ' : '、'),
    /** A count of days with its kind: 工作日 unless said otherwise. */
    days: (n: number | null | undefined, kind: 'working' | 'calendar' = 'working') =>
      n === null || n === undefined ? '—' : t(kind === 'working' ? 'units.workingDays' : 'units.calendarDays', { n }),
  };
}

/** Element Plus tag types: a status or level is always a tag with its text, and the colour only repeats it. */
export type TagType = 'info' | 'success' | 'warning' | 'danger' | 'primary';

/** Done well, ended badly, waiting on someone, under way; anything else is neutral. */
export function statusTagType(status: string | null | undefined): TagType {
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
    case 'intake':
    case 'suspended':
    case 'needed':
    case 'returned':
      return 'warning';
    case 'running':
    case 'inProgress':
    case 'contracted':
    case 'open':
    case 'delivered':
      return 'primary';
    default:
      return 'info';
  }
}

/** By escalation level: yellow at a warning, red from overdue up the ladder. */
export function levelTagType(level: string | null | undefined): TagType {
  switch (level) {
    case 'warning':
      return 'warning';
    case 'overdue':
    case 'departmentHead':
    case 'supervisionOffice':
    case 'leadership':
      return 'danger';
    case 'normal':
      return 'success';
    default:
      return 'info';
  }
}
