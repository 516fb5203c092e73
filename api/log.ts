import pino, { type DestinationStream, type Logger } from 'pino';
import { ConfigError, configSchema } from '../config/environment';

export type { Logger };

/** LOG_LEVEL when set (validated); otherwise quiet under tests and 'info' elsewhere. */
export function logLevel(env: NodeJS.ProcessEnv = process.env): pino.LevelWithSilent {
  const parsed = configSchema.shape.LOG_LEVEL.safeParse(env.LOG_LEVEL);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n  LOG_LEVEL: ${parsed.error.issues[0]?.message}`);
  if (parsed.data) return parsed.data;
  return env.NODE_ENV === 'test' || env.VITEST ? 'silent' : 'info';
}

/**
 * A JSON-lines logger. Credentials never reach a line: authorization and cookie headers are
 * redacted wherever an object carrying headers is logged.
 */
export function createLogger(options: { level?: pino.LevelWithSilent; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? logLevel(),
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie'], censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    },
    options.destination,
  );
}

/** The process's logger, shared by the API and the worker: one JSON object per line on stdout. */
export const logger = createLogger();
