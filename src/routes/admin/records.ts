// The key custodian's and the auditor's pages: signing keys (list, rotate — re-authenticated)
// and the audit log (the newest entries; verify every hash chain).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { formBody } from '../../web/form-body.js';
import { formatWhen } from '../../web/activity-text.js';
import { actorOf, requireOperator } from './guard.js';
import { problemOf, type ConsolePage, type Problem } from './page.js';

type Deps = Pick<OperatorArea, 'operations' | 'authentication'> & { page: ConsolePage };

const rotateForm = z.object({ reauth_code: z.string().max(20).default('') });
/** As `cyberid keys rotate`: published at once, signing after two key reloads and a margin (the operation checks it). */
const ACTIVATE_AFTER_SECONDS = 60;
const LATEST = 50;

export function createAdminRecordsRouter({ operations, authentication, page }: Deps): Router {
  const router = new Router();
  const loadOperator = requireOperator(authentication);

  async function showKeys(ctx: Context, problem?: Problem, done = false) {
    const keys = await operations.perform('keys.list', actorOf(ctx), {});
    await page(ctx, 'admin-keys', 'admin.keys.title', { keys: keys.map((k) => ({ ...k, activates: formatWhen(new Date(k.activates_at)) })), problem, done }, { status: problem?.status, pagePath: '/admin/keys' });
  }

  router.get('/admin/keys', loadOperator, (ctx) => showKeys(ctx, undefined, ctx.query.done === 'rotated'));
  router.post('/admin/keys/rotate', loadOperator, async (ctx) => {
    try {
      await operations.perform('keys.rotate', actorOf(ctx), { activateAfterSeconds: ACTIVATE_AFTER_SECONDS }, { reauthCode: (rotateForm.safeParse(formBody(ctx)).data ?? { reauth_code: '' }).reauth_code });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      return showKeys(ctx, problem);
    }
    ctx.status = 303;
    ctx.redirect('/admin/keys?done=rotated');
  });

  /** The newest entries (ids and codes only, as the log holds them), and a verification result if one was run. */
  async function showAudit(ctx: Context, result?: { ok: boolean; entries: string; problems: unknown[] }) {
    const entries = await operations.perform('audit.latest', actorOf(ctx), { limit: LATEST });
    await page(ctx, 'admin-audit', 'admin.audit.title', {
      result,
      entries: entries.map((e) => ({ when: formatWhen(e.occurredAt), type: e.type, actor: e.actor, clientId: e.clientId ?? '', detailText: JSON.stringify(e.details) })),
    }, { pagePath: '/admin/audit' });
  }

  router.get('/admin/audit', loadOperator, (ctx) => showAudit(ctx));
  router.post('/admin/audit/verify', loadOperator, async (ctx) => {
    const result = await operations.perform('audit.verify', actorOf(ctx), {});
    await showAudit(ctx, { ok: result.ok, entries: String(result.entries), problems: result.ok ? [] : result.problems });
  });

  return router;
}
