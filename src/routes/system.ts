// Operational endpoints: liveness, readiness (both stores answer), Prometheus metrics.
import Router from '@koa/router';
import type { Container } from '../container.js';

export function createSystemRouter({ db, ephemeral, metrics }: Pick<Container, 'db' | 'ephemeral' | 'metrics'>): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const checks = await Promise.allSettled([db.knex.raw('select 1'), ephemeral.setIfAbsent(`readyz:${Date.now()}:${Math.random()}`, 5)]);
    const ready = checks.every((check) => check.status === 'fulfilled');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'unavailable', database: checks[0]?.status === 'fulfilled', ephemeral: checks[1]?.status === 'fulfilled' };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
