// Identity assurance on the account pages (/account/assurance): the current level, and a fresh
// single-use challenge as a QR code (inline SVG, no script) and a short code for the attester's
// app or counter; posting the attestation raises the level (proofing/assurance-raise.ts).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Container } from '../container.js';
import { FormError } from '../errors.js';
import { attestationFields } from './attestation-fields.js';
import { formBody } from '../web/form-body.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';

const raiseForm = z.object({ challenge: z.string().max(40).default(''), attestation: z.string().max(8192).default('') });

export function createAccountAssuranceRouter(deps: Pick<Container, 'assuranceRaise' | 'attestations' | 'accountSessions' | 'citizens' | 'render' | 'config'>): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);

  async function show(ctx: Context, status: number, errors: Record<string, string> = {}) {
    const citizen = signedInCitizen(ctx);
    const attest = await attestationFields(deps.attestations, deps.config.issuer);
    await deps.render(ctx, 'account-assurance', {
      titleKey: 'account.assurance.title',
      status,
      data: {
        level: citizen.identity_assurance,
        errors,
        ...attest,
      },
    });
  }

  router.get('/account/assurance', loadCitizen, (ctx) => show(ctx, 200));

  router.post('/account/assurance', loadCitizen, async (ctx) => {
    const parsed = raiseForm.safeParse(formBody(ctx));
    const input = parsed.success ? parsed.data : raiseForm.parse({});
    try {
      await deps.assuranceRaise.raise(signedInCitizen(ctx), input);
    } catch (error) {
      if (error instanceof FormError) return show(ctx, 400, error.fields);
      throw error;
    }
    ctx.status = 303;
    ctx.redirect('/account/security?done=assurance_raised');
  });

  return router;
}
