import { z } from 'zod';
import { NAMED_ANSWERS } from '../contracts/responses';
import type { Operation } from './operation';

/** A request schema as JSON Schema: what the caller may send (defaults optional, before transforms). */
const schemaOf = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const problem = ref('Problem');

/**
 * Every answer schema as one component each (named in contracts/, or after its operation), with
 * the views they share referenced, not repeated: what the server answers, after defaults and transforms.
 */
function answerComponents(operations: readonly Operation[], operationId: (op: Operation) => string) {
  const registry = z.registry<{ id: string }>();
  const idOf = new Map<z.ZodType, string>();
  const name = (schema: z.ZodType, id: string) => {
    if (idOf.has(schema)) return idOf.get(schema)!;
    registry.add(schema, { id });
    idOf.set(schema, id);
    return id;
  };
  for (const [id, schema] of Object.entries(NAMED_ANSWERS)) name(schema, id);
  for (const op of operations) {
    name(op.response, `${operationId(op)}Answer`);
    for (const a of op.otherAnswers ?? []) name(a.schema, `${operationId(op)}Answer${a.status}`);
  }
  const { schemas } = z.toJSONSchema(registry, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12', uri: (id) => ref(id).$ref });
  // A component is named by where it sits; `$id` (a bare fragment) and `$schema` would only repeat that.
  for (const s of Object.values(schemas) as { $schema?: string; $id?: string }[]) {
    delete s.$schema;
    delete s.$id;
  }
  return { schemas, idOf };
}

const operationIdOf = (op: Operation) => `${op.method}${openApiPath(op.path).replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`;

/** Express `:id` → OpenAPI `{id}`. */
export const openApiPath = (p: string) => p.replace(/:([A-Za-z]+)/g, '{$1}');

/** The OpenAPI 3.1 document, generated from the same operation declarations (and zod schemas) the API runs on. */
export function openApiDocument(operations: readonly Operation[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  const answers = answerComponents(operations, operationIdOf);
  const answer = (s: z.ZodType) => ref(answers.idOf.get(s)!);
  for (const op of operations) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', op.params], ['query', op.query]] as const) {
      if (!schema) continue;
      const json = schemaOf(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: s });
      }
    }
    for (const h of op.headers ?? []) parameters.push({ name: h.name, in: 'header', required: false, description: h.description, schema: { type: 'string' } });
    const success = op.success ?? { status: 200, description: 'OK' };
    const responses: Record<string, unknown> = {
      [success.status]: { description: success.description, content: { [success.contentType ?? 'application/json']: { schema: answer(op.response) } } },
      400: { description: 'invalid input: the failing field and rule', content: { 'application/problem+json': { schema: problem } } },
      429: { description: 'rate limited (code RATE_LIMITED): see Retry-After and RateLimit', content: { 'application/problem+json': { schema: problem } } },
    };
    if (op.roles !== 'public') {
      responses[401] = { description: 'no valid bearer token', content: { 'application/problem+json': { schema: problem } } };
      responses[403] = { description: `allowed roles: ${op.roles.join(', ')}`, content: { 'application/problem+json': { schema: problem } } };
    }
    if (op.path.includes(':')) responses[404] = { description: 'not found', content: { 'application/problem+json': { schema: problem } } };
    if (op.method === 'post') responses[409] = { description: 'refused in the current state, with the reason', content: { 'application/problem+json': { schema: problem } } };
    for (const a of op.otherAnswers ?? []) responses[a.status] = { description: a.description, content: { 'application/json': { schema: answer(a.schema) } } };
    (paths[openApiPath(op.path)] ??= {})[op.method] = {
      tags: [op.tag],
      summary: op.summary,
      operationId: operationIdOf(op),
      'x-roles': op.roles,
      ...(op.roles === 'public' ? { security: [] } : {}),
      parameters,
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parallel-approval orchestrator API (工程建设项目并联审批)',
      version: '1',
      description: 'Applicants, approval officers, the supervision office and integrators. Errors are application/problem+json naming the failing field or rule.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: answers.schemas },
    security: [{ bearer: [] }],
    paths,
  };
}
