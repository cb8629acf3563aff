// The contract every way of proving who you are implements. A method only checks its own
// evidence and says which RFC 8176 method references it earned; the sequence (sequence.ts)
// decides what comes next and does the audit, metrics, device notice and rate limit once.
// Two roles, as in logto's verification records (one record per method):
// - a first factor identifies the citizen (password; passkey). A first factor that is itself
//   multi-factor says so in its amr (a user-verified passkey: hwk/swk + user), and no second
//   step follows (acr.ts acrFor);
// - a second factor proves more for a citizen a first factor (or a session) already identified
//   (authenticator code; recovery code).
// To add a method: implement FirstFactor or SecondFactor and list it where the sign-in is built
// (src/container.ts); routes then call signIn.begin / signIn.proceed with its id.
import type { CitizenRow } from '../queries/citizens.js';

export type MethodId = 'password' | 'passkey' | 'totp' | 'recovery_code';

/** The fields a method reads (a form's, or a JSON body's); each method validates its own. */
export type MethodInput = Readonly<Record<string, unknown>>;

/** `citizenId` names the account attacked (its audit log, its notice), never shown to anyone. */
export type MethodFailure = { ok: false; reason: string; citizenId?: string };

export type FirstFactorResult = { ok: true; citizen: CitizenRow; amr: string[] } | MethodFailure;
export type SecondFactorResult = { ok: true; amr: string[] } | MethodFailure;

/**
 * The account an input names: `key` for the per-account limit, `citizenId` when it exists, and
 * the row as read, so that verify() need not read it a second time in the same sign-in.
 */
export type ClaimedAccount = { key: string; citizenId?: string; citizen?: CitizenRow };

/** Account states a sign-in may end in (the dashboard admits suspended citizens). */
export type AllowedStatuses = ReadonlyArray<CitizenRow['status']>;

export type FirstFactor = {
  id: MethodId;
  role: 'first';
  /**
   * The account the input names, found without computing anything costly, so the per-account
   * limit is checked before any hash. `undefined` when the input names none (a discoverable
   * passkey) or cannot (a malformed ID): then only the per-address limit applies.
   */
  claimedAccount(input: MethodInput): Promise<ClaimedAccount | undefined>;
  /** `claimed`: what claimedAccount answered for this same input, moments before. */
  verify(input: MethodInput, allow: AllowedStatuses, claimed?: ClaimedAccount): Promise<FirstFactorResult>;
};

/** Where a second factor is being used (a recovery code's use is told to the citizen with it). */
export type SecondFactorContext = { device: string; clientId?: string };

export type SecondFactor = {
  id: MethodId;
  role: 'second';
  /**
   * Stands in for the citizen's other factors (a recovery code): offered beside them, but never
   * on its own the reason a second step is asked; asked when the request needs the level and
   * nothing else the citizen has can be used here (a passkey-only citizen who typed the password).
   */
  standsIn?: boolean;
  /** Whether the citizen has set this method up. */
  availableFor(citizen: CitizenRow): boolean | Promise<boolean>;
  verify(citizen: CitizenRow, input: MethodInput, context: SecondFactorContext): Promise<SecondFactorResult>;
};

export type SignInMethod = FirstFactor | SecondFactor;
