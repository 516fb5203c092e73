import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../api/app';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { createLogger } from '../../api/log';
import type { Operation } from '../../api/operation';
import { loadCatalogue, snapshotFor } from '../../catalogue/loader';
import { officerToken, principals, startApi, TOKENS, type RunningApi } from '../helpers/api';
import { buildRequest, describeRequest, excerpt, isDestructive, type Caller, type FuzzRequest, type Targets, type Vocabulary } from '../helpers/hostile';
import { sendRaw, type RawResponse } from '../helpers/raw-http';
import { apiSuite } from '../helpers/suite';
import { catalogue } from '../helpers/temporal';

/**
 * Hostile input, derived from every operation's declared schemas, sent by every kind of caller
 * against a running application: the API answers a client's mistake as a 4xx problem naming
 * the field or rule, never a 5xx, never echoes what it was sent at length, and nothing a caller
 * sends ends or corrupts an application or stops the worker.
 *
 * FUZZ_SEED replays a run's requests; FUZZ_RUNS sets the number of batches of BATCH requests.
 */
const TASK_QUEUE = 'e2e-fuzz';
const BATCH = 8;
const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const REQUEST_TIMEOUT_MS = 20_000;
const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;
const MAX_PROBLEM_BYTES = 16 * 1024;
const ECHO_WINDOW = 201;

const gov = snapshotFor(catalogue, 'GOV_INVESTMENT')!;
const stage1 = gov.stages[0]!;
const stage1Materials = [...new Set(stage1.matters.flatMap((m) => m.materials.map((x) => x.code)))];

const vocab: Vocabulary = {
  processes: catalogue.processes.map((p) => p.code),
  stages: [...new Set(catalogue.processes.flatMap((p) => p.stages.map((s) => s.code)))],
  matters: catalogue.matters.map((m) => m.code),
  stage1Matters: stage1.matters.map((m) => m.code),
  mattersByDepartment: [...gov.stages.flatMap((s) => s.matters), ...gov.alongside].reduce<Record<string, string[]>>((acc, m) => ({ ...acc, [m.department]: [...(acc[m.department] ?? []), m.code] }), {}),
  materials: [...new Set(catalogue.matters.flatMap((m) => m.materials.map((x) => x.code)))],
  stage1Materials,
  departments: catalogue.departments.map((d) => d.code),
  serviceTypes: catalogue.serviceTypes.map((s) => s.code),
  providers: catalogue.providers.map((p) => p.code),
  zones: catalogue.zones.map((z) => z.code),
  applicants: ['ent-001', 'ent-002'],
};

const bearer = (token: string) => `Bearer ${token}`;
/** Every role of the test principals, officers of a few departments (WSC: a utility), no token and bad tokens. */
const CALLERS: Caller[] = [
  { label: 'applicant', role: 'applicant', authorizations: [bearer(TOKENS.applicant)] },
  { label: 'other applicant', role: 'applicant', authorizations: [bearer(TOKENS.otherApplicant)] },
  { label: 'agent', role: 'agent', authorizations: [bearer(TOKENS.agent)] },
  { label: 'supervisor', role: 'supervisor', authorizations: [bearer(TOKENS.supervisor)] },
  { label: 'integrator', role: 'integrator', authorizations: [bearer(TOKENS.integrator)] },
  { label: 'admin', role: 'admin', authorizations: [bearer(TOKENS.admin)] },
  { label: 'provider', role: 'provider', authorizations: [bearer(TOKENS.providerGreen)] },
  ...[stage1.leadDepartment, 'NRP', 'EEB', 'WSC'].map((d): Caller => ({ label: `officer ${d}`, role: 'officer', department: d, authorizations: [bearer(officerToken(d))] })),
  { label: 'no token', authorizations: [undefined] },
  {
    label: 'bad token',
    authorizations: ['Bearer tok-nope-xxxxxxxxxxxxxxxx', 'Bearer not-a-token', `Bearer ${TOKENS.applicant}x`, 'Basic YWRtaW46YWRtaW4=', `Token ${TOKENS.admin}`],
  },
];

const operations: Operation[] = createApi({ client: {} as never, pool: {} as never, catalogue: new CatalogueHolder(catalogue), taskQueue: 'x', principals }).operations;

interface Violation {
  rule: string;
  /** What makes two violations the same class. */
  group: string;
  req: FuzzRequest;
  res: RawResponse;
  note: string;
}

/** Naming what a 5xx followed when the server logged nothing for it: the HTTP framing first, then the path, then the rest. */
const FRAMING = ['wrong-method', 'gzip-lie', 'unknown-encoding', 'charset-latin1', 'body-over-1mb', 'invalid-utf8', 'invalid-json', 'content-type', 'query-100kb', 'duplicate-query', 'raw-segment'];
const rank = (m: { kind: string; where: string }) => FRAMING.indexOf(m.kind) + 1 || (m.where.startsWith('path.') ? 50 : 99);
const primaryMutation = (r: FuzzRequest) => {
  const m = [...r.mutations].sort((a, b) => rank(a) - rank(b))[0];
  return m ? `${m.kind}${m.where.startsWith('path.') ? ' in the path' : ''}` : 'none';
};

/** The stable parts of an application: what a rejected request must not change. */
function stableView(v: any): Record<string, string> {
  const out: Record<string, string> = { status: String(v.status), currentStage: String(v.currentStage) };
  for (const s of v.stages ?? []) {
    out[`stage ${s.code}`] = s.status;
    for (const m of s.matters) out[`matter ${m.code}`] = JSON.stringify({ status: m.status, decision: m.decision });
  }
  for (const m of v.alongside ?? []) out[`matter ${m.code}`] = JSON.stringify({ status: m.status, decision: m.decision });
  for (const s of v.services ?? []) out[`service ${s.serviceType}`] = s.status;
  return out;
}

function problemOf(res: RawResponse): any {
  try {
    return JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function stringLeaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => stringLeaves(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => stringLeaves(x, out));
  return out;
}

function describeResponse(res: RawResponse): string {
  if (res.failure) return `no response: ${res.failure} (after ${res.ms} ms)`;
  return `${res.status} ${res.headers['content-type'] ?? '(no content-type)'} (${res.body.length} bytes): ${excerpt(res.body.toString('utf8'), 400)}`;
}

/** Every rule a response must keep, whatever was sent; `cause` is the error the server logged for it, if any. */
function check(req: FuzzRequest, res: RawResponse, cause?: string): Violation[] {
  const out: Violation[] = [];
  const op = `${req.op.method.toUpperCase()} ${req.op.path}`;
  const add = (rule: string, group: string, note = '') => out.push({ rule, group, req, res, note });
  if (res.failure || res.status === 0) {
    add('no response', `no response: ${(res.failure ?? 'none').replace(/\d+/g, 'N')}`);
    return out;
  }
  if (res.bytes > MAX_RESPONSE_BYTES) add('response over 2 MB', `response over 2 MB: ${op}`);
  const problem = problemOf(res);
  const title = typeof problem?.title === 'string' ? problem.title : '';
  if (res.status >= 500) add('5xx', `${res.status} ${title}: ${cause ?? `after ${primaryMutation(req)}`}`, cause ? `server logged: ${cause}` : '');
  if (res.status >= 400 && res.status < 500) {
    const type = res.headers['content-type'] ?? '';
    if (!/^application\/problem\+json\b/.test(type)) {
      add('4xx not problem+json', `${res.status} answered as ${type.split(';')[0] || 'no content-type'}${res.body.length ? '' : ', empty body'}`);
    } else if (!problem || typeof problem !== 'object') {
      add('4xx not problem+json', `${res.status} problem+json that does not parse`);
    } else {
      if (problem.status !== res.status) add('problem status differs', `${res.status} with body status ${String(problem.status)}`);
      const hasCode = typeof problem.code === 'string' && problem.code.trim() !== '';
      const errors = problem.errors;
      const hasErrors =
        Array.isArray(errors) && errors.length > 0 && errors.every((e: any) => typeof e?.field === 'string' && e.field !== '' && typeof e?.message === 'string' && e.message !== '');
      if (!hasCode && !hasErrors) add('4xx names no field or rule', `${res.status} "${title}" without code or errors`, excerpt(String(problem.detail ?? ''), 120));
    }
    if (res.body.length > MAX_PROBLEM_BYTES) add('4xx body over 16 KB', `${res.status} body over 16 KB: ${op}`);
  }
  if (req.longStrings.length && res.body.length) {
    const text = res.body.toString('utf8');
    const haystacks = [text, ...(problem ? stringLeaves(problem).filter((s) => s.length >= ECHO_WINDOW) : [])];
    for (const s of req.longStrings) {
      const windows = [s.slice(0, ECHO_WINDOW), s.slice(-ECHO_WINDOW)];
      if (windows.some((w) => haystacks.some((h) => h.includes(w)))) {
        add('echoes a caller-sent string', `${res.status} echoes a long string: ${op}`, `a ${s.length}-character string came back`);
        break;
      }
    }
  }
  return out;
}

function report(violations: Violation[]): string {
  const groups = new Map<string, Violation[]>();
  for (const v of violations) groups.set(`[${v.rule}] ${v.group}`, [...(groups.get(`[${v.rule}] ${v.group}`) ?? []), v]);
  const size = (v: Violation) => v.req.raw.target.length + (v.req.raw.body?.length ?? 0) + v.req.mutations.length * 50;
  const count = (xs: string[]) =>
    [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ');
  return [...groups]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([key, vs]) => {
      const smallest = vs.reduce((a, b) => (size(b) < size(a) ? b : a));
      return [
        `${key} — ${vs.length} responses`,
        `  operations: ${count(vs.map((v) => `${v.req.op.method.toUpperCase()} ${v.req.op.path}`))}`,
        `  callers: ${count(vs.map((v) => v.req.caller.label))}`,
        `  mutations: ${count(vs.flatMap((v) => v.req.mutations.map((m) => m.kind)))}`,
        `  smallest: ${describeRequest(smallest.req)}`,
        `  → ${describeResponse(smallest.res)}${smallest.note ? `\n    (${smallest.note})` : ''}`,
      ].join('\n');
    })
    .join('\n\n');
}

describe('hostile input against every operation, role and a running application', () => {
  const suite = apiSuite(TASK_QUEUE);
  let api: RunningApi;
  let port = 0;
  const targets: Targets = { tracked: '', spare: '' };
  let bystander = '';
  let before: Record<string, string> = {};
  let fuzzed = false;
  const violations: Violation[] = [];
  /** 2xx answers to POSTs on the tracked application: the only requests allowed to change it. */
  const acceptedOnTracked: FuzzRequest[] = [];

  /** A plain JSON call through the same raw client, bounded in time. */
  async function call(method: string, path: string, token?: string, body?: unknown) {
    const res = await sendRaw(
      port,
      {
        method,
        target: path,
        headers: [...(token ? ([['authorization', bearer(token)]] as [string, string][]) : []), ...(body === undefined ? [] : ([['content-type', 'application/json']] as [string, string][]))],
        body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      },
      { timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: 64 * 1024 * 1024 },
    );
    return { status: res.status, failure: res.failure, body: problemOf(res), text: res.body.toString('utf8') };
  }

  async function start(projectName: string): Promise<string> {
    const r = await call('POST', '/applications', TOKENS.applicant, { processCode: gov.code, projectName, materials: stage1Materials });
    expect(r.status, r.text).toBe(201);
    return r.body.applicationId;
  }

  /** The workflow's own view (a strongly consistent read): the truth the fuzz compares against. */
  async function view(id: string) {
    const r = await call('GET', `/applications/${id}?consistency=strong`, TOKENS.applicant);
    expect(r.status, `GET /applications/${id}: ${r.failure ?? excerpt(r.text, 500)}`).toBe(200);
    return r.body;
  }

  /** Errors the API logged, by request id (the fuzz names each request in X-Request-Id). */
  const loggedErrors = new Map<string, string>();
  const logger = createLogger({
    level: 'error',
    destination: {
      write(line: string) {
        try {
          const o = JSON.parse(line);
          if (!o.err) return;
          const id = o.reqId ?? o.req?.id ?? '';
          const cause = `${o.err.type ?? 'Error'}: ${String(o.err.message ?? '').split('\n')[0]!.slice(0, 160)}${o.err.code !== undefined ? ` [code ${o.err.code}]` : ''}`;
          loggedErrors.set(String(id), cause);
        } catch {
          // not a JSON line
        }
      },
    },
  });

  beforeAll(async () => {
    api = await startApi(
      suite.env,
      TASK_QUEUE,
      { pool: suite.db.pool, catalogue: new CatalogueHolder(loadCatalogue(suite.definitionsDir), suite.definitionsDir), definitionsDir: suite.definitionsDir },
      { logger },
    );
    port = Number(new URL(api.url).port);
    targets.tracked = await start('Fuzz: tracked application');
    targets.spare = await start('Fuzz: spare application');
    bystander = await start('Fuzz: bystander application');
    const deadline = Date.now() + 30_000;
    let v = await view(targets.tracked);
    while (v.stages?.[0]?.status !== 'inProgress' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      v = await view(targets.tracked);
    }
    before = stableView(v);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers every hostile request with a bounded problem naming the field or rule, never a 5xx', { timeout: 600_000 }, async () => {
    const started = Date.now();
    const statuses = new Map<string, number>();
    const perOperation = new Map<string, Map<string, number>>();
    const codes = new Map<string, number>();
    const serverErrors = new Map<string, number>();
    let sent = 0;
    let validBases = 0;
    let timeouts = 0;
    let stalled = false;
    const combos = operations.flatMap((op) => CALLERS.map((caller) => ({ op, caller })));
    const allowed = combos.filter(({ op, caller }) => op.roles === 'public' || (caller.role !== undefined && (op.roles as string[]).includes(caller.role)));
    // Every operation × caller once (in a seeded order), then mostly callers the operation allows.
    const coverage = fc.sample(fc.shuffledSubarray(combos, { minLength: combos.length, maxLength: combos.length }), { seed: SEED, numRuns: 1 })[0]!;
    let next = 0;
    const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();
    console.log(`fuzz: seed ${SEED} — ${RUNS} runs × ${BATCH} requests over ${operations.length} operations × ${CALLERS.length} callers (FUZZ_SEED=${SEED} replays them)`);

    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      const e = args.find((a) => a instanceof Error) as (Error & { type?: string; code?: string }) | undefined;
      const key = e ? `${e.name}: ${e.message.split('\n')[0]!.slice(0, 160)}${e.type ? ` [type ${e.type}]` : ''}${e.code ? ` [code ${e.code}]` : ''}` : excerpt(args.map(String).join(' '), 160);
      serverErrors.set(key, (serverErrors.get(key) ?? 0) + 1);
    };
    try {
      await fc.assert(
        fc.asyncProperty(fc.gen(), async (g) => {
          if (stalled) return;
          const batch = Array.from({ length: BATCH }, () => {
            const { op, caller } = next < coverage.length ? coverage[next++]! : weightedCombo(g);
            const req = buildRequest(g, op, caller, { vocab, targets, nonce: `~R${sent}~` });
            req.raw.headers.push(['x-request-id', `fuzz-${sent++}`]);
            return req;
          });
          const responses = await Promise.all(batch.map((r) => sendRaw(port, r.raw, { timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: MAX_RESPONSE_BYTES + 64 * 1024 })));
          batch.forEach((req, i) => {
            const res = responses[i]!;
            const key = res.failure ? (/within/.test(res.failure) ? 'timeout' : 'no response') : String(res.status);
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            const opKey = `${req.op.method.toUpperCase()} ${req.op.path}`;
            const perOp = perOperation.get(opKey) ?? new Map<string, number>();
            perOperation.set(opKey, perOp.set(key, (perOp.get(key) ?? 0) + 1));
            if (req.baseValid) validBases++;
            if (key === 'timeout') timeouts++;
            violations.push(...check(req, res, loggedErrors.get(res.headers['x-request-id'] ?? '')));
            const code = res.status >= 400 ? problemOf(res)?.code : undefined;
            if (typeof code === 'string') codes.set(code, (codes.get(code) ?? 0) + 1);
            if (res.status >= 200 && res.status < 300 && req.op.method === 'post' && req.params.id === targets.tracked) acceptedOnTracked.push(req);
          });
          // A worker or server that stopped answering would make every further request wait out its timeout.
          if (timeouts >= 8) stalled = true;
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true, plugins: [fc.unbiased()] },
      );
    } finally {
      console.error = consoleError;
      fuzzed = true;
    }

    function weightedCombo(g: fc.GeneratorValue) {
      const pool = g(fc.integer, { min: 0, max: 9 }) < 7 ? allowed : combos;
      return pool[g(fc.integer, { min: 0, max: pool.length - 1 })]!;
    }

    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const byStatus = [...statuses].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`fuzz: ${total} requests — ${byStatus} (${((Date.now() - started) / 1000).toFixed(0)} s; ${validBases} built valid before mutation; ${acceptedOnTracked.length} accepted POSTs on the tracked application)`);
    console.log(`fuzz: problem codes — ${[...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c}: ${n}`).join(', ')}`);
    if (process.env.FUZZ_VERBOSE) {
      const line = (m: Map<string, number>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}: ${n}`).join(', ');
      console.log(`fuzz: by operation\n${[...perOperation].map(([op, m]) => `  ${op} — ${line(m)}`).join('\n')}`);
    }
    for (const cause of loggedErrors.values()) serverErrors.set(cause, (serverErrors.get(cause) ?? 0) + 1);
    if (serverErrors.size) {
      console.log(`fuzz: errors the server logged:\n${[...serverErrors].sort((a, b) => b[1] - a[1]).map(([k, n]) => `  ${n} × ${k}`).join('\n')}`);
    }
    if (stalled) violations.push({ rule: 'stalled', group: `${timeouts} requests got no answer within ${REQUEST_TIMEOUT_MS} ms; the fuzz stopped early`, req: undefined as never, res: undefined as never, note: '' });
    const protoAfter = Object.getOwnPropertyNames(Object.prototype).sort().join();
    expect(protoAfter, 'Object.prototype was polluted by a request').toBe(protoBefore);

    const text = report(violations.filter((v) => v.rule !== 'stalled'));
    if (text) console.log(`fuzz: violations by class\n\n${text}`);
    expect(total).toBeGreaterThanOrEqual(Math.min(2000, RUNS * BATCH));
    expect([...new Set(violations.map((v) => `[${v.rule}] ${v.group}`))], `hostile requests broke the API's rules (classes above, smallest example of each):\n\n${text}`).toEqual([]);
  });

  it('changes the tracked application only through requests the API accepted', { timeout: 60_000 }, async () => {
    expect(fuzzed).toBe(true);
    const after = stableView(await view(targets.tracked));
    const changed = Object.keys({ ...before, ...after }).filter((k) => before[k] !== after[k]);
    const accepted = acceptedOnTracked.map((r) => ({ path: r.op.path, params: r.params }));
    const kinds = accepted.map((a) => a.path.replace(/^\/applications\/:id\//, ''));
    console.log(
      `fuzz: tracked application — ${accepted.length} accepted POSTs (${[...new Set(kinds)].map((k) => `${k} ×${kinds.filter((x) => x === k).length}`).join(', ') || 'none'}); changed: ${changed.join(', ') || 'nothing'}` +
        acceptedOnTracked.map((r) => `\n  ${describeRequest(r).replace(/\n/g, '\n  ')}`).join(''),
    );
    // A matter changes by an accepted action naming it; one still waiting (for materials, a notice, prerequisites,
    // a deliverable) may also start after an accepted approval, supply, delivery, review or notice elsewhere.
    const releases = accepted.some((a) => /\/decision$|\/materials$|\/services\/|\/missing-notice$|\/accept$/.test(a.path));
    const waiting = (k: string) => ['pending', 'intake', 'waitingPrerequisites', 'suspended'].includes(before[k] ? JSON.parse(before[k]!).status : '');
    const explained = (k: string): boolean => {
      const [kind, code] = k.split(' ');
      if (kind === 'matter') return accepted.some((a) => a.params.code === code) || (releases && waiting(k));
      if (kind === 'service') return accepted.some((a) => (a.path.includes('/services/') && a.params.type === code) || a.path.endsWith('/materials'));
      if (kind === 'stage' || k === 'currentStage') return accepted.some((a) => a.path.endsWith('/decision'));
      return false;
    };
    const unexplained = changed.filter((k) => !explained(k));
    expect(unexplained.map((k) => `${k}: ${before[k]} → ${after[k]}`)).toEqual([]);
    const bodyOf = (r: FuzzRequest) => {
      try {
        return JSON.parse(r.raw.body?.toString('utf8') ?? 'null');
      } catch {
        return null;
      }
    };
    expect(acceptedOnTracked.filter((r) => isDestructive(r.op, bodyOf(r))).map(describeRequest)).toEqual([]);
  });

  it('still takes a valid Update after the fuzz: the first-stage lead department approves a matter of the bystander', { timeout: 60_000 }, async () => {
    expect(fuzzed).toBe(true);
    const own = stage1.matters.find((m) => m.department === stage1.leadDepartment && m.prerequisites.length === 0)!;
    const r = await call('POST', `/applications/${bystander}/matters/${own.code}/decision`, officerToken(stage1.leadDepartment), {
      decision: 'approve',
      result: { number: '浏发改〔2026〕99号' },
    });
    expect(r.status, r.failure ?? excerpt(r.text, 500)).toBe(200);
    const after = await view(bystander);
    expect(after.stages[0].matters.find((m: any) => m.code === own.code).status).toBe('approved');
  });

  it("projects the tracked application's latest state to the read model", { timeout: 90_000 }, async () => {
    expect(fuzzed).toBe(true);
    const deadline = Date.now() + 60_000;
    let mismatch = 'not checked';
    while (Date.now() < deadline) {
      const v = await view(targets.tracked);
      const app = await suite.db.pool.query('SELECT seq, status FROM applications WHERE application_id = $1', [targets.tracked]);
      const matters = await suite.db.pool.query('SELECT code, status FROM matters WHERE application_id = $1', [targets.tracked]);
      const sorted = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
      const want = sorted(Object.fromEntries([...v.stages.flatMap((s: any) => s.matters), ...v.alongside].map((m: any) => [m.code, m.status])));
      const got = sorted(Object.fromEntries(matters.rows.map((m) => [m.code, m.status])));
      mismatch =
        app.rows[0] === undefined ? 'no row yet'
        : app.rows[0].seq !== v.events.length ? `seq ${app.rows[0].seq}, the workflow has ${v.events.length} events`
        : app.rows[0].status !== v.status ? `status ${app.rows[0].status}, the workflow says ${v.status}`
        : got !== want ? `matters ${got}, the workflow says ${want}`
        : '';
      if (!mismatch) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(mismatch, 'the read model did not catch up with the tracked application within 60 s').toBe('');
  });
});
