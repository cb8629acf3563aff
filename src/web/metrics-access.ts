// /metrics (Prometheus) tells anyone who reads it how busy the service is and how sign-ins fare:
// not for the public (issue 11). With METRICS_TOKEN the scraper sends `Authorization: Bearer
// <token>` (RFC 6750 §2.1), compared in constant time; without one the endpoint is open, which
// config.ts allows only outside production or on a listener of its own (METRICS_ADDRESS).
import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { Metrics } from '../metrics.js';

// Digests have one length whatever was sent, so the comparison leaks neither length nor content.
const digest = (value: string) => createHash('sha256').update(value).digest();

export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null;
}

export function metricsEndpoint(metrics: Pick<Metrics, 'registry'>, token: string | undefined): Koa.Middleware {
  return async (ctx) => {
    if (token !== undefined && !bearerMatches(ctx.get('authorization'), token)) {
      ctx.status = 401;
      ctx.set('www-authenticate', 'Bearer realm="metrics"');
      ctx.body = { error: 'invalid_token', error_description: 'metrics need the bearer token configured as METRICS_TOKEN' };
      return;
    }
    ctx.set('cache-control', 'no-store');
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  };
}
