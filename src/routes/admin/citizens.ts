// Account support's page: a cyberspace ID's account state, and suspending or resuming it. It
// shows the state only — never the person's identity data. The ID travels in form posts, not in
// addresses, so it stays out of access logs and browser history.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { formBody } from '../../web/form-body.js';
import { actorOf, requireOperator } from './guard.js';
import { problemOf, type ConsolePage, type Problem } from './page.js';

type Deps = Pick<OperatorArea, 'operations' | 'authentication'> & { page: ConsolePage };

const accountForm = z.object({ cyberspace_id: z.string().max(64).default(''), reason: z.string().max(1000).default('') });
type State = { cyberspace_id: string; status: string; suspended_by: string | null };

export function createAdminCitizensRouter({ operations, authentication, page }: Deps): Router {
  const router = new Router();
  const loadOperator = requireOperator(authentication);
  const input = (ctx: Context) => accountForm.safeParse(formBody(ctx)).data ?? { cyberspace_id: '', reason: '' };

  const show = (ctx: Context, data: { state?: State; problem?: Problem; done?: string; entered?: string }) =>
    page(ctx, 'admin-citizens', 'admin.citizens.title', { state: undefined, done: undefined, entered: '', ...data }, { status: data.problem?.status, pagePath: '/admin/citizens' });

  async function act(ctx: Context, work: () => Promise<State>, done?: string) {
    try {
      return await show(ctx, { state: await work(), done });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      return show(ctx, { problem, entered: input(ctx).cyberspace_id });
    }
  }

  router.get('/admin/citizens', loadOperator, (ctx) => show(ctx, {}));
  router.post('/admin/citizens', loadOperator, (ctx) => act(ctx, () => operations.perform('citizens.state', actorOf(ctx), { cyberspaceId: input(ctx).cyberspace_id })));
  router.post('/admin/citizens/suspend', loadOperator, (ctx) => act(ctx, () =>
    operations.perform('citizens.suspend', actorOf(ctx), { cyberspaceId: input(ctx).cyberspace_id, reason: input(ctx).reason }), 'suspended'));
  router.post('/admin/citizens/resume', loadOperator, (ctx) => act(ctx, () =>
    operations.perform('citizens.resume', actorOf(ctx), { cyberspaceId: input(ctx).cyberspace_id }), 'resumed'));

  return router;
}
