import type { RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { PrincipalRegistry } from './auth';
import type { Logger } from './log';
import { sendProblem } from './problem';

export interface RateLimits {
  /** Requests per minute of one principal (id and role of a valid bearer token). */
  perPrincipalPerMinute: number;
  /** Requests per minute of one client address without a valid token, failed authentication included. */
  anonymousPerMinute: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perPrincipalPerMinute: 600, anonymousPerMinute: 120 };

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Fixed one-minute windows: a caller with a valid token counts against its principal
 * (wherever it calls from), every other request against its address, so guessing tokens is
 * throttled like any anonymous traffic. The limiter runs before the route, so it looks the
 * token up itself (one digest compare) and only chooses the bucket: the route's own
 * authentication still decides who the caller is. Over the limit: 429 problem+json with
 * RateLimit, RateLimit-Policy and Retry-After.
 */
export function rateLimits(principals: PrincipalRegistry, limits: RateLimits, log: Logger): RequestHandler {
  const limiter = (identifier: 'principal' | 'anonymous', limit: number) =>
    rateLimit({
      windowMs: 60_000,
      limit,
      identifier,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      logger: log,
      keyGenerator: (_req, res) => res.locals.rateLimitKey as string,
      handler: (_req, res: Response) => {
        const detail = `at most ${limit} requests per minute ${identifier === 'principal' ? 'per principal' : 'per address without a valid token'}; retry in ${res.getHeader('Retry-After')} s`;
        sendProblem(res, 429, 'Too many requests', detail, { code: 'RATE_LIMITED' });
      },
    });
  const perPrincipal = limiter('principal', limits.perPrincipalPerMinute);
  const perAddress = limiter('anonymous', limits.anonymousPerMinute);
  return (req, res, next) => {
    const token = BEARER.exec(req.get('authorization') ?? '')?.[1];
    const principal = token ? principals.find(token) : undefined;
    // An IPv6 client holds a whole /56: counting single addresses would let it rotate past the limit.
    res.locals.rateLimitKey = principal ? `principal:${principal.role}:${principal.id}` : `address:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    return (principal ? perPrincipal : perAddress)(req, res, next);
  };
}
