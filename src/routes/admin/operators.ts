// The console's home (the areas this operator's roles open) and the operator_admin's pages:
// the operator list, creating an operator (the enrolment code is shown once, on the answer
// page), a new enrolment code for one who lost a factor, and disabling one. All three
// re-authenticate (a fresh code).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { ROLES } from '../../operators/roles.js';
import { formBody } from '../../web/form-body.js';
import { formatWhen } from '../../web/activity-text.js';
import { actorOf, requireOperator } from './guard.js';
import { problemOf, type ConsolePage, type Problem } from './page.js';

type Deps = Pick<OperatorArea, 'operations' | 'authentication'> & { page: ConsolePage; issuer: string };

const text = z.string().max(200).default('');
const createForm = z.object({ handle: text, reauth_code: text }).catchall(z.unknown());

export function createAdminOperatorsRouter({ operations, authentication, page, issuer }: Deps): Router {
  const router = new Router();
  const loadOperator = requireOperator(authentication);

  router.get('/admin', loadOperator, (ctx) => page(ctx, 'admin-home', 'admin.home.title'));

  async function showList(ctx: Context, problem?: Problem, handle = '') {
    const operators = await operations.perform('operators.list', actorOf(ctx), {});
    await page(ctx, 'admin-operators', 'admin.operators.title', {
      operators: operators.map((o) => ({ ...o, created: formatWhen(new Date(o.created_at)) })),
      roles: ROLES, problem, handle,
    }, { status: problem?.status, pagePath: '/admin/operators' });
  }

  router.get('/admin/operators', loadOperator, (ctx) => showList(ctx));

  router.post('/admin/operators', loadOperator, async (ctx) => {
    const body = formBody(ctx);
    const input = createForm.safeParse(body).data ?? { handle: '', reauth_code: '' };
    const roles = ROLES.filter((role) => body[`role_${role}`] === 'on');
    try {
      const enrolment = await operations.perform('operators.create', actorOf(ctx), { handle: input.handle, roles }, { reauthCode: input.reauth_code });
      await page(ctx, 'admin-enrolment-code', 'admin.operators.created.title', {
        enrolment: { ...enrolment, expires: formatWhen(new Date(enrolment.expires_at)) }, enrolUrl: `${issuer}/admin/enrol`,
      }, { pagePath: '/admin/operators' });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      await showList(ctx, problem, input.handle.slice(0, 64));
    }
  });

  router.post('/admin/operators/:id/reenrol', loadOperator, async (ctx) => {
    const input = createForm.safeParse(formBody(ctx)).data ?? { handle: '', reauth_code: '' };
    try {
      const enrolment = await operations.perform('operators.reenrol', actorOf(ctx), { operatorId: ctx.params.id! }, { reauthCode: input.reauth_code });
      await page(ctx, 'admin-enrolment-code', 'admin.operators.created.title', {
        enrolment: { ...enrolment, expires: formatWhen(new Date(enrolment.expires_at)) }, enrolUrl: `${issuer}/admin/enrol`,
      }, { pagePath: '/admin/operators' });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      await showList(ctx, problem);
    }
  });

  router.post('/admin/operators/:id/disable', loadOperator, async (ctx) => {
    const input = createForm.safeParse(formBody(ctx)).data ?? { handle: '', reauth_code: '' };
    try {
      await operations.perform('operators.disable', actorOf(ctx), { operatorId: ctx.params.id! }, { reauthCode: input.reauth_code });
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      return showList(ctx, problem);
    }
    ctx.status = 303;
    ctx.redirect('/admin/operators');
  });

  return router;
}
