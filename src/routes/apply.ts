// Applying for a cyberspace ID in the browser: privacy notice → document details → the new ID.
// Also used by a signed-in guardian applying for a child under 14 (routes/account.ts).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { DOCUMENT_TYPES } from '../identity/documents.js';
import { formatForReading } from '../ids/cyberspace-id.js';
import { FormError, UnavailableError } from '../errors.js';
import type { ApplicationService } from '../services/applications.js';
import type { CitizenRow } from '../queries/citizens.js';
import type { RenderView } from '../web/views.js';
import type { CounterStore } from '../storage/model-store.js';
import type { ApplicationTokens } from '../web/application-cookie.js';
import { formBody } from '../web/form-body.js';
import { isLanguageSwitch } from '../web/language-switch.js';
import type { AttestationVerifier } from '../proofing/attestations.js';
import { attestationFields } from './attestation-fields.js';

const applicationForm = z.object({
  document_type: z.string().max(40).default(''),
  document_number: z.string().max(64).default(''),
  name: z.string().max(256).default(''),
  birth_date: z.string().max(16).default(''),
  password: z.string().max(1024).default(''),
  guardian: z.string().max(100).default(''),
  challenge: z.string().max(40).default(''),
  attestation: z.string().max(8192).default(''),
});

export type ApplicationFormValues = z.infer<typeof applicationForm>;

export function parseApplicationForm(ctx: Context): ApplicationFormValues {
  const parsed = applicationForm.safeParse(formBody(ctx));
  return parsed.success ? parsed.data : applicationForm.parse({});
}

/** Renders the details form, or handles its submission; shared by self and guardian applications. */
export type ApplyDependencies = {
  applications: ApplicationService;
  attestations: Pick<AttestationVerifier, 'issueChallenge'>;
  render: RenderView;
  ephemeral: CounterStore;
  config: { issuer: string; rateLimit: { applicationsPerAddressPerWindow: number; windowSeconds: number } };
  applicationTokens: ApplicationTokens;
};

/** Submissions per client address: each one asks the identity authority, which must not become an oracle. */
async function throttled(ctx: Context, deps: ApplyDependencies): Promise<boolean> {
  const { applicationsPerAddressPerWindow, windowSeconds } = deps.config.rateLimit;
  return (await deps.ephemeral.increment(`apply:${ctx.ip}`, windowSeconds)) > applicationsPerAddressPerWindow;
}

/** What the language switch sends again of an application: all but the password and the attestation. */
const typedAgain = (values: ApplicationFormValues) => ({
  document_type: values.document_type, document_number: values.document_number, name: values.name, birth_date: values.birth_date, guardian: values.guardian,
});

export async function handleApplication(
  ctx: Context,
  deps: ApplyDependencies,
  options: { action: string; guardian?: CitizenRow },
): Promise<void> {
  const values = parseApplicationForm(ctx);
  const forChild = options.guardian !== undefined;
  const showForm = async (status: number, errors: Record<string, string> = {}, unavailable = false) =>
    deps.render(ctx, 'apply-form', {
      titleKey: forChild ? 'apply.child.details.title' : 'apply.details.title',
      status,
      switchForm: { action: options.action, fields: { notice: 'accepted', ...typedAgain(values) } },
      data: { action: options.action, documentTypes: DOCUMENT_TYPES, values: { ...values, password: '', attestation: '' }, errors, unavailable, forChild, attest: await attestationFields(deps.attestations, deps.config.issuer) },
    });
  // Only the language changes: the form again with what was typed, nothing checked or counted.
  if (isLanguageSwitch(ctx)) return showForm(200);
  if (await throttled(ctx, deps)) return showForm(429, { identity: 'throttled' });
  try {
    const result = await deps.applications.apply({
      documentType: values.document_type,
      documentNumber: values.document_number,
      name: values.name,
      birthDate: values.birth_date,
      password: values.password,
      guardianCyberspaceId: forChild ? undefined : values.guardian,
      challenge: values.challenge,
      attestation: values.attestation,
      // Only a person's own application can be shown again; a guardian sees the child's ID on their pages.
      applicationTokenHash: forChild ? undefined : deps.applicationTokens.hashOf(ctx),
    }, options.guardian);
    if (!forChild) deps.applicationTokens.clear(ctx);
    ctx.set('cache-control', 'no-store');
    await deps.render(ctx, 'apply-done', {
      titleKey: 'apply.done.title',
      status: 201,
      data: { cyberspaceId: formatForReading(result.cyberspaceId), pending: result.status === 'pending_guardian', forChild, again: false },
    });
  } catch (error) {
    if (error instanceof FormError) return showForm(400, error.fields);
    if (error instanceof UnavailableError) return showForm(503, {}, true);
    throw error;
  }
}

export function createApplyRouter(deps: ApplyDependencies): Router {
  const router = new Router({ prefix: '/apply' });
  const notice = (ctx: Context, error = false) =>
    deps.render(ctx, 'apply-notice', { titleKey: 'apply.title', status: error ? 400 : 200, data: { action: '/apply', error, forChild: false } });

  // The same browser, back after an answer that never arrived: its new ID, once more.
  router.get('/', async (ctx) => {
    const tokenHash = deps.applicationTokens.hashOf(ctx);
    const committed = tokenHash ? await deps.applications.takeByApplicationToken(tokenHash) : undefined;
    if (!committed) return notice(ctx);
    deps.applicationTokens.clear(ctx);
    ctx.set('cache-control', 'no-store');
    await deps.render(ctx, 'apply-done', {
      titleKey: 'apply.done.title',
      data: { cyberspaceId: formatForReading(committed.cyberspaceId), pending: committed.status === 'pending_guardian', forChild: false, again: true },
    });
  });

  // The notice is accepted by posting it; only then is the details form shown.
  router.post('/', async (ctx) => {
    if (formBody(ctx).accept !== 'yes') return notice(ctx, true);
    deps.applicationTokens.issue(ctx);
    await deps.render(ctx, 'apply-form', {
      titleKey: 'apply.details.title',
      switchForm: { action: '/apply', fields: { accept: 'yes' } },
      data: { action: '/apply/submit', documentTypes: DOCUMENT_TYPES, values: parseApplicationForm(ctx), errors: {}, unavailable: false, forChild: false, attest: await attestationFields(deps.attestations, deps.config.issuer) },
    });
  });

  router.post('/submit', async (ctx) => {
    if (formBody(ctx).notice !== 'accepted') return notice(ctx, true);
    await handleApplication(ctx, deps, { action: '/apply/submit' });
  });

  return router;
}
