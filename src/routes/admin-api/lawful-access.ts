// The lawful-access officers' routes: request, approve (a second officer), reveal (once, in
// time), refuse — the service (services/lawful-access.ts) enforces the two-officer rule on the
// operator accounts the tokens are bound to; request, approval and reveal are sensitive
// (a fresh authenticator code, POST /session/reauthentication). The subject travels in the body.
import Router from '@koa/router';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { actorOf } from './guard.js';
import { bodyOf, queryOf } from './input.js';

const listQuery = z.strictObject({ status: z.enum(['pending', 'approved', 'revealed', 'refused']).optional() });
const requestBody = z.strictObject({
  cyberspace_id: z.string().max(64).optional(),
  pairwise_id: z.string().max(64).optional(),
  client_id: z.string().max(64).optional(),
  case_reference: z.string().max(64),
  authority_code: z.string().max(32),
  embargo_until: z.string().max(10).optional(),
});
const empty = z.strictObject({});

export function createLawfulAccessRoutes(router: Router, { operations }: Pick<OperatorArea, 'operations'>): void {
  router.get('/lawful-access', async (ctx) => {
    ctx.body = { requests: await operations.perform('lawful_access.list', actorOf(ctx), queryOf(ctx, listQuery)) };
  });
  router.post('/lawful-access', async (ctx) => {
    const input = bodyOf(ctx, requestBody);
    ctx.status = 201;
    ctx.body = await operations.perform('lawful_access.request', actorOf(ctx), {
      cyberspaceId: input.cyberspace_id, pairwiseId: input.pairwise_id, clientId: input.client_id,
      caseReference: input.case_reference, authorityCode: input.authority_code, embargoUntil: input.embargo_until,
    });
  });
  for (const [step, name] of [['approve', 'lawful_access.approve'], ['reveal', 'lawful_access.reveal'], ['refuse', 'lawful_access.refuse']] as const) {
    router.post(`/lawful-access/:id/${step}`, async (ctx) => {
      bodyOf(ctx, empty);
      ctx.body = await operations.perform(name, actorOf(ctx), { id: ctx.params.id! });
    });
  }
}
