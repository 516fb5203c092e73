import type { Pool } from 'pg';
import { allMatters } from '../../catalogue/snapshot';
import type { Application } from '../../domain/application/core';
import { applicationFromStore } from '../../domain/projection';
import { actorLabel } from '../../domain/application/checks';
import type { SpecialProcedureKind } from '../../catalogue/schema';
import { SYSTEM, type ClockStop, type ContractState, type MatterState, type ServiceState } from '../../domain/types';
import { projectedApplication } from '../queries';
import { HANDLING_STEP, stopStepCodes, emptyTables, spglDate, spglDatetime, type SpglRow, type SpglTables } from './standard';

/**
 * Rows of the SPGL exchange tables for one application, from its state as the read model holds it
 * (docs/spgl.md says which fields we fill and from what). Every row is valid (SJYXBS = 1) and
 * carries the instant of the state change it reports as GXSJ; the stored exchange (store.ts) builds
 * its corrections and incremental pulls on these keys (DFSJZJ), stable across exports of the same state.
 */

export interface SpglExportOptions {
  /** 行政区划代码 of the reporting system (six digits). */
  regionCode: string;
}

/** A matter's clock stop as the engine holds it, for the checker to reconcile special-procedure rows with. */
export interface ExportedStop {
  /** 审批事项实例编码 of the matter. */
  matterInstance: string;
  kind: ClockStop['kind'];
  from: string;
  to: string | null;
}

/** A contract as the engine holds it, for the checker to reconcile intermediary rows with. */
export interface ExportedContract {
  /** 中介服务事项实例编码 of the contract. */
  contractInstance: string;
  /** When it was contracted (its start). */
  start: string;
  /** The committed days and their kind, from which the committed due date counts. */
  committedDays: number;
  dayKind: 'working' | 'calendar';
  /** When it ended: its deliverable accepted, or the contract terminated or cancelled; null while it runs. */
  end: string | null;
}

export interface SpglExport {
  tables: SpglTables;
  stops: ExportedStop[];
  contracts: ExportedContract[];
}

const PROCEDURE: Record<SpecialProcedureKind, { code: number; name: string }> = {
  siteInspection: { code: 2, name: '现场勘查' },
  expertReview: { code: 3, name: '专家评审' },
  hearing: { code: 4, name: '听证' },
  publicNotice: { code: 5, name: '公示' },
};
/** TBCX 其他: a hold or a rectification stops the clock as a special procedure does; the standard has no kind for either. */
const OTHER_PROCEDURE = 8;
/**
 * 审批流程类型 (SPLCLX) of a process. The national list has ten kinds by what is built; ours are by who
 * invests: government investment is reported as 1 (房屋建筑类), the social-investment processes as 3 (一般社会投资).
 */
const processType = (code: string) => (code.startsWith('GOV') ? 1 : 3);
/** TBCXMC: the procedure's name, then the reason (without the name again where the reason starts with it). */
const procedureName = (name: string, reason: string) => `${name}：${reason.startsWith(name) ? reason.slice(name.length).replace(/^[:：]\s*/, '') : reason}`;
const OTHER_STOP_NAME: Record<'rectification' | 'hold', string> = { rectification: '整改', hold: '暂停（前置审批结果撤销）' };
const CONTRACT_STEP = { contracted: '1', delivered: '2', returned: '3', accepted: '4', terminated: '5', cancelled: '6' } as const;
/** 附件分类 of an application material's file (aplan writes 1). */
const APPLICATION_MATERIAL = 1;
const WORKING_DAYS = 1;
const CALENDAR_DAYS = 2;

/** Actors as the engine labels them in its state and audit trail (`officer officer-eeb (EEB)`). */
const SYSTEM_LABEL = actorLabel(SYSTEM);

const valid = (at: number): SpglRow => ({ SJYXBS: 1, SJWXYY: null, SBYY: null, GXSJ: spglDatetime(at) });

export const matterInstanceOf = (applicationId: string, matter: string) => `${applicationId}/${matter}`;
export const contractInstanceOf = (applicationId: string, contractId: string) => `${applicationId}/${contractId}`;

/** The SPGL rows of one application. */
export function exportApplication(app: Application, options: SpglExportOptions): SpglExport {
  const { state, snapshot } = app;
  const id = state.input.applicationId;
  const tables = emptyTables();
  const stops: ExportedStop[] = [];
  const contracts: ExportedContract[] = [];
  const base = { XZQHDM: options.regionCode };
  // 项目代码 from the investment-project platform when the application holds it, else its own id.
  const projectCode = state.input.projectCode ?? id;
  const unitCode = state.input.applicantCreditCode ?? state.input.applicant.id;
  const processVersion = 1;
  const definitions = new Map(allMatters(snapshot).map((d) => [d.code, d]));
  const departmentName = (code: string) => snapshot.departments[code]?.name ?? code;
  /** 并联审批实例编码: the stage's instance, when the stage has several matters. */
  const parallelInstance = (m: MatterState): string | null => {
    const stageMatters = m.stage === null ? 0 : (snapshot.stages.find((s) => s.code === m.stage)?.matters.length ?? 0);
    return stageMatters > 1 ? `${id}/${m.stage}` : null;
  };
  /** Who did a thing the state records without its actor: the audit event of that kind, matter and instant. */
  const eventOf = (matter: string, kinds: readonly string[], at: number) => state.events.find((e) => e.matter === matter && e.at === at && kinds.includes(e.kind));
  const actorOf = (matter: string, kinds: readonly string[], at: number): string => eventOf(matter, kinds, at)?.actor ?? SYSTEM_LABEL;
  /** Why a thing the state records without its reason happened: that audit event's reason. */
  const noteOf = (matter: string, kinds: readonly string[], at: number): string => eventOf(matter, kinds, at)?.reason ?? '';

  exportProcess(tables, app, options);
  const ended = state.outcome;
  tables.XMJBXXB.push({
    DFSJZJ: id,
    ...base,
    XMDM: projectCode,
    XMMC: state.input.projectName,
    GCDM: projectCode,
    GCFW: state.input.projectName,
    QJDGCDM: null,
    XMTZLY: null,
    TDHQFS: null,
    TDSFDSJFA: null,
    SFWCQYPG: Object.values(state.services ?? {}).some((s) => s.waiver !== null) ? 1 : 0,
    SPLCLX: processType(snapshot.code),
    LXLX: null,
    GCFL: null,
    JSXZ: null,
    XMZJSX: null,
    GBHYDMFBND: null,
    GBHY: null,
    NKGSJ: null,
    NJCSJ: null,
    XMSFWQBJ: state.status === 'completed' ? 1 : 0,
    XMWQBJSJ: state.status === 'completed' && ended ? spglDatetime(ended.at) : null,
    ZTZE: null,
    JSDDXZQH: null,
    JSDD: null,
    XMJSDDX: null,
    XMJSDDY: null,
    JSGMJNR: null,
    YDMJ: null,
    JZMJ: null,
    SBSJ: spglDatetime(state.startedAt),
    SPLCBM: snapshot.code,
    SPLCBBH: processVersion,
    ...valid(ended ? ended.at : state.startedAt),
  });
  tables.XMDWXXB.push({
    DFSJZJ: `${id}/applicant`,
    ...base,
    GCDM: projectCode,
    XMDM: projectCode,
    DWTYSHXYDM: unitCode,
    DWMC: state.input.applicant.name,
    DWLX: 1,
    ...valid(state.startedAt),
  });

  const exported = new Set<string>();
  for (const m of Object.values(state.matters)) {
    if (m.receivedAt === null) continue;
    exported.add(m.code);
    const def = definitions.get(m.code);
    const instance = matterInstanceOf(id, m.code);
    const steps = stepsOf(m, actorOf, noteOf);
    tables.XMSPSXBLXXB.push({
      DFSJZJ: instance,
      ...base,
      GCDM: projectCode,
      SPSXBM: m.code,
      SPSXBBH: 1,
      SPLCBM: snapshot.code,
      SPLCBBH: processVersion,
      SPSXSLBM: instance,
      SPBMBM: m.department,
      SPBMMC: departmentName(m.department),
      SLFS: 1,
      GKFS: 1,
      BLSPSLBM: parallelInstance(m),
      SXBLSX: (def?.timeLimitDays ?? 0) + (m.extension?.days ?? 0),
      ...valid(Math.max(...steps.map((s) => s.at))),
    });
    for (const s of steps) {
      tables.XMSPSXBLXXXXB.push({
        DFSJZJ: `${instance}/${s.key}`,
        ...base,
        GCDM: projectCode,
        SPSXSLBM: instance,
        BLCS: departmentName(m.department),
        BLR: s.by,
        BLZT: s.code,
        BLYJ: s.note || null,
        BLSJ: spglDatetime(s.at),
        ...valid(s.at),
      });
    }
    m.stops.forEach((stop, i) => {
      stops.push({ matterInstance: instance, kind: stop.kind, from: spglDatetime(stop.from), to: stop.to === null ? null : spglDatetime(stop.to) });
      // A supplement is reported by its handling steps (补正 6 and 7) alone; every other stop of the clock is a special procedure.
      if (stop.kind === 'supplement') return;
      const procedure = stop.kind === 'specialProcedure' && stop.procedure ? PROCEDURE[stop.procedure] : null;
      tables.XMSPSXBLTBCXXXB.push({
        DFSJZJ: `${instance}/stop-${i + 1}`,
        ...base,
        GCDM: projectCode,
        SPSXSLBM: instance,
        TBCX: procedure?.code ?? OTHER_PROCEDURE,
        TBCXMC: procedureName(procedure?.name ?? (stop.kind === 'specialProcedure' ? '特别程序' : OTHER_STOP_NAME[stop.kind]), stop.reason),
        TBCXKSSJ: spglDatetime(stop.from),
        TBCXSXLX: WORKING_DAYS,
        TBCXSX: stop.expectedWorkingDays ?? null,
        ...valid(stop.from),
      });
    });
    if (m.decision?.kind === 'approved' && m.decision.result && m.resultIssuedAt !== null) {
      tables.XMSPSXPFWJXXB.push({
        DFSJZJ: `${instance}/result`,
        ...base,
        GCDM: projectCode,
        SPSXSLBM: instance,
        PFRQ: spglDate(m.resultIssuedAt),
        PFWH: m.decision.result.number,
        PFWJBT: m.decision.result.title,
        PFWJYXQX: '9999-01-01',
        FJMC: null,
        FJLX: null,
        FJID: null,
        ...valid(m.resultIssuedAt),
      });
    }
  }

  for (const service of Object.values(state.services ?? {})) {
    const waiting = service.matters.find((code) => exported.has(code));
    for (const contract of service.contracts) {
      const instance = contractInstanceOf(id, contract.contractId);
      const steps = contractStepsOf(service, contract, (kinds, at) => state.events.find((e) => e.at === at && kinds.includes(e.kind))?.actor ?? SYSTEM_LABEL);
      const end = contract.status === 'accepted' ? service.acceptedAt : contract.status === 'terminated' || contract.status === 'cancelled' ? contract.closedAt : null;
      contracts.push({ contractInstance: instance, start: spglDatetime(contract.contractedAt), committedDays: contract.committedDays, dayKind: contract.dayKind, end: end === null ? null : spglDatetime(end) });
      tables.ZJFWSXBLXXB.push({
        DFSJZJ: instance,
        ...base,
        XMDM: projectCode,
        ZJFWSXMC: snapshot.serviceTypes[service.serviceType]?.name ?? service.serviceType,
        ZJFWSXBM: service.serviceType,
        DYBZZJFWSXBM: null,
        ZJFWSXSLBM: instance,
        SPSXSLBM: waiting ? matterInstanceOf(id, waiting) : null,
        BLSX: contract.committedDays,
        SXLX: contract.dayKind === 'working' ? WORKING_DAYS : CALENDAR_DAYS,
        ZJJGDM: contract.provider,
        ZJJGMC: snapshot.providers.find((p) => p.code === contract.provider)?.name ?? contract.provider,
        WTR: service.commissionedBy === 'owner' ? state.input.applicant.name : '政府',
        WTRDM: service.commissionedBy === 'owner' ? unitCode : null,
        ...valid(Math.max(...steps.map((s) => s.at))),
      });
      for (const s of steps) {
        tables.ZJFWSXBLGCXXB.push({
          DFSJZJ: `${instance}/${s.key}`,
          ...base,
          XMDM: projectCode,
          ZJFWSXSLBM: instance,
          BLZT: s.code,
          BLR: s.by,
          BLYJ: s.note || null,
          BLSJ: spglDatetime(s.at),
          FJMC: null,
          FJID: null,
          ...valid(s.at),
        });
      }
    }
  }
  // 项目其他附件: a document belongs to a matter instance (SPSXSLBM is required): the matter that was
  // owed its material when it came, else the first received matter that lists the material. A
  // document no received matter lists waits for one.
  const received = Object.values(state.matters)
    .filter((m) => m.receivedAt !== null)
    .sort((a, b) => a.receivedAt! - b.receivedAt!);
  (state.documents ?? []).forEach((doc, i) => {
    const owed = doc.matters.map((code) => state.matters[code]).find((m) => m !== undefined && m.receivedAt !== null);
    const matter = owed ?? received.find((m) => definitions.get(m.code)?.materials.some((x) => x.code === doc.material));
    if (!matter) return;
    tables.XMQTFJXXB.push({
      DFSJZJ: `${id}/doc-${i + 1}`,
      ...base,
      GCDM: projectCode,
      SPSXSLBM: matterInstanceOf(id, matter.code),
      BLSPSLBM: parallelInstance(matter),
      FJID: doc.ref,
      FJMC: doc.name,
      FJFL: APPLICATION_MATERIAL,
      FJLX: doc.type ?? null,
      ...valid(doc.suppliedAt),
    });
  });
  return { tables, stops, contracts };
}

/** The standard stage a matter beside the stages (并行推进) belongs to. */
const ALONGSIDE_STAGE = 5;

/**
 * The rows of the process version the application runs on (its snapshot), so the application's
 * rows can be checked against them. Every application on the same snapshot yields the same rows
 * and keys; GXSJ is when this application took the snapshot.
 */
function exportProcess(tables: SpglTables, app: Application, options: SpglExportOptions): void {
  const { snapshot, state } = app;
  const version = `${snapshot.code}@${snapshot.definitionHash}`;
  const base = { XZQHDM: options.regionCode, SPLCBM: snapshot.code, SPLCBBH: 1 };
  tables.DFXMSPLCXXB.push({
    DFSJZJ: version,
    ...base,
    SPLCMC: snapshot.name,
    SPLCSXSJ: null,
    SPLCLX: processType(snapshot.code),
    SPLCSM: null,
    FJMC: null,
    FJLX: null,
    FJID: null,
    ...valid(state.startedAt),
  });
  const stages = [
    ...snapshot.stages.map((s, i) => ({ code: s.code, name: s.name, order: i + 1, limit: s.timeLimitDays, matters: s.matters })),
    ...(snapshot.alongside.length ? [{ code: 'ALONGSIDE', name: '并行推进', order: ALONGSIDE_STAGE, limit: null, matters: snapshot.alongside }] : []),
  ];
  for (const stage of stages) {
    tables.DFXMSPLCJDXXB.push({
      DFSJZJ: `${version}/${stage.code}`,
      ...base,
      SPJDBM: stage.code,
      SPJDMC: stage.name,
      SPJDXH: stage.order,
      DYBZSPJDXH: stage.order,
      SPJDSX: stage.limit,
      LCBSXLX: null,
      ...valid(state.startedAt),
    });
    for (const m of stage.matters) {
      tables.DFXMSPLCJDSXXXB.push({
        DFSJZJ: `${version}/${m.code}`,
        ...base,
        SPJDXH: stage.order,
        SPSXBM: m.code,
        SPSXBBH: 1,
        SPSXMC: m.name,
        DYBZSPSXBM: null,
        SFSXGZCNZ: m.commitment ? 1 : 0,
        BJLX: null,
        SQDX: null,
        BLJGSDFS: null,
        SPSXBLSX: m.timeLimitDays,
        SPBMBM: m.department,
        SPBMMC: snapshot.departments[m.department]?.name ?? m.department,
        SFLCBSX: m.milestone ? 1 : 0,
        ...valid(state.startedAt),
      });
    }
  }
}

/** 办结 as the standard codes it: approved (with 容缺 items when some were deferred), not approved, withdrawn by the applicant, or ended otherwise (撤销). */
function decisionStep(m: MatterState): number {
  switch (m.decision!.kind) {
    case 'approved':
      return m.deferred.length > 0 ? HANDLING_STEP.approvedWithDeferred : HANDLING_STEP.approved;
    case 'rejected':
      return HANDLING_STEP.rejected;
    case 'withdrawn':
      return HANDLING_STEP.withdrawn;
    case 'terminated':
    case 'cancelled':
      return HANDLING_STEP.revoked;
  }
}

interface Step<C> {
  /** Unique within its matter or contract, the same in every export of the same state. */
  key: string;
  code: C;
  at: number;
  by: string;
  note: string;
}

/** A matter's handling steps, in order, from its state. */
type EventLookup = (matter: string, kinds: readonly string[], at: number) => string;

/** The audit events that end a clock stop: a supply, the end of a special procedure, a lifted hold, a rectification handed in. */
const STOP_ENDS = ['clockRestarted', 'specialProcedureEnded', 'materialsSupplied', 'holdLifted', 'rectificationSubmitted'] as const;

function stepsOf(m: MatterState, actorOf: EventLookup, noteOf: EventLookup): Step<number>[] {
  const steps: Step<number>[] = [];
  if (m.receivedAt !== null) steps.push({ key: 'received', code: HANDLING_STEP.received, at: m.receivedAt, by: actorOf(m.code, ['received'], m.receivedAt), note: '' });
  if (m.acceptedAt !== null)
    steps.push({ key: 'accepted', code: HANDLING_STEP.accepted, at: m.acceptedAt, by: actorOf(m.code, ['accepted', 'intakeConfirmed', 'intakeDeemedAccepted'], m.acceptedAt), note: m.acceptance ?? '' });
  m.stops.forEach((stop, i) => {
    const codes = stopStepCodes(stop.kind);
    // A hold is the engine's own act; who found the prerequisite's commitment false, at that instant, is who caused it.
    const causedBy = stop.kind === 'hold' && stop.source ? actorOf(stop.source, ['commitmentFalse'], stop.from) : SYSTEM_LABEL;
    steps.push({ key: `stop-${i + 1}-start`, code: codes.start, at: stop.from, by: causedBy !== SYSTEM_LABEL ? causedBy : stop.by, note: stop.reason });
    if (stop.to !== null)
      steps.push({ key: `stop-${i + 1}-end`, code: codes.end, at: stop.to, by: actorOf(m.code, STOP_ENDS, stop.to), note: noteOf(m.code, STOP_ENDS, stop.to) });
  });
  // An extension has no handling step in the standard: the matter row's SXBLSX carries it.
  if (m.decision) steps.push({ key: 'decided', code: decisionStep(m), at: m.decision.at, by: m.decision.by, note: m.decision.reason || m.decision.kind });
  return steps.sort((a, b) => a.at - b.at);
}

/** A contract's steps, in order, from its state. */
function contractStepsOf(service: ServiceState, c: ContractState, actorOf: (kinds: readonly string[], at: number) => string): Step<string>[] {
  const steps: Step<string>[] = [{ key: 'contracted', code: CONTRACT_STEP.contracted, at: c.contractedAt, by: actorOf(['contracted', 'providerReplaced'], c.contractedAt), note: c.selection.method }];
  c.deliveries.forEach((d, i) => steps.push({ key: `delivered-${i + 1}`, code: CONTRACT_STEP.delivered, at: d.at, by: d.by, note: d.note }));
  c.returns.forEach((r, i) => steps.push({ key: `returned-${i + 1}`, code: CONTRACT_STEP.returned, at: r.at, by: r.by, note: r.reasons.join('；') }));
  if (c.status === 'accepted' && service.acceptedAt !== null) steps.push({ key: 'accepted', code: CONTRACT_STEP.accepted, at: service.acceptedAt, by: actorOf(['deliverableAccepted', 'serviceSuppliedByApplicant'], service.acceptedAt), note: '' });
  if ((c.status === 'terminated' || c.status === 'cancelled') && c.closedAt !== null)
    steps.push({ key: 'closed', code: CONTRACT_STEP[c.status], at: c.closedAt, by: actorOf(['contractClosed', 'providerReplaced'], c.closedAt), note: c.closeReason ?? '' });
  return steps.sort((a, b) => a.at - b.at);
}

/** The SPGL rows of one application as the read model holds it; null when it holds nothing of it yet. */
export async function exportFromReadModel(pool: Pool, applicationId: string, options: SpglExportOptions): Promise<SpglExport | null> {
  const projected = await projectedApplication(pool, applicationId);
  return projected ? exportApplication(applicationFromStore(projected.stored), options) : null;
}
