// Request id, access log and metrics for every request. The access log records method, path
// (never the query string: it may carry codes, tokens or form data), status and duration.
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

const ROUTE_GROUPS: Array<[RegExp, string]> = [
  [/^\/interaction\//, '/interaction'],
  [/^\/static\//, '/static'],
  [/^\/reg(\/|$)/, '/reg'],
  // Client ids and request ids in the admin API's paths.
  [/^\/api\/admin\//, '/api/admin'],
];

/** Low-cardinality route label: ids in paths would explode the metrics. */
export function routeLabel(path: string): string {
  for (const [pattern, label] of ROUTE_GROUPS) if (pattern.test(path)) return label;
  return path.length <= 40 && /^[/a-z._-]*$/i.test(path) ? path : 'other';
}

export function requestContext(logger: Logger, metrics: Metrics): Middleware {
  return async (ctx, next) => {
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('x-request-id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(ctx.path);
      metrics.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      logger.info({ requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(seconds * 1000) }, 'request');
    }
  };
}
