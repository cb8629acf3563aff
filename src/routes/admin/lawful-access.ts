// The lawful-access officers' page (docs/lawful-access.md): the ledger, a new request, and each
// request's next steps — approve (another officer), reveal (the requester or the approver, once,
// within the time limit) and refuse. Request, approval and reveal need a fresh authenticator
// code. The disclosure is one page sent with no-store and never shown again; the language switch
// on it leaves it (the page cannot be fetched twice).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { OperatorArea } from '../../operators/index.js';
import { formBody } from '../../web/form-body.js';
import { formatWhen } from '../../web/activity-text.js';
import { actorOf, requireOperator, signedInOperator } from './guard.js';
import { problemOf, type ConsolePage, type Problem } from './page.js';

type Deps = Pick<OperatorArea, 'operations' | 'authentication'> & { page: ConsolePage };

const text = (max: number) => z.string().max(max).default('');
const requestForm = z.object({
  cyberspace_id: text(64), pairwise_id: text(64), client_id: text(64),
  case_reference: text(64), authority_code: text(32), embargo_until: text(10), reauth_code: text(20),
});
const stepForm = z.object({ reauth_code: text(20) });
const DONE = new Set(['requested', 'approved', 'refused']);

export function createAdminLawfulAccessRouter({ operations, authentication, page }: Deps): Router {
  const router = new Router();
  const loadOperator = requireOperator(authentication);
  const empty = requestForm.parse({});

  async function show(ctx: Context, options: { problem?: Problem; entered?: z.infer<typeof requestForm>; done?: string } = {}) {
    const me = signedInOperator(ctx).id;
    const requests = await operations.perform('lawful_access.list', actorOf(ctx), {});
    await page(ctx, 'admin-lawful-access', 'admin.lawful_access.title', {
      requests: requests.map((r) => ({
        ...r,
        created: formatWhen(new Date(r.created_at)),
        mayApprove: r.status === 'pending' && r.requesting_officer !== me,
        mayReveal: r.status === 'approved' && (r.requesting_officer === me || r.approving_officer === me),
        mayRefuse: r.status === 'pending' || r.status === 'approved',
      })),
      problem: options.problem,
      entered: { ...(options.entered ?? empty), reauth_code: '' },
      done: options.done,
    }, { status: options.problem?.status, pagePath: '/admin/lawful-access' });
  }

  const failed = async (ctx: Context, error: unknown, entered?: z.infer<typeof requestForm>) => {
    const problem = problemOf(error);
    if (!problem) throw error;
    return show(ctx, { problem, entered });
  };

  router.get('/admin/lawful-access', loadOperator, (ctx) => show(ctx, { done: typeof ctx.query.done === 'string' && DONE.has(ctx.query.done) ? ctx.query.done : undefined }));

  router.post('/admin/lawful-access', loadOperator, async (ctx) => {
    const input = requestForm.safeParse(formBody(ctx)).data ?? empty;
    const byPairwise = input.pairwise_id.trim() !== '' || input.client_id.trim() !== '';
    try {
      await operations.perform('lawful_access.request', actorOf(ctx), {
        ...(byPairwise ? { pairwiseId: input.pairwise_id.trim(), clientId: input.client_id.trim() } : { cyberspaceId: input.cyberspace_id }),
        caseReference: input.case_reference.trim(),
        authorityCode: input.authority_code.trim(),
        embargoUntil: input.embargo_until.trim() || undefined,
      }, { reauthCode: input.reauth_code });
    } catch (error) {
      return failed(ctx, error, input);
    }
    ctx.status = 303;
    ctx.redirect('/admin/lawful-access?done=requested');
  });

  for (const step of ['approve', 'refuse'] as const) {
    router.post(`/admin/lawful-access/:id/${step}`, loadOperator, async (ctx) => {
      const { reauth_code: reauthCode } = stepForm.safeParse(formBody(ctx)).data ?? { reauth_code: '' };
      try {
        await operations.perform(step === 'approve' ? 'lawful_access.approve' : 'lawful_access.refuse', actorOf(ctx), { id: ctx.params.id! }, { reauthCode });
      } catch (error) {
        return failed(ctx, error);
      }
      ctx.status = 303;
      ctx.redirect(`/admin/lawful-access?done=${step === 'approve' ? 'approved' : 'refused'}`);
    });
  }

  router.post('/admin/lawful-access/:id/reveal', loadOperator, async (ctx) => {
    const { reauth_code: reauthCode } = stepForm.safeParse(formBody(ctx)).data ?? { reauth_code: '' };
    try {
      const disclosure = await operations.perform('lawful_access.reveal', actorOf(ctx), { id: ctx.params.id! }, { reauthCode });
      await page(ctx, 'admin-disclosure', 'admin.disclosure.title', {
        disclosure,
        log: disclosure.authentication_log.map((e) => ({ ...e, when: formatWhen(new Date(e.occurred_at)), detailText: JSON.stringify(e.details) })),
      }, { pagePath: '/admin/lawful-access' });
    } catch (error) {
      return failed(ctx, error);
    }
  });

  return router;
}
