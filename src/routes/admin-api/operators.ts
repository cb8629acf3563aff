// The operator admin's routes: the operator accounts — list, create (a one-time enrolment code,
// shown once), re-issue a lost enrolment, disable (every session and token of that operator
// ends). Creating, re-issuing and disabling are sensitive.
import type Router from '@koa/router';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { ROLES } from '../../operators/roles.js';
import { actorOf } from './guard.js';
import { bodyOf, parseInput } from './input.js';

const createBody = z.strictObject({ handle: z.string().max(64), roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length) });
const empty = z.strictObject({});
const operatorId = z.uuid('an operator id is a uuid');

export function createOperatorRoutes(router: Router, { operations }: Pick<OperatorArea, 'operations'>): void {
  router.get('/operators', async (ctx) => {
    ctx.body = { operators: await operations.perform('operators.list', actorOf(ctx), {}) };
  });
  router.post('/operators', async (ctx) => {
    const input = bodyOf(ctx, createBody);
    ctx.status = 201;
    ctx.body = await operations.perform('operators.create', actorOf(ctx), input);
  });
  router.post('/operators/:id/reenrolment', async (ctx) => {
    bodyOf(ctx, empty);
    const id = parseInput(operatorId, ctx.params.id);
    ctx.body = await operations.perform('operators.reenrol', actorOf(ctx), { operatorId: id });
  });
  router.post('/operators/:id/disable', async (ctx) => {
    bodyOf(ctx, empty);
    const id = parseInput(operatorId, ctx.params.id);
    await operations.perform('operators.disable', actorOf(ctx), { operatorId: id });
    ctx.status = 204;
  });
}
