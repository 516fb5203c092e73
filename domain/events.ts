/**
 * Every kind of audit event an application records, in one list: the audit trail, the read
 * model's `events.kind` and the webhook `type` all use these names, and a webhook subscription
 * may name only these (or `*`). A unit test drives the engine and fails if it records a kind
 * missing here.
 */
export const EVENT_KINDS = [
  'applicationStarted',
  'servicesIdentified',
  'stageStarted',
  'received',
  'missingNotice',
  'intakeConfirmed',
  'intakeDeemedAccepted',
  'waitingPrerequisites',
  'accepted',
  'materialsSupplied',
  'supplementRequested',
  'clockStopped',
  'clockRestarted',
  'specialProcedureStarted',
  'specialProcedureEnded',
  'extended',
  'levelChanged',
  'urged',
  'escalated',
  'urgeRefused',
  'escalationRefused',
  'approved',
  'resultHeld',
  'resultIssued',
  'rejected',
  'terminated',
  'cancelled',
  'stageCompleted',
  'contracted',
  'providerReplaced',
  'delivered',
  'deliverableReturned',
  'deliverableAccepted',
  'contractClosed',
  'serviceLevelChanged',
  'serviceSuppliedByApplicant',
  'calendarPublished',
  // A deadline the published year moved (a provisional year replaced by the official one, 暂定 → 正式)
  'deadlineMoved',
  // 告知承诺制
  'commitmentMade',
  'verificationStarted',
  'verificationLevelChanged',
  'commitmentConfirmed',
  'commitmentFalse',
  'resultRevoked',
  'dependentFlagged',
  'dependentHeld',
  'holdLifted',
  'creditRecorded',
  // Joint matters (联合审图 / 联合验收 / 多测合一)
  'sessionScheduled',
  'sessionMoved',
  'opinionGiven',
  'opinionDeemedConsent',
  'opinionLevelChanged',
  'opinionsComplete',
  'rectificationRequested',
  'rectificationSubmitted',
  // Work assigned to officers
  'assigned',
  'returnedToPool',
  // Remedies
  'withdrawalReminder',
  'deemedWithdrawn',
  'withdrawn',
  'applicationRejected',
  'applicationCompleted',
] as const;

export type EventKind = (typeof EVENT_KINDS)[number];

const KINDS: ReadonlySet<string> = new Set(EVENT_KINDS);

export function isEventKind(kind: string): kind is EventKind {
  return KINDS.has(kind);
}
