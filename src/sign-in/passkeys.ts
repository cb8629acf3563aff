// Passkeys (WebAuthn Level 3) through @simplewebauthn/server: the two ceremonies, their
// challenges, and the citizen's list. The RP ID and the one accepted origin come from ISSUER,
// never from a request. Each challenge is random, held in the ephemeral store under what it is
// bound to (an interaction uid, or the account page's session) for CHALLENGE_SECONDS, and
// consumed by the first response that names that binding: a replay, or a response to an older
// challenge, is refused. User verification is required in both ceremonies. Adding or removing
// one commits with its audit entry and notice (services/account-events.ts).
import { createHash, createHmac } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { CitizenRow } from '../queries/citizens.js';
import type { PasskeyQueries, PasskeyRow } from '../queries/passkeys.js';
import type { ModelStore } from '../storage/model-store.js';
import type { AccountEvents } from '../services/account-events.js';

export const CHALLENGE_SECONDS = 300;
export const NAME_MAX = 64;
const CHALLENGE = 'PasskeyChallenge';
const TRANSPORTS: readonly string[] = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'];

type Dependencies = {
  queries: PasskeyQueries;
  store: ModelStore;
  issuer: string;
  /** Keys the user handle given to authenticators, so it reveals nothing about the citizen. */
  userHandleSecret: Buffer;
  events: AccountEvents;
  rpName?: string;
  /** How long a challenge may be answered (tests shorten it). */
  challengeSeconds?: number;
};

export type Ceremony = 'register' | 'sign_in';

/** A passkey as its owner sees it on the dashboard. */
export type PasskeySummary = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; synced: boolean };

export type PasskeyCheck =
  | { ok: true; citizenId: string; amr: string[] }
  | { ok: false; reason: 'expired' | 'invalid_credentials'; citizenId?: string };

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/** A citizen's label for a passkey: trimmed, one line, at most NAME_MAX characters. */
export const cleanName = (value: unknown) =>
  typeof value === 'string' ? value.normalize('NFC').replace(/[\p{Cc}\p{Cf}]/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, NAME_MAX) : '';

/**
 * RFC 8176 §2: a synced passkey (backup eligible) is a software-secured key ("swk"), a
 * device-bound one is hardware-secured ("hwk"); "user" because user verification is required.
 */
export const amrFor = (passkey: Pick<PasskeyRow, 'backup_eligible'>) => [passkey.backup_eligible ? 'swk' : 'hwk', 'user'];

export function createPasskeys(deps: Dependencies) {
  const issuer = new URL(deps.issuer);
  const rpID = issuer.hostname;
  const origin = issuer.origin;
  const challengeId = (ceremony: Ceremony, binding: string) => digest(`${ceremony}:${binding}`);

  async function holdChallenge(ceremony: Ceremony, binding: string, challenge: string, citizenId?: string) {
    await deps.store.upsert(CHALLENGE, challengeId(ceremony, binding), { challenge, ...(citizenId ? { citizenId } : {}) }, deps.challengeSeconds ?? CHALLENGE_SECONDS);
  }

  /** The challenge held for this binding, consumed: only the first caller gets it. */
  async function takeChallenge(ceremony: Ceremony, binding: string): Promise<{ challenge: string; citizenId?: string } | undefined> {
    if (!binding || binding.length > 200) return undefined;
    const id = challengeId(ceremony, binding);
    const held = await deps.store.find(CHALLENGE, id);
    if (!held || typeof held.challenge !== 'string' || held.consumed) return undefined;
    if (!(await deps.store.consume(CHALLENGE, id))) return undefined;
    await deps.store.destroy(CHALLENGE, id);
    return { challenge: held.challenge, citizenId: typeof held.citizenId === 'string' ? held.citizenId : undefined };
  }

  const parse = <T>(value: unknown): T | undefined => {
    if (typeof value !== 'string' || value.length > 20_000) return undefined;
    try {
      const parsed: unknown = JSON.parse(value);
      return parsed && typeof parsed === 'object' && typeof (parsed as { id?: unknown }).id === 'string' ? (parsed as T) : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    rpID,
    origin,

    /** Options for navigator.credentials.create(), for a signed-in citizen on the dashboard. */
    async registrationOptions(citizen: CitizenRow, binding: string) {
      const existing = await deps.queries.listPasskeys(citizen.id);
      const options = await generateRegistrationOptions({
        rpName: deps.rpName ?? 'Cyberspace ID',
        rpID,
        userID: createHmac('sha256', deps.userHandleSecret).update(`passkey-user:${citizen.id}`).digest(),
        // What the browser shows in its passkey list; stays on the citizen's device.
        userName: citizen.cyberspace_id,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports as AuthenticatorTransportFuture[] })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      });
      await holdChallenge('register', binding, options.challenge, citizen.id);
      return options;
    },

    /** Verifies a registration response and stores the new passkey under `name`. */
    async register(citizen: CitizenRow, binding: string, responseJson: unknown, name: unknown): Promise<{ ok: true; first: boolean } | { ok: false; reason: string }> {
      const label = cleanName(name);
      const response = parse<RegistrationResponseJSON>(responseJson);
      if (!response) return { ok: false, reason: 'malformed' };
      const held = await takeChallenge('register', binding);
      if (!held || held.citizenId !== citizen.id) return { ok: false, reason: 'expired' };
      let verification;
      try {
        verification = await verifyRegistrationResponse({ response, expectedChallenge: held.challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true });
      } catch {
        return { ok: false, reason: 'refused' };
      }
      if (!verification.verified) return { ok: false, reason: 'refused' };
      const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
      if (await deps.queries.findPasskey(credential.id)) return { ok: false, reason: 'refused' };
      const first = (await deps.queries.countPasskeys(citizen.id)) === 0;
      const row = {
        credential_id: credential.id,
        citizen_id: citizen.id,
        public_key: Buffer.from(credential.publicKey),
        sign_count: credential.counter,
        backup_eligible: credentialDeviceType === 'multiDevice',
        backed_up: credentialBackedUp,
        transports: (credential.transports ?? []).filter((t) => TRANSPORTS.includes(t)),
        device_type: credentialDeviceType,
        name: label || 'Passkey',
      };
      await deps.events.run(async ({ trx, record }) => {
        await deps.queries.insertPasskey(row, trx);
        await record({ type: 'account.passkey_added', citizenId: citizen.id, actor: 'citizen' });
      });
      return { ok: true, first };
    },

    /**
     * Options for navigator.credentials.get() with no allowCredentials: any discoverable
     * passkey for this RP may answer, so the citizen need not type their cyberspace ID.
     */
    async authenticationOptions(binding: string) {
      const options = await generateAuthenticationOptions({ rpID, userVerification: 'required' });
      await holdChallenge('sign_in', binding, options.challenge);
      return options;
    },

    /** Verifies an assertion for the challenge bound to `binding`; records its use. */
    async authenticate(binding: string, responseJson: unknown): Promise<PasskeyCheck> {
      const response = parse<AuthenticationResponseJSON>(responseJson);
      const held = await takeChallenge('sign_in', binding);
      if (!held) return { ok: false, reason: 'expired' };
      if (!response) return { ok: false, reason: 'invalid_credentials' };
      const passkey = await deps.queries.findPasskey(response.id);
      if (!passkey) return { ok: false, reason: 'invalid_credentials' };
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge: held.challenge,
          expectedOrigin: origin,
          expectedRPID: rpID,
          requireUserVerification: true,
          credential: { id: passkey.credential_id, publicKey: new Uint8Array(passkey.public_key), counter: passkey.sign_count, transports: passkey.transports as AuthenticatorTransportFuture[] },
        });
      } catch {
        // Wrong origin or RP ID, a bad signature, no user verification, or a counter that did
        // not grow (a cloned authenticator, WebAuthn §6.1.1).
        return { ok: false, reason: 'invalid_credentials', citizenId: passkey.citizen_id };
      }
      const info = verification.authenticationInfo;
      // Backup eligibility is fixed when the credential is made (WebAuthn §6.1.3); a change means
      // this is not the authenticator that registered it.
      if (!verification.verified || !info.userVerified || (info.credentialDeviceType === 'multiDevice') !== passkey.backup_eligible) {
        return { ok: false, reason: 'invalid_credentials', citizenId: passkey.citizen_id };
      }
      if (!(await deps.queries.recordUse(passkey.credential_id, passkey.sign_count, info.newCounter, info.credentialBackedUp))) {
        return { ok: false, reason: 'invalid_credentials', citizenId: passkey.citizen_id };
      }
      return { ok: true, citizenId: passkey.citizen_id, amr: amrFor(passkey) };
    },

    async list(citizenId: string): Promise<PasskeySummary[]> {
      return (await deps.queries.listPasskeys(citizenId)).map((p) => ({ id: p.credential_id, name: p.name, createdAt: p.created_at, lastUsedAt: p.last_used_at, synced: p.backup_eligible }));
    },
    has: async (citizenId: string) => (await deps.queries.countPasskeys(citizenId)) > 0,
    rename: (citizenId: string, credentialId: string, name: unknown) => {
      const label = cleanName(name);
      return label ? deps.queries.renamePasskey(citizenId, credentialId, label) : Promise.resolve(false);
    },
    /** False when the citizen has no such passkey (nothing is recorded). */
    remove: (citizenId: string, credentialId: string) => deps.events.run(async ({ trx, record }) => {
      if (!(await deps.queries.deletePasskey(citizenId, credentialId, trx))) return false;
      await record({ type: 'account.passkey_removed', citizenId, actor: 'citizen' });
      return true;
    }),
  };
}

export type Passkeys = ReturnType<typeof createPasskeys>;
