// The ISP registrar's page: every ISP with its onboarding status and the decisions possible
// from it (services/client-onboarding.ts), each taken with a reason.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { decisionsFrom, ONBOARDING_DECISIONS, type OnboardingDecision } from '../../services/client-onboarding.js';
import { formBody } from '../../web/form-body.js';
import { actorOf, requireOperator } from './guard.js';
import { problemOf, type ConsolePage, type Problem } from './page.js';

type Deps = Pick<OperatorArea, 'operations' | 'authentication'> & { page: ConsolePage };

const decisionForm = z.object({ decision: z.string().max(20).default(''), reason: z.string().max(1000).default('') });
const OPERATION = { approve: 'isps.approve', activate: 'isps.activate', suspend: 'isps.suspend', reactivate: 'isps.reactivate' } as const;

export function createAdminIspsRouter({ operations, authentication, page }: Deps): Router {
  const router = new Router();
  const loadOperator = requireOperator(authentication);

  async function show(ctx: Context, problem?: Problem, done?: string) {
    const isps = await operations.perform('isps.list', actorOf(ctx), {});
    await page(ctx, 'admin-isps', 'admin.isps.title', {
      isps: isps.map((isp) => ({ ...isp, decisions: decisionsFrom(isp.status) })), problem, done,
    }, { status: problem?.status, pagePath: '/admin/isps' });
  }

  router.get('/admin/isps', loadOperator, (ctx) => show(ctx, undefined, typeof ctx.query.done === 'string' && ctx.query.done in ONBOARDING_DECISIONS ? ctx.query.done : undefined));

  router.post('/admin/isps/:clientId', loadOperator, async (ctx) => {
    const input = decisionForm.safeParse(formBody(ctx)).data ?? { decision: '', reason: '' };
    if (!(input.decision in OPERATION)) return show(ctx, { key: 'admin.error.invalid_input', status: 400 });
    try {
      await operations.perform(OPERATION[input.decision as OnboardingDecision], actorOf(ctx), { clientId: ctx.params.clientId!, reason: input.reason });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      return show(ctx, problem);
    }
    ctx.status = 303;
    ctx.redirect(`/admin/isps?done=${input.decision}`);
  });

  return router;
}
