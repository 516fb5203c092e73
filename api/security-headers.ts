import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers with a content security policy for an API that serves data, not pages:
 * nothing may load, frame or submit (the /docs page sets its own, see docs.ts).
 */
export const securityHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
});

/** Every answer is about live state (and may be personal): no browser or proxy keeps a copy. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};
