// The assurance vocabulary of sign-in: the `acr` values we issue, the level each one stands for,
// and how a finished sign-in's methods (`amr`, RFC 8176 §2) map to one. oidc-provider's
// configuration (acrValues, discovery's acr_values_supported) reads ACR_VALUES from here.
// Levels follow eIDAS LoA naming: a password alone is low; a password with a second factor, or
// a passkey (user-verified, phishing-resistant), is substantial (docs/claims.md).

export const ACR_PASSWORD = 'urn:cyberspace-id:acr:password';
/** The password and a second factor: an authenticator code (RFC 6238) or one of its recovery codes. */
export const ACR_PASSWORD_TOTP = 'urn:cyberspace-id:acr:password+totp';
/** A user-verified passkey (WebAuthn), on its own. */
export const ACR_PASSKEY = 'urn:cyberspace-id:acr:passkey';

export const ACR_VALUES = [ACR_PASSWORD, ACR_PASSWORD_TOTP, ACR_PASSKEY] as const;
export type Acr = (typeof ACR_VALUES)[number];

export const SIGN_IN_LEVELS = ['low', 'substantial'] as const;
export type SignInLevel = (typeof SIGN_IN_LEVELS)[number];

const LEVEL_OF: Record<Acr, SignInLevel> = {
  [ACR_PASSWORD]: 'low',
  [ACR_PASSWORD_TOTP]: 'substantial',
  [ACR_PASSKEY]: 'substantial',
};

export const isAcr = (value: unknown): value is Acr => typeof value === 'string' && (ACR_VALUES as readonly string[]).includes(value);

/** The level an acr stands for; an unknown or missing acr is below every level we issue. */
export const levelOf = (acr: unknown): SignInLevel | undefined => (isAcr(acr) ? LEVEL_OF[acr] : undefined);

export const rank = (level: SignInLevel | undefined) => (level === undefined ? -1 : SIGN_IN_LEVELS.indexOf(level));

/** Whether `acr` reaches `level`. */
export const reaches = (acr: unknown, level: SignInLevel) => rank(levelOf(acr)) >= rank(level);

/**
 * The acr a sign-in earned from its methods (amr values, RFC 8176): a passkey (hwk or swk with
 * user verification) is ACR_PASSKEY; a password plus a one-time code is ACR_PASSWORD_TOTP.
 */
export function acrFor(amr: readonly string[]): Acr {
  if ((amr.includes('hwk') || amr.includes('swk')) && (amr.includes('user') || amr.includes('pin'))) return ACR_PASSKEY;
  if (amr.includes('pwd') && amr.includes('otp')) return ACR_PASSWORD_TOTP;
  return ACR_PASSWORD;
}

/** The acr values that reach `level`, lowest first (what a step-up to it may end with). */
export const acrsReaching = (level: SignInLevel): Acr[] => ACR_VALUES.filter((acr) => reaches(acr, level));
