import type { ApplicationRow, EventRow, MatterRow, ProjectionBatch, ServiceRow, TaskRow } from '../../domain/projection';

/** Small builders of projection rows: a test names only the fields its rule is about. */

export function applicationRow(applicationId: string, overrides: Partial<ApplicationRow> = {}): ApplicationRow {
  return {
    applicationId,
    seq: 1,
    processCode: 'GOV_INVESTMENT',
    definitionHash: 'sha256:test',
    projectName: `项目 ${applicationId}`,
    applicantId: 'applicant-1',
    applicantName: '浏阳市教育局',
    startedBy: null,
    status: 'running',
    currentStage: 'S1',
    startedAt: '2026-01-05T09:00:00.000+08:00',
    endedAt: null,
    outcomeReason: null,
    governmentWorkingDays: 0,
    applicantDays: 0,
    specialProcedureDays: 0,
    calendarDays: 0,
    targetTotalDays: 90,
    ...overrides,
  };
}

export function matterRow(applicationId: string, code: string, overrides: Partial<MatterRow> = {}): MatterRow {
  return {
    applicationId,
    code,
    name: `事项 ${code}`,
    stage: 'S1',
    department: 'DRC',
    milestone: true,
    status: 'inProgress',
    level: 'normal',
    receivedAt: '2026-01-05T09:00:00.000+08:00',
    acceptedAt: '2026-01-05T09:00:00.000+08:00',
    dueOn: '2026-01-14',
    dueAt: '2026-01-15T00:00:00.000+08:00',
    timeLimitDays: 7,
    workingDaysUsed: 0,
    decidedAt: null,
    decision: null,
    onTime: null,
    supplementCount: 0,
    specialProcedureCount: 0,
    urgeCount: 0,
    extended: false,
    overdueSince: null,
    ...overrides,
  };
}

export function serviceRow(applicationId: string, contractId: string, overrides: Partial<ServiceRow> = {}): ServiceRow {
  return {
    applicationId,
    contractId,
    serviceType: contractId.split('#')[0]!,
    matters: ['LY01'],
    providerCode: 'P001',
    regulator: 'DRC',
    commissionedBy: 'owner',
    selection: 'direct',
    status: 'contracted',
    level: 'normal',
    contractedAt: '2026-01-06T10:00:00.000+08:00',
    committedDays: 10,
    dayKind: 'working',
    dueOn: '2026-01-20',
    deliveredAt: null,
    acceptedAt: null,
    closedAt: null,
    reworkCount: 0,
    calendarDays: null,
    onTime: null,
    ...overrides,
  };
}

/** An open verification of the matter's commitment, owed by DRC, unless told otherwise. */
export function taskRow(applicationId: string, matter: string, overrides: Partial<TaskRow> = {}): TaskRow {
  return {
    applicationId,
    matter,
    kind: 'verification',
    department: 'DRC',
    matterName: `事项 ${matter}`,
    stage: 'S1',
    assignee: null,
    round: null,
    startedAt: '2026-01-05T09:00:00.000+08:00',
    workingDays: 30,
    dueOn: '2026-02-13',
    dueAt: '2026-02-13T23:59:59.999+08:00',
    level: 'normal',
    status: 'open',
    overdueSince: null,
    doneAt: null,
    outcome: null,
    onTime: null,
    ...overrides,
  };
}

export function eventRow(applicationId: string, seq: number, overrides: Partial<EventRow> = {}): EventRow {
  return {
    applicationId,
    seq,
    at: `2026-01-05T09:${String(seq % 60).padStart(2, '0')}:00.000+08:00`,
    kind: 'note',
    actor: 'system',
    matter: null,
    stage: null,
    reason: null,
    data: null,
    ...overrides,
  };
}

/** Events seq from..to (inclusive) of plain kind 'note'. */
export function eventRows(applicationId: string, from: number, to: number): EventRow[] {
  const rows: EventRow[] = [];
  for (let seq = from; seq <= to; seq++) rows.push(eventRow(applicationId, seq));
  return rows;
}

export function batch(
  application: ApplicationRow,
  parts: { matters?: MatterRow[]; services?: ServiceRow[]; events?: EventRow[]; tasks?: TaskRow[] } = {},
): ProjectionBatch {
  return { application, matters: parts.matters ?? [], services: parts.services ?? [], events: parts.events ?? [], ...(parts.tasks ? { tasks: parts.tasks } : {}) };
}
