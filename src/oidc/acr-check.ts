// The login prompt is requested again when the session's sign-in is below what this request
// needs (src/sign-in/requirement.ts: the ISP's acr_values or essential acr claim, OIDC Core
// §5.5.1.1, and the operator's minimum for the ISP). The interaction then steps the session up
// with a second factor, or says honestly that the citizen cannot reach it: never a silent
// downgrade. With prompt=none the ISP gets interaction_required (§3.1.2.6).
// A voluntary request is only stepped up for a citizen who has a second factor; one without is
// shown the choice once at sign-in (the interaction's step-up page), and the ID token's acr says
// what they reached.
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { meets, requirementOf, type AcrRequest } from '../sign-in/requirement.js';
import { MIN_ACR_PROPERTY } from './client-metadata.js';

export const ACR_INSUFFICIENT = 'acr_insufficient';

const { Check } = interactionPolicy;

export const clientMinimumAcr = (client: unknown) => (client as Record<string, unknown> | undefined)?.[MIN_ACR_PROPERTY];

export const acrCheck = () =>
  new Check(ACR_INSUFFICIENT, 'the sign-in is below the level this request requires', 'interaction_required', (ctx: KoaContextWithOIDC) => {
    const { oidc } = ctx;
    if (!oidc.session?.accountId) return Check.NO_NEED_TO_PROMPT;
    const request = (oidc.claims as { id_token?: { acr?: AcrRequest } } | undefined)?.id_token?.acr;
    const requirement = requirementOf(request, clientMinimumAcr(oidc.client));
    if (meets(oidc.acr, requirement)) return Check.NO_NEED_TO_PROMPT;
    const account = (oidc.entities as { Account?: { hasSecondFactor?: boolean } }).Account;
    return requirement.essential || account?.hasSecondFactor ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
  });
