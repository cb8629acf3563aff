// Account support's routes: a cyberspace ID's account state, suspending and resuming it — the
// state only, never identity data. The cyberspace ID travels in the JSON body, not the path, so
// it stays out of access logs (the access log records paths).
import Router from '@koa/router';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { actorOf } from './guard.js';
import { bodyOf } from './input.js';

const idBody = z.strictObject({ cyberspace_id: z.string().max(64) });
const suspendBody = z.strictObject({ cyberspace_id: z.string().max(64), reason: z.string().trim().min(1, 'a reason is required: it is kept with the suspension').max(500) });

export function createCitizenRoutes(router: Router, { operations }: Pick<OperatorArea, 'operations'>): void {
  router.post('/citizens/state', async (ctx) => {
    ctx.body = await operations.perform('citizens.state', actorOf(ctx), { cyberspaceId: bodyOf(ctx, idBody).cyberspace_id });
  });
  router.post('/citizens/suspend', async (ctx) => {
    const input = bodyOf(ctx, suspendBody);
    ctx.body = await operations.perform('citizens.suspend', actorOf(ctx), { cyberspaceId: input.cyberspace_id, reason: input.reason });
  });
  router.post('/citizens/resume', async (ctx) => {
    ctx.body = await operations.perform('citizens.resume', actorOf(ctx), { cyberspaceId: bodyOf(ctx, idBody).cyberspace_id });
  });
}
