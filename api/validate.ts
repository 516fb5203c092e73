import type { z } from 'zod';
import { zodProblem } from './problem';

/** Parses one part of a request; a failure is a 400 naming the field and the rule. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path' | 'header'): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw zodProblem(r.error, where);
  return r.data;
}
