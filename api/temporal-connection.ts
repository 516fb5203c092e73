import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/**
 * The API's connection to Temporal: lazy, so the API starts while Temporal is still coming up,
 * and with a few quick retries rather than the SDK's default ten with up to 5 s between — a
 * caller waiting on an HTTP answer is better served by a prompt 503 when Temporal is down.
 */
export function apiConnection(address: string): Connection {
  return Connection.lazy({ address, interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))] });
}
