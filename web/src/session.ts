import { reactive } from 'vue';
import type { Me } from './api/types';

/**
 * The signed-in principal. The bearer token lives in this browser tab's sessionStorage only:
 * closing the tab or signing out forgets it; nothing is kept on disk.
 */
const TOKEN_KEY = 'approvals.token';
const ACTING_KEY = 'approvals.actingFor';

export const session = reactive<{ token: string | null; me: Me | null; actingFor: string | null }>({
  token: sessionStorage.getItem(TOKEN_KEY),
  me: null,
  actingFor: sessionStorage.getItem(ACTING_KEY),
});

export function signIn(token: string, me: Me): void {
  session.token = token;
  session.me = me;
  sessionStorage.setItem(TOKEN_KEY, token);
  // An agent acts for one applicant at a time: the first delegation until it picks another.
  if (me.role === 'agent') setActingFor(session.actingFor && me.applicants.includes(session.actingFor) ? session.actingFor : (me.applicants[0] ?? null));
}

export function setActingFor(applicantId: string | null): void {
  session.actingFor = applicantId;
  if (applicantId) sessionStorage.setItem(ACTING_KEY, applicantId);
  else sessionStorage.removeItem(ACTING_KEY);
}

export function signOut(): void {
  session.token = null;
  session.me = null;
  session.actingFor = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ACTING_KEY);
}

/** The applicant whose applications the pages show: the applicant itself, or the one an agent acts for. */
export function applicantInView(): string | null {
  const me = session.me;
  if (!me) return null;
  return me.role === 'applicant' ? me.id : session.actingFor;
}

/** The page a principal lands on after signing in. */
export function homeOf(role: Me['role']): string {
  switch (role) {
    case 'applicant':
    case 'agent':
      return '/applications';
    case 'officer':
      return '/inbox';
    case 'supervisor':
      return '/supervision/alerts';
    case 'admin':
      return '/admin';
    default:
      return '/no-pages';
  }
}
