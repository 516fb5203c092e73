import { continueAsNew, defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CalendarYear } from '../catalogue/schema';
import type { Actor } from '../domain/types';
import type { BroadcastActivities } from '../worker/activities';

export interface CalendarBroadcastInput {
  calendar: CalendarYear;
  actor: Actor;
  /** Where a continued run goes on listing; absent on the first run. */
  pageToken?: string | null;
  /** Applications reached by earlier runs of this broadcast. */
  signalled?: number;
  /** BROADCAST_PAGE_SIZE and BROADCAST_PAGES_PER_RUN unless a test makes them small. */
  pageSize?: number;
  pagesPerRun?: number;
}

export interface CalendarBroadcastProgress {
  year: number;
  /** Running applications signalled so far. */
  signalled: number;
  done: boolean;
}

export const calendarBroadcastProgressQuery = defineQuery<CalendarBroadcastProgress>('calendarBroadcastProgress');

/** Applications signalled per activity call, and pages per run before the history is renewed. */
export const BROADCAST_PAGE_SIZE = 100;
export const BROADCAST_PAGES_PER_RUN = 50;

const { publishCalendarToPage } = proxyActivities<BroadcastActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * Publishing a calendar year to every running application, outside the admin's request: pages of
 * the running applications are listed and signalled by an activity (heartbeating, so a retried
 * page resumes where it stopped), and the run continues as new after BROADCAST_PAGES_PER_RUN
 * pages so its history stays small however many applications run.
 */
export async function calendarBroadcastWorkflow(input: CalendarBroadcastInput): Promise<CalendarBroadcastProgress> {
  const progress: CalendarBroadcastProgress = { year: input.calendar.year, signalled: input.signalled ?? 0, done: false };
  setHandler(calendarBroadcastProgressQuery, () => progress);
  let pageToken = input.pageToken ?? null;
  for (let pages = 0; pages < (input.pagesPerRun ?? BROADCAST_PAGES_PER_RUN); pages++) {
    const page = await publishCalendarToPage({ calendar: input.calendar, actor: input.actor, pageToken, pageSize: input.pageSize ?? BROADCAST_PAGE_SIZE });
    progress.signalled += page.signalled;
    pageToken = page.nextPageToken;
    if (pageToken === null) {
      progress.done = true;
      return progress;
    }
  }
  return continueAsNew<typeof calendarBroadcastWorkflow>({ ...input, pageToken, signalled: progress.signalled });
}
