import { isIP } from 'node:net';
import { z } from 'zod';
import { parseAllowlist } from '../readmodel/destinations';

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
  /** Requests per minute one principal (the bearer token's id and role) may make to the API. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Requests per minute one client address may make without a valid token, failed authentication included. */
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  /** Proxies whose X-Forwarded-For names the client: off, a hop count, or addresses/subnets (Express `trust proxy`). */
  TRUST_PROXY: trustProxySchema().default(false),
  /**
   * Where traces go (OTLP over HTTP, e.g. http://collector:4318/v1/traces); unset: tracing off.
   * The standard OpenTelemetry variable name, so a collector's usual configuration applies.
   */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. http://127.0.0.1:4318/v1/traces' })
    .max(2048)
    .optional(),
  /** pino level of the API's and the worker's logs; unset: info, or silent under tests. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  /** Webhook receivers let through although not public: comma-separated host names and CIDRs (e.g. 127.0.0.1/32,receiver.internal). */
  WEBHOOK_ALLOWED_DESTINATIONS: z
    .string()
    .max(4096, 'must be at most 4096 characters')
    .default('')
    .transform((v, ctx) => {
      try {
        return parseAllowlist(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  /** Active webhook subscriptions one integrator may hold. */
  /** The embedded run's sign-in page lists the principals file's entries to pick from (npm start sets 1; never in production). */
  DEMO_SIGN_IN: z.enum(['0', '1', 'false', 'true']).default('0').transform((v) => v === '1' || v === 'true'),
  /** The built web pages served under /ui/ (default: web/dist of this checkout). */
  WEB_DIR: z.string().min(1).optional(),
  /** 行政区划代码 of this system in the SPGL exchange (docs/spgl.md): six digits; default 430181 (浏阳市). */
  SPGL_REGION_CODE: z.string().regex(/^\d{6}$/, 'must be a six-digit administrative division code, e.g. 430181').default('430181'),
  /** How often the API exports what moved to the SPGL tables in the background, in milliseconds; 0: only when pulled. */
  SPGL_SYNC_INTERVAL_MS: z.coerce.number().int('must be a whole number of milliseconds').min(0).max(3_600_000, 'must be at most 3600000 (an hour)').default(10_000),
  WEBHOOK_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(1000).default(20),
  /** Where the Prometheus endpoints listen (docs/operations.md): loopback unless a scraper elsewhere needs them. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** The API's /metrics port; 0: no metrics endpoint (`npm start` sets 9464). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** The worker's /metrics port, and the Temporal SDK's own exporter on the next one; 0: neither (`npm start` sets 9465). */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65534).default(0),
});

/**
 * `true` is refused: trusting every hop lets any client name its own address and so
 * choose its own rate-limit bucket.
 */
function trustProxySchema() {
  const named = ['loopback', 'linklocal', 'uniquelocal'];
  return z
    .string()
    .trim()
    .transform((v, ctx): false | number | string[] => {
      if (['', 'off', 'false', '0'].includes(v)) return false;
      if (/^\d+$/.test(v)) return Number(v);
      const entries = v.split(',').map((s) => s.trim());
      const bad = entries.filter((e) => !named.includes(e) && !isIP(e.replace(/\/\d{1,3}$/, '')));
      if (bad.length) ctx.addIssue({ code: 'custom', message: `not off, a hop count, or addresses/subnets (${named.join(', ')}, IP, IP/prefix): ${bad.join(', ')}` });
      return entries;
    });
}

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
