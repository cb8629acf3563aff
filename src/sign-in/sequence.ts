// The one sequence every sign-in runs, wherever it starts (an ISP's interaction, the account
// pages): begin with a first factor → a second factor when the citizen has one or the request
// needs one → done with acr/amr. Here, and only here: the limits (before any hash), the audit
// entries, the metrics, the known-device notice and the held step between factors.
// The step passed so far is held server-side, under the attempt's key (the interaction uid, or a
// random key the account page carries) and bound to what must come back with it (the account
// page's CSRF token); never in the form.
import { createHash, randomBytes } from 'node:crypto';
import type { CitizenRow } from '../queries/citizens.js';
import type { ModelStore } from '../storage/model-store.js';
import type { AuditEvent } from '../services/audit-events.js';
import type { AuthenticationLog } from '../services/authentication-log.js';
import { acrFor, type Acr } from './acr.js';
import type { SignInLimits } from './limits.js';
import type { AllowedStatuses, FirstFactor, MethodId, MethodInput, SecondFactor, SignInMethod } from './method.js';
import { meets, NO_REQUIREMENT, type Requirement } from './requirement.js';

export type Attempt = {
  channel: 'isp' | 'account';
  /** Names this attempt: the interaction uid, or a random key (newAttemptKey) on the account pages. */
  key: string;
  /** What must come back with the key (the account page's CSRF token); empty for an interaction. */
  bound?: string;
  clientId?: string;
  /** The client address (X-Forwarded-For only when TRUST_PROXY says so: Koa's ctx.ip). */
  address: string;
  /** The User-Agent header as sent: only for the encrypted authentication log. */
  userAgent?: string;
  /** The known-device cookie's token, and a rough, location-free description of the browser. */
  device: { token?: string; description: string };
  allow?: AllowedStatuses;
  requirement?: Requirement;
};

export type Step =
  | { step: 'failed'; reason: string; retryAfterSeconds?: number }
  /** `mayContinue`: only a stand-in is offered and the request is voluntary (accept() goes on without it). */
  | { step: 'second_factor'; methods: MethodId[]; mayContinue?: boolean }
  /** The citizen cannot reach the requirement; the passed step is held (accept() goes on when not essential). */
  | { step: 'unmet'; essential: boolean; citizen: CitizenRow }
  | { step: 'done'; citizen: CitizenRow; acr: Acr; amr: string[]; deviceToken: string };

type Dependencies = {
  methods: SignInMethod[];
  findCitizen: (id: string) => Promise<CitizenRow | undefined>;
  store: ModelStore;
  limits: SignInLimits;
  devices: {
    signedIn(citizenId: string, token: string | undefined, clientId?: string, description?: string): Promise<string>;
    isKnown(citizenId: string, token: string | undefined): Promise<boolean>;
  };
  audit: { record(event: AuditEvent): Promise<unknown>; recordDetached(event: AuditEvent): void };
  /** The authentication log lawful assistance may provide (services/authentication-log.ts). */
  authLog?: Pick<AuthenticationLog, 'record' | 'recordDetached'>;
  /** Counts each sign-in's outcome (metrics); never told who. */
  observe?: (outcome: string) => void;
  /** A failed attempt on an existing account (the owner's notice). */
  onFailure?: (citizenId: string, attempt: Attempt, reason: string) => Promise<void>;
};

/** A fresh key for an attempt that has no id of its own (the account pages' sign-in). */
export const newAttemptKey = () => randomBytes(32).toString('base64url');

const HELD = 'SignInStep';
const HELD_SECONDS = 300;
const digest = (value: string) => createHash('sha256').update(value).digest('base64url');
const unique = (values: string[]) => [...new Set(values)];
/** Second-factor failures that are guesses (not an expired step or the method's own throttle). */
const WRONG_CODES = new Set(['invalid_code', 'replayed_code', 'invalid_recovery_code']);

type Held = { citizenId: string; amr: string[]; account?: string };

export function createSignIn(deps: Dependencies) {
  const { store, limits } = deps;
  const first = (id: MethodId) => deps.methods.find((m): m is FirstFactor => m.id === id && m.role === 'first');
  const second = (id: MethodId) => deps.methods.find((m): m is SecondFactor => m.id === id && m.role === 'second');
  const requirementOf = (attempt: Attempt) => attempt.requirement ?? NO_REQUIREMENT;
  const allowOf = (attempt: Attempt) => attempt.allow ?? ['active'];
  const heldId = (attempt: Attempt) => digest(`${attempt.channel}:${attempt.key}`);

  async function hold(attempt: Attempt, held: Held) {
    await store.upsert(HELD, heldId(attempt), { ...held, bound: digest(attempt.bound ?? '') }, HELD_SECONDS);
  }
  async function findHeld(attempt: Attempt): Promise<Held | undefined> {
    if (!attempt.key || attempt.key.length > 200) return undefined;
    const held = await store.find(HELD, heldId(attempt));
    if (!held || held.bound !== digest(attempt.bound ?? '') || typeof held.citizenId !== 'string') return undefined;
    return { citizenId: held.citizenId, amr: Array.isArray(held.amr) ? held.amr.map(String) : [], account: typeof held.account === 'string' ? held.account : undefined };
  }

  async function failed(attempt: Attempt, reason: string, citizenId?: string, retryAfterSeconds?: number): Promise<Step> {
    deps.observe?.(reason);
    if (citizenId) {
      // The authentication log: failures are recorded against the account that was tried.
      deps.audit.recordDetached({ type: 'sign_in.failed', citizenId, clientId: attempt.clientId, actor: 'citizen', details: { reason_code: reason, device: attempt.device.description } });
      deps.authLog?.recordDetached({ citizenId, clientId: attempt.clientId, event: 'sign_in', outcome: 'failed', reasonCode: reason, address: attempt.address, userAgent: attempt.userAgent });
      await deps.onFailure?.(citizenId, attempt, reason);
    }
    return { step: 'failed', reason, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  }

  async function done(attempt: Attempt, citizen: CitizenRow, amr: string[], account?: string): Promise<Step> {
    const acr = acrFor(amr);
    const purpose = attempt.channel === 'account' ? { purpose: 'account' } : {};
    // Independent writes, at once: the citizen waits for the slowest, not for their sum. Each is
    // still awaited: the sign-in succeeds only once the audit entry and the authentication log
    // are written.
    const [deviceToken] = await Promise.all([
      deps.devices.signedIn(citizen.id, attempt.device.token, attempt.clientId, attempt.device.description),
      store.destroy(HELD, heldId(attempt)),
      account ? limits.succeeded(account) : undefined,
      deps.audit.record({ type: 'sign_in.succeeded', citizenId: citizen.id, clientId: attempt.clientId, actor: 'citizen', details: { ...purpose, acr, amr } }),
      deps.authLog?.record({ citizenId: citizen.id, clientId: attempt.clientId, event: 'sign_in', outcome: 'succeeded', acr, address: attempt.address, userAgent: attempt.userAgent }),
    ]);
    deps.observe?.('succeeded');
    return { step: 'done', citizen, acr, amr, deviceToken };
  }

  /** The second factors the citizen has set up; only the stand-ins, or only the others, when asked. */
  async function secondFactorsOf(citizen: CitizenRow, which: 'all' | 'own' | 'standIns' = 'all'): Promise<SecondFactor[]> {
    const offered: SecondFactor[] = [];
    for (const method of deps.methods) {
      if (method.role !== 'second' || (which === 'own' && method.standsIn) || (which === 'standIns' && !method.standsIn)) continue;
      if (await method.availableFor(citizen)) offered.push(method);
    }
    return offered;
  }

  /** After a passed step: a second factor if the citizen has one, else done, or unmet. */
  async function next(attempt: Attempt, citizen: CitizenRow, amr: string[], account?: string): Promise<Step> {
    const requirement = requirementOf(attempt);
    // The stand-ins (a recovery code: queries of their own) matter only once a second step is
    // shown, so a citizen with no second factor whose sign-in is enough is done without them.
    const own = await secondFactorsOf(citizen, 'own');
    const everything = async () => {
      const standIns = await secondFactorsOf(citizen, 'standIns');
      return deps.methods.filter((m) => own.includes(m as SecondFactor) || standIns.includes(m as SecondFactor)).map((m) => m.id);
    };
    // A citizen with a second factor always uses it (it is theirs to protect the account with);
    // a stand-in (a recovery code) alone never makes them.
    if (own.length > 0 && !meets(acrFor(amr), { level: 'substantial', essential: false })) {
      await hold(attempt, { citizenId: citizen.id, amr, account });
      return { step: 'second_factor', methods: await everything() };
    }
    if (meets(acrFor(amr), requirement)) return done(attempt, citizen, amr, account);
    const methods = await everything();
    await hold(attempt, { citizenId: citizen.id, amr, account });
    // Only a stand-in can reach the level here (a passkey-only citizen who typed the password,
    // the passkey lost): the password and a recovery code.
    if (methods.length) return { step: 'second_factor', methods, mayContinue: !requirement.essential };
    return { step: 'unmet', essential: requirement.essential, citizen };
  }

  return {
    /** A first factor (password, passkey) for an attempt with nothing passed yet. */
    async begin(attempt: Attempt, methodId: MethodId, input: MethodInput): Promise<Step> {
      const method = first(methodId);
      if (!method) throw new Error(`no first-factor sign-in method ${methodId}`);
      const claimed = await method.claimedAccount(input);
      // The owner's own browser passes the per-account back-off a stranger triggered.
      const accountPassed = claimed?.citizenId ? await deps.devices.isKnown(claimed.citizenId, attempt.device.token) : false;
      const verdict = await limits.check({ address: attempt.address, account: claimed?.key, accountPassed });
      if (!verdict.ok) return failed(attempt, 'throttled', claimed?.citizenId, verdict.retryAfterSeconds);
      const result = await method.verify(input, allowOf(attempt), claimed);
      if (!result.ok) {
        if (result.reason === 'invalid_credentials') await limits.failed({ address: attempt.address, account: claimed?.key });
        return failed(attempt, result.reason, result.citizenId);
      }
      return next(attempt, result.citizen, result.amr, claimed?.key);
    },

    /** A second factor for the held step. */
    async proceed(attempt: Attempt, methodId: MethodId, input: MethodInput): Promise<Step> {
      const method = second(methodId);
      const held = await findHeld(attempt);
      const citizen = held ? await deps.findCitizen(held.citizenId) : undefined;
      if (!method || !held || !citizen || !allowOf(attempt).includes(citizen.status) || !(await method.availableFor(citizen))) {
        return { step: 'failed', reason: 'expired' };
      }
      // Wrong codes (authenticator or recovery) count against the same per-account back-off as
      // wrong passwords, checked before the code is; the owner's known device passes it.
      const account = held.account ?? citizen.cyberspace_id;
      const accountPassed = await deps.devices.isKnown(citizen.id, attempt.device.token);
      const verdict = await limits.check({ address: attempt.address, account, accountPassed });
      if (!verdict.ok) return failed(attempt, 'throttled', citizen.id, verdict.retryAfterSeconds);
      const result = await method.verify(citizen, input, { device: attempt.device.description, clientId: attempt.clientId });
      if (!result.ok) {
        if (WRONG_CODES.has(result.reason)) await limits.failed({ address: attempt.address, account });
        return failed(attempt, result.reason, citizen.id);
      }
      const amr = unique([...held.amr, ...result.amr, 'mfa']);
      if (!meets(acrFor(amr), requirementOf(attempt))) return { step: 'unmet', essential: requirementOf(attempt).essential, citizen };
      return done(attempt, citizen, amr, account);
    },

    /**
     * A session below what this request needs (OIDC Core §5.5.1.1 "MAY ask the End-User to
     * re-authenticate with additional factors"): the session's sign-in becomes the held step.
     */
    async stepUp(attempt: Attempt, citizen: CitizenRow, sessionAmr: readonly string[]): Promise<Step> {
      if (!allowOf(attempt).includes(citizen.status)) return { step: 'failed', reason: 'expired' };
      return next(attempt, citizen, [...sessionAmr]);
    },

    /** The citizen goes on below a voluntary request (never an essential one): done as they are. */
    async accept(attempt: Attempt): Promise<Step> {
      const held = await findHeld(attempt);
      const citizen = held ? await deps.findCitizen(held.citizenId) : undefined;
      if (!held || !citizen || requirementOf(attempt).essential || !allowOf(attempt).includes(citizen.status)) return { step: 'failed', reason: 'expired' };
      return done(attempt, citizen, held.amr, held.account);
    },

    /** What the held step's second-factor page offers (shown again after a wrong code). */
    async offered(attempt: Attempt): Promise<{ methods: MethodId[]; mayContinue: boolean } | undefined> {
      const held = await findHeld(attempt);
      const citizen = held ? await deps.findCitizen(held.citizenId) : undefined;
      if (!citizen) return undefined;
      const offered = await secondFactorsOf(citizen);
      return { methods: offered.map((m) => m.id), mayContinue: !requirementOf(attempt).essential && offered.every((m) => m.standsIn) };
    },

    /** Whether an attempt has a passed step held (a second-factor page may be shown). */
    isHeld: async (attempt: Attempt) => (await findHeld(attempt)) !== undefined,
  };
}

export type SignIn = ReturnType<typeof createSignIn>;
