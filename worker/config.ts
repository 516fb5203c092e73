import { z } from 'zod';

/**
 * Process configuration from environment variables, validated at start-up. Every setting has
 * a safe default for the embedded run (`npm start`): loopback addresses, the default namespace.
 */
export const configSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('approvals'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The read model's PostgreSQL; the default is the local server scripts/postgres.sh runs. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').default('postgres://postgres@127.0.0.1:5433/approvals'),
  /** A catalogue other than the one shipped in definitions/data. */
  DEFINITIONS_DIR: z.string().min(1).optional(),
  /** JSON file of API principals with their bearer tokens (see README); never in the repo. */
  API_TOKENS_FILE: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
