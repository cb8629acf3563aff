// What a sign-in must reach: from the ISP's request (acr_values, voluntary; or the claims
// parameter's id_token.acr, essential or not, OIDC Core §5.5.1.1) and the operator's minimum
// for the ISP (client-metadata.ts `cyberid_min_acr`, a level).
// - A voluntary request asks for the lowest level among the values it lists (any of them would
//   do for the ISP); an essential one must end with one of its values exactly (§5.5.1.1: "MUST
//   return an acr Claim Value that matches one of the requested values").
// - The operator's minimum is always essential: below it the ISP's sign-ins are refused.
import { isAcr, levelOf, rank, reaches, SIGN_IN_LEVELS, type Acr, type SignInLevel } from './acr.js';

export type Requirement = {
  level: SignInLevel;
  /** True when falling short must be refused (unmet_authentication_requirements), not offered. */
  essential: boolean;
  /** An essential request's values: the sign-in must end with one of them. */
  acrs?: Acr[];
};

export const NO_REQUIREMENT: Requirement = { level: 'low', essential: false };

export type AcrRequest = { essential?: boolean; value?: unknown; values?: unknown };

const higher = (a: SignInLevel, b: SignInLevel) => (rank(a) >= rank(b) ? a : b);

const isLevel = (value: unknown): value is SignInLevel => (SIGN_IN_LEVELS as readonly unknown[]).includes(value);

/** `clientMinimum`: the operator's minimum for the ISP, a level (client-metadata.ts). */
export function requirementOf(request: AcrRequest | undefined, clientMinimum: unknown): Requirement {
  const minimum = isLevel(clientMinimum) ? clientMinimum : undefined;
  const asked = request ? (Array.isArray(request.values) ? request.values : request.value !== undefined ? [request.value] : []) : [];
  const known = asked.filter(isAcr);
  // Values we do not issue are ignored when voluntary; an essential request made only of those
  // cannot be met (acrs is then empty).
  const requested: SignInLevel | undefined = known.length
    ? known.map((acr) => levelOf(acr)!).reduce((a, b) => (rank(a) <= rank(b) ? a : b))
    : undefined;
  const essential = request?.essential === true && asked.length > 0;
  const level = higher(requested ?? 'low', minimum ?? 'low');
  return {
    level,
    essential: essential || minimum !== undefined && rank(minimum) > 0,
    ...(essential ? { acrs: known } : {}),
  };
}

/** Whether a sign-in that earned `acr` meets the requirement. */
export const meets = (acr: unknown, requirement: Requirement) =>
  reaches(acr, requirement.level) && (!requirement.acrs || requirement.acrs.includes(acr as Acr));

/**
 * The acr request in an authorization request's parameters, as oidc-provider reads it: the
 * claims parameter's id_token.acr, else acr_values as a voluntary request (OIDC Core §3.1.2.1).
 */
export function acrRequestOf(params: Record<string, unknown>): AcrRequest | undefined {
  if (typeof params.claims === 'string') {
    try {
      const acr = (JSON.parse(params.claims) as { id_token?: { acr?: unknown } }).id_token?.acr;
      if (acr && typeof acr === 'object') return acr as AcrRequest;
    } catch {
      // oidc-provider has already refused a malformed claims parameter before any interaction.
    }
  }
  return typeof params.acr_values === 'string' && params.acr_values ? { values: params.acr_values.split(' ') } : undefined;
}
