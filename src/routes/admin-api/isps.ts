// The ISP registrar's routes: the registry, one ISP with its decisions, and the onboarding
// decisions (services/client-onboarding.ts), each with its reason.
import Router from '@koa/router';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { actorOf } from './guard.js';
import { bodyOf } from './input.js';

const OPERATION = { approve: 'isps.approve', activate: 'isps.activate', suspend: 'isps.suspend', reactivate: 'isps.reactivate' } as const;
const decisionBody = z.strictObject({ decision: z.enum(['approve', 'activate', 'suspend', 'reactivate']), reason: z.string().max(1000) });

export function createIspRoutes(router: Router, { operations }: Pick<OperatorArea, 'operations'>): void {
  router.get('/isps', async (ctx) => {
    ctx.body = { isps: await operations.perform('isps.list', actorOf(ctx), {}) };
  });
  router.get('/isps/:clientId', async (ctx) => {
    ctx.body = await operations.perform('isps.show', actorOf(ctx), { clientId: ctx.params.clientId! });
  });
  router.post('/isps/:clientId/decisions', async (ctx) => {
    const { decision, reason } = bodyOf(ctx, decisionBody);
    ctx.body = await operations.perform(OPERATION[decision], actorOf(ctx), { clientId: ctx.params.clientId!, reason });
  });
}
