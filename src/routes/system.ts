// Operational endpoints: liveness, readiness (both stores answer), and Prometheus metrics when
// they belong on the public port (config.metrics, web/metrics-access.ts).
import Router from '@koa/router';
import type { Container } from '../container.js';
import { STORE_RETRY_AFTER_SECONDS } from '../storage/store-fault.js';
import { metricsEndpoint } from '../web/metrics-access.js';

// A load balancer's probe has its own timeout: answer within it whatever a store does.
const READINESS_DEADLINE_MS = 1_500;

function withDeadline<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), READINESS_DEADLINE_MS);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function createSystemRouter({ db, ephemeral, metrics, config }: Pick<Container, 'db' | 'ephemeral' | 'metrics'> & { config: Pick<Container['config'], 'metrics'> }): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await Promise.allSettled([
      withDeadline(db.knex.raw('select 1')),
      withDeadline(ephemeral.setIfAbsent(`readyz:${Date.now()}:${Math.random()}`, 5)),
    ]);
    const ready = checks.every((check) => check.status === 'fulfilled');
    ctx.status = ready ? 200 : 503;
    if (!ready) ctx.set('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    ctx.body = { status: ready ? 'ready' : 'unavailable', database: checks[0]?.status === 'fulfilled', ephemeral: checks[1]?.status === 'fulfilled' };
  });
  if (config.metrics.onPublicPort) router.get('/metrics', metricsEndpoint(metrics, config.metrics.token));
  return router;
}
