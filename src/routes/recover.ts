// Password recovery: re-prove the identity document, choose a new password; every session ends.
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { DOCUMENT_TYPES } from '../identity/documents.js';
import { FormError } from '../errors.js';
import type { AccountLifecycle } from '../services/account-lifecycle.js';
import type { RenderView } from '../web/views.js';
import { formBody } from '../web/form-body.js';

const recoveryForm = z.object({
  cyberspace_id: z.string().max(100).default(''),
  document_type: z.string().max(40).default(''),
  document_number: z.string().max(64).default(''),
  name: z.string().max(256).default(''),
  birth_date: z.string().max(16).default(''),
  password: z.string().max(1024).default(''),
});

export function createRecoverRouter(deps: { lifecycle: AccountLifecycle; render: RenderView }): Router {
  const router = new Router({ prefix: '/recover' });
  const show = (ctx: Context, status: number, values: Record<string, string>, errors: Record<string, string> = {}) =>
    deps.render(ctx, 'recover', { titleKey: 'recover.title', status, data: { values: { ...values, password: '' }, errors, documentTypes: DOCUMENT_TYPES } });

  router.get('/', (ctx) => show(ctx, 200, {}));

  router.post('/', async (ctx) => {
    const parsed = recoveryForm.safeParse(formBody(ctx));
    const values = parsed.success ? parsed.data : recoveryForm.parse({});
    try {
      await deps.lifecycle.recover({
        cyberspaceId: values.cyberspace_id,
        documentType: values.document_type,
        documentNumber: values.document_number,
        name: values.name,
        birthDate: values.birth_date,
        newPassword: values.password,
      });
    } catch (error) {
      if (error instanceof FormError) return show(ctx, 400, values, error.fields);
      throw error;
    }
    ctx.status = 303;
    ctx.redirect('/account/login?done=recovered');
  });

  return router;
}
