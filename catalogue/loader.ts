import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  calendarYearSchema,
  departmentsFileSchema,
  intermediaryFileSchema,
  mattersFileSchema,
  processSchema,
  zonesFileSchema,
  type CalendarYear,
  type Department,
  type Matter,
  type MatterRef,
  type Process,
  type Provider,
  type ServiceType,
  type Zone,
} from './schema';
import type { ProcessSnapshot, ResolvedMatter } from './snapshot';

/** The catalogue shipped with the code; DEFINITIONS_DIR points elsewhere. */
/** definitions/data of this checkout, from the source (catalogue/) or the build (dist/catalogue/). */
export const DEFAULT_DEFINITIONS_DIR = path.join(
  existsSync(path.resolve(__dirname, '..', 'package.json')) ? path.resolve(__dirname, '..') : path.resolve(__dirname, '..', '..'),
  'definitions',
  'data',
);

/** A load error names the file, the path inside it and the rule broken. */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';
  constructor(
    readonly file: string,
    readonly at: string,
    readonly rule: string,
  ) {
    super(`${file}: ${at || '(root)'}: ${rule}`);
  }
}

export interface Catalogue {
  /** sha256 of every definition file except calendars, which are published on their own. */
  hash: string;
  departments: Department[];
  matters: Matter[];
  serviceTypes: ServiceType[];
  providers: Provider[];
  processes: ProcessSnapshot[];
  zones: Zone[];
  calendars: CalendarYear[];
}

function formatPath(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

export function parseFile<S extends z.ZodType>(schema: S, file: string, text: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DefinitionError(file, '', `not valid JSON (${(e as Error).message})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DefinitionError(file, formatPath(issue.path), issue.message);
  }
  return parsed.data;
}

function readJson<S extends z.ZodType>(dir: string, rel: string, schema: S, hash?: ReturnType<typeof createHash>) {
  const text = readFileSync(path.join(dir, rel), 'utf8');
  hash?.update(`${rel}\0${text}\0`);
  return parseFile(schema, rel, text);
}

function jsonFiles(dir: string, sub: string): string[] {
  return readdirSync(path.join(dir, sub))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${sub}/${f}`);
}

function checkUnique(file: string, list: { code: string }[], at: string, what: string) {
  const seen = new Set<string>();
  list.forEach((x, i) => {
    if (seen.has(x.code)) throw new DefinitionError(file, `${at}[${i}].code`, `duplicate ${what} code ${x.code}`);
    seen.add(x.code);
  });
}

export function loadCalendars(dir: string = DEFAULT_DEFINITIONS_DIR): CalendarYear[] {
  const years = jsonFiles(dir, 'calendars').map((rel) => {
    const cal = readJson(dir, rel, calendarYearSchema);
    if (path.basename(rel) !== `${cal.year}.json`) throw new DefinitionError(rel, 'year', `file of year ${cal.year} must be named ${cal.year}.json`);
    return cal;
  });
  return years;
}

/** Loads and cross-checks the whole catalogue; throws DefinitionError on the first broken rule. */
export function loadCatalogue(dir: string = DEFAULT_DEFINITIONS_DIR): Catalogue {
  const hash = createHash('sha256');
  const { departments } = readJson(dir, 'departments.json', departmentsFileSchema, hash);
  checkUnique('departments.json', departments, 'departments', 'department');
  const deptCodes = new Set(departments.map((d) => d.code));

  const { serviceTypes, providers } = readJson(dir, 'intermediary.json', intermediaryFileSchema, hash);
  checkUnique('intermediary.json', serviceTypes, 'serviceTypes', 'service type');
  checkUnique('intermediary.json', providers, 'providers', 'provider');
  const typeCodes = new Set(serviceTypes.map((t) => t.code));
  serviceTypes.forEach((t, i) => {
    if (!deptCodes.has(t.regulator)) throw new DefinitionError('intermediary.json', `serviceTypes[${i}].regulator`, `unknown department ${t.regulator}`);
  });
  providers.forEach((p, i) => {
    if (!deptCodes.has(p.regulator)) throw new DefinitionError('intermediary.json', `providers[${i}].regulator`, `unknown department ${p.regulator}`);
    p.qualifications.forEach((q, j) => {
      if (!typeCodes.has(q.serviceType)) {
        throw new DefinitionError('intermediary.json', `providers[${i}].qualifications[${j}].serviceType`, `unknown intermediary service type ${q.serviceType}`);
      }
    });
  });

  const { zones } = readJson(dir, 'zones.json', zonesFileSchema, hash);
  checkUnique('zones.json', zones, 'zones', 'zone');
  zones.forEach((z, i) =>
    z.assessments.forEach((a, j) => {
      if (!typeCodes.has(a.serviceType)) throw new DefinitionError('zones.json', `zones[${i}].assessments[${j}].serviceType`, `unknown intermediary service type ${a.serviceType}`);
    }),
  );

  const { matters } = readJson(dir, 'matters.json', mattersFileSchema, hash);
  checkUnique('matters.json', matters, 'matters', 'matter');
  matters.forEach((m, i) => {
    const at = `matters[${i}]`;
    if (!deptCodes.has(m.department)) throw new DefinitionError('matters.json', `${at}.department`, `unknown department ${m.department}`);
    checkUnique('matters.json', m.materials, `${at}.materials`, 'material');
    m.intermediaryServices.forEach((s, j) => {
      const type = serviceTypes.find((t) => t.code === s);
      if (!type) throw new DefinitionError('matters.json', `${at}.intermediaryServices[${j}]`, `unknown intermediary service type ${s}`);
      if (!m.materials.some((x) => x.code === type.deliverable)) {
        throw new DefinitionError('matters.json', `${at}.intermediaryServices[${j}]`, `service ${s} delivers ${type.deliverable}, which is not on ${m.code}'s material list`);
      }
    });
    if (m.deferralDays !== undefined && m.deferralDays > m.timeLimitDays) {
      throw new DefinitionError('matters.json', `${at}.deferralDays`, `a 容缺 deferral of ${m.deferralDays} working days exceeds the matter's own limit of ${m.timeLimitDays}`);
    }
    m.joint?.participants.forEach((x, j) => {
      if (!deptCodes.has(x.department)) throw new DefinitionError('matters.json', `${at}.joint.participants[${j}].department`, `unknown department ${x.department}`);
      if (x.department === m.department) throw new DefinitionError('matters.json', `${at}.joint.participants[${j}].department`, `${x.department} leads ${m.code}; the lead is not also a participant`);
      if (x.opinionDays > m.timeLimitDays) {
        throw new DefinitionError('matters.json', `${at}.joint.participants[${j}].opinionDays`, `an opinion limit of ${x.opinionDays} working days exceeds the matter's own limit of ${m.timeLimitDays}`);
      }
    });
    if (m.joint) checkUnique('matters.json', m.joint.participants.map((x) => ({ code: x.department })), `${at}.joint.participants`, 'participant');
    if (m.joint && m.commitment) throw new DefinitionError('matters.json', `${at}.commitment`, `a joint matter is not decided on commitment`);
  });
  const byCode = new Map(matters.map((m) => [m.code, m]));

  const processFiles = jsonFiles(dir, 'processes');
  const raw = processFiles.map((rel) => ({ rel, process: readJson(dir, rel, processSchema, hash) }));
  const digest = hash.digest('hex');
  checkUnique('processes', raw.map((r) => r.process), 'processes', 'process');

  const ctx = { departments, serviceTypes, providers, byCode, deptCodes, hash: digest };
  const processes = raw.map(({ rel, process }) => resolveProcess(rel, process, ctx));
  return { hash: digest, departments, matters, serviceTypes, providers, processes, zones, calendars: loadCalendars(dir) };
}

interface ResolveContext {
  departments: Department[];
  serviceTypes: ServiceType[];
  providers: Provider[];
  byCode: Map<string, Matter>;
  deptCodes: Set<string>;
  hash: string;
}

function resolveProcess(file: string, p: Process, ctx: ResolveContext): Omit<ProcessSnapshot, 'calendars'> & { calendars: [] } {
  const placed = new Map<string, { at: string; stageIndex: number }>();
  const resolveRef = (ref: MatterRef, at: string, stage: string | null, stageLimit: number | null): ResolvedMatter => {
    const m = ctx.byCode.get(ref.code);
    if (!m) throw new DefinitionError(file, `${at}.code`, `unknown matter ${ref.code}`);
    if (placed.has(ref.code)) throw new DefinitionError(file, `${at}.code`, `matter ${ref.code} is placed twice in this process`);
    const timeLimitDays = ref.timeLimitDays ?? m.timeLimitDays;
    if (stageLimit !== null && timeLimitDays > stageLimit) {
      throw new DefinitionError(file, at, `matter ${ref.code}'s limit of ${timeLimitDays} working days exceeds its stage's limit of ${stageLimit}`);
    }
    const remedies = ref.remedies ?? m.remedies;
    return { ...m, timeLimitDays, prerequisites: ref.prerequisites ?? m.prerequisites, stage, milestone: ref.milestone, ...(remedies ? { remedies } : {}) };
  };

  const stages = p.stages.map((s, si) => {
    const at = `stages[${si}]`;
    if (!ctx.deptCodes.has(s.leadDepartment)) throw new DefinitionError(file, `${at}.leadDepartment`, `unknown department ${s.leadDepartment}`);
    const matters = s.matters.map((ref, mi) => {
      const r = resolveRef(ref, `${at}.matters[${mi}]`, s.code, s.timeLimitDays);
      placed.set(ref.code, { at: `${at}.matters[${mi}]`, stageIndex: si });
      return r;
    });
    if (!matters.some((m) => m.milestone)) throw new DefinitionError(file, `${at}.matters`, `stage ${s.code} has no milestone matter`);
    return { code: s.code, name: s.name, nameEn: s.nameEn, leadDepartment: s.leadDepartment, timeLimitDays: s.timeLimitDays, completion: s.completion, matters };
  });
  checkUnique(file, p.stages, 'stages', 'stage');
  p.intermediary.governmentCommissioned.forEach((t, i) => {
    if (!ctx.serviceTypes.some((x) => x.code === t)) throw new DefinitionError(file, `intermediary.governmentCommissioned[${i}]`, `unknown intermediary service type ${t}`);
  });
  const alongside = p.alongside.map((ref, i) => {
    const r = resolveRef(ref, `alongside[${i}]`, null, null);
    placed.set(ref.code, { at: `alongside[${i}]`, stageIndex: Number.POSITIVE_INFINITY });
    return r;
  });

  const all = [...stages.flatMap((s) => s.matters), ...alongside];
  for (const m of all) {
    const where = placed.get(m.code)!;
    m.prerequisites.forEach((pre, j) => {
      const target = placed.get(pre);
      if (!target) throw new DefinitionError(file, `${where.at}.prerequisites[${j}]`, `unknown prerequisite ${pre}: not a matter of this process`);
      if (!all.find((x) => x.code === pre)!.milestone) {
        throw new DefinitionError(file, `${where.at}.prerequisites[${j}]`, `prerequisite ${pre} is not a milestone: its output may never exist`);
      }
      if (target.stageIndex > where.stageIndex) {
        throw new DefinitionError(file, `${where.at}.prerequisites[${j}]`, `prerequisite ${pre} comes in a later stage than ${m.code}`);
      }
    });
  }
  const cycle = findCycle(all);
  if (cycle) throw new DefinitionError(file, placed.get(cycle[0]!)!.at, `prerequisite cycle ${cycle.join(' → ')}`);

  return {
    definitionHash: ctx.hash,
    code: p.code,
    name: p.name,
    nameEn: p.nameEn,
    targetTotalDays: p.targetTotalDays,
    intakeLimitDays: p.intakeLimitDays,
    warning: p.warning,
    escalation: p.escalation,
    intermediary: p.intermediary,
    stages,
    alongside,
    departments: Object.fromEntries(ctx.departments.map((d) => [d.code, d])),
    serviceTypes: Object.fromEntries(ctx.serviceTypes.map((t) => [t.code, t])),
    providers: ctx.providers,
    calendars: [],
  };
}

/** A prerequisite cycle as the list of codes that close it, or null. */
export function findCycle(matters: { code: string; prerequisites: string[] }[]): string[] | null {
  const deps = new Map(matters.map((m) => [m.code, m.prerequisites]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (code: string): string[] | null => {
    if (state.get(code) === 'done') return null;
    if (state.get(code) === 'visiting') return [...stack.slice(stack.indexOf(code)), code];
    state.set(code, 'visiting');
    stack.push(code);
    for (const d of deps.get(code) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(code, 'done');
    return null;
  };
  for (const m of matters) {
    const c = visit(m.code);
    if (c) return c;
  }
  return null;
}

/** The snapshot an application starts on: its process plus the calendars in force. */
export function snapshotFor(catalogue: Catalogue, processCode: string): ProcessSnapshot | undefined {
  const p = catalogue.processes.find((x) => x.code === processCode);
  return p && { ...p, calendars: catalogue.calendars };
}
