// The key custodian's and the auditor's routes: signing keys (list, rotate) and the audit log
// (verify the hash chains, read the latest entries).
import Router from '@koa/router';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { MIN_KEY_ACTIVATION_SECONDS } from '../../oidc/key-reload.js';
import { actorOf } from './guard.js';
import { bodyOf, queryOf } from './input.js';

const rotateBody = z.strictObject({
  // Every instance must publish a new key before any signs with it (oidc/key-reload.ts).
  activate_after_seconds: z.number().int().min(MIN_KEY_ACTIVATION_SECONDS).max(30 * 86400).default(60),
});
const entriesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(50) });

export function createRecordRoutes(router: Router, { operations }: Pick<OperatorArea, 'operations'>): void {
  router.get('/keys', async (ctx) => {
    ctx.body = { keys: await operations.perform('keys.list', actorOf(ctx), {}) };
  });
  router.post('/keys/rotation', async (ctx) => {
    const { activate_after_seconds: activateAfterSeconds } = bodyOf(ctx, rotateBody);
    const rotated = await operations.perform('keys.rotate', actorOf(ctx), { activateAfterSeconds });
    ctx.status = 201;
    ctx.body = { kids: rotated.kids, activates_at: rotated.activatesAt.toISOString() };
  });

  router.get('/audit/verification', async (ctx) => {
    ctx.body = await operations.perform('audit.verify', actorOf(ctx), {});
  });
  router.get('/audit/entries', async (ctx) => {
    const { limit } = queryOf(ctx, entriesQuery);
    const entries = await operations.perform('audit.latest', actorOf(ctx), { limit });
    ctx.body = {
      entries: entries.map((e) => ({ chain: e.chain, seq: e.seq, occurred_at: e.occurredAt.toISOString(), type: e.type, citizen_id: e.citizenId, client_id: e.clientId, actor: e.actor, details: e.details })),
    };
  });
}
