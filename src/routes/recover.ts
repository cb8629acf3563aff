// Account recovery: re-prove the identity document (and, for a stronger account, bring an
// attestation for the challenge this page shows), choose a new password. Completing ends
// every session; facts alone on an account with a second factor start a wait instead
// (services/account-recovery.ts).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { DOCUMENT_TYPES } from '../identity/documents.js';
import { FormError } from '../errors.js';
import type { AccountRecovery } from '../services/account-recovery.js';
import type { AttestationVerifier } from '../proofing/attestations.js';
import { formatWhen } from '../web/activity-text.js';
import type { RenderView } from '../web/views.js';
import { formBody } from '../web/form-body.js';
import { isLanguageSwitch } from '../web/language-switch.js';
import { attestationFields } from './attestation-fields.js';

const recoveryForm = z.object({
  cyberspace_id: z.string().max(100).default(''),
  document_type: z.string().max(40).default(''),
  document_number: z.string().max(64).default(''),
  name: z.string().max(256).default(''),
  birth_date: z.string().max(16).default(''),
  password: z.string().max(1024).default(''),
  challenge: z.string().max(40).default(''),
  attestation: z.string().max(8192).default(''),
});

type Dependencies = { recovery: AccountRecovery; attestations: AttestationVerifier; render: RenderView; config: { issuer: string } };

export function createRecoverRouter(deps: Dependencies): Router {
  const router = new Router({ prefix: '/recover' });
  async function show(ctx: Context, status: number, values: Record<string, string>, errors: Record<string, string> = {}) {
    const attest = await attestationFields(deps.attestations, deps.config.issuer);
    await deps.render(ctx, 'recover', {
      titleKey: 'recover.title',
      status,
      // Reached by a post, the switch sends the non-secret input again (a GET keeps the link).
      switchForm: ctx.method === 'POST' ? { action: '/recover', fields: { cyberspace_id: values.cyberspace_id ?? '', document_type: values.document_type ?? '', document_number: values.document_number ?? '', name: values.name ?? '', birth_date: values.birth_date ?? '' } } : undefined,
      data: { values: { ...values, password: '', attestation: '' }, errors, documentTypes: DOCUMENT_TYPES, attest },
    });
  }

  router.get('/', (ctx) => show(ctx, 200, {}));

  router.post('/', async (ctx) => {
    const parsed = recoveryForm.safeParse(formBody(ctx));
    const values = parsed.success ? parsed.data : recoveryForm.parse({});
    if (isLanguageSwitch(ctx)) return show(ctx, 200, values); // only the language changes
    let outcome;
    try {
      outcome = await deps.recovery.recover({
        cyberspaceId: values.cyberspace_id,
        documentType: values.document_type,
        documentNumber: values.document_number,
        name: values.name,
        birthDate: values.birth_date,
        newPassword: values.password,
        challenge: values.challenge,
        attestation: values.attestation,
      });
    } catch (error) {
      if (error instanceof FormError) return show(ctx, 400, values, error.fields);
      throw error;
    }
    if (outcome.status === 'waiting') {
      return deps.render(ctx, 'recover-waiting', {
        titleKey: 'recover.waiting.title',
        status: 202,
        data: { completesAt: formatWhen(outcome.completesAt), started: outcome.started },
      });
    }
    ctx.status = 303;
    ctx.redirect('/account/login?done=recovered');
  });

  return router;
}
