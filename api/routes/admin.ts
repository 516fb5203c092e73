import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { calendarYearSchema } from '../../catalogue/schema';
import { DEFAULT_DEFINITIONS_DIR } from '../../catalogue/loader';
import { publishCalendarSignal } from '../../workflows/messages';
import { actorOf } from '../auth';
import type { CatalogueHolder } from '../catalogue-holder';
import type { OperationRegistry } from '../operation';

/** What publishing the definitions answers: the version new applications start on, whether it is new, every version this process published. */
export interface DefinitionsPublished {
  definitionHash: string;
  changed: boolean;
  versions: ReturnType<CatalogueHolder['history']>;
}

/** What publishing a calendar year answers. */
export interface CalendarPublished {
  year: number;
  notice: string;
  runningApplicationsSignalled: number;
}

/**
 * Publishing without stopping anything: a new definition version applies to applications
 * started afterwards; a calendar is written to the definitions, then signalled to every
 * running application, which recomputes its open deadlines.
 */
export function registerAdmin(api: OperationRegistry, deps: { client: Client; catalogue: CatalogueHolder; definitionsDir?: string }): void {
  const dir = deps.definitionsDir ?? DEFAULT_DEFINITIONS_DIR;

  api.add(
    { method: 'post', path: '/admin/definitions/reload', tag: 'admin', summary: 'Publish the definitions as a new version', roles: ['admin'] },
    (): DefinitionsPublished => {
      const before = deps.catalogue.current.hash;
      const next = deps.catalogue.reload();
      return { definitionHash: next.hash, changed: next.hash !== before, versions: deps.catalogue.history() };
    },
  );

  api.add(
    { method: 'post', path: '/admin/calendars', tag: 'admin', summary: "Publish a year's working-day calendar", roles: ['admin'], body: calendarYearSchema },
    async ({ principal, body }): Promise<CalendarPublished> => {
      writeFileSync(path.join(dir, 'calendars', `${body.year}.json`), `${JSON.stringify(body, null, 2)}\n`);
      deps.catalogue.reload();
      let signalled = 0;
      for await (const wf of deps.client.workflow.list({ query: `WorkflowType = 'applicationWorkflow' AND ExecutionStatus = 'Running'` })) {
        await deps.client.workflow.getHandle(wf.workflowId).signal(publishCalendarSignal, { actor: actorOf(principal), calendar: body });
        signalled++;
      }
      return { year: body.year, notice: body.source.number, runningApplicationsSignalled: signalled };
    },
  );
}
