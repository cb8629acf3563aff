// ISP onboarding (issue 11): a registration is reviewed before it signs anyone in.
//   submitted --approve--> approved --activate--> active --suspend--> suspended --reactivate--> active
// Only `active` ISPs sign citizens in (oidc/client-status-gate.ts). Every decision names who took
// it and why: the reason is stored with the decision (client_decisions) and the audit entry
// carries the decision id and a digest of that reason, so the text cannot be changed unnoticed.
// Suspending revokes every grant and token the ISP holds, as disabling did: reactivating never
// brings back tokens that may have been stolen meanwhile; citizens sign in and consent anew.
import { createHash } from 'node:crypto';
import type { ClientQueries, ClientStatus } from '../queries/clients.js';
import type { AuditService } from './audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

export const ONBOARDING_DECISIONS = {
  approve: { from: 'submitted', to: 'approved', event: 'client.approved', done: 'approved' },
  activate: { from: 'approved', to: 'active', event: 'client.activated', done: 'activated' },
  suspend: { from: 'active', to: 'suspended', event: 'client.suspended', done: 'suspended' },
  reactivate: { from: 'suspended', to: 'active', event: 'client.reactivated', done: 'reactivated' },
} as const satisfies Record<string, { from: ClientStatus; to: ClientStatus; event: string; done: string }>;

export type OnboardingDecision = keyof typeof ONBOARDING_DECISIONS;

/** Who decides: an operator (with their account id once they have one) or the system itself. */
export type DecidedBy = { actor: 'operator' | 'system'; operatorId?: string };

export type DecisionInput = { reason: string; by: DecidedBy };

export type DecisionResult = { client_id: string; status: ClientStatus; decision_id: string; revoked?: number };

type Dependencies = {
  queries: Pick<ClientQueries, 'findClientById' | 'recordStatusChange' | 'listClientDecisions'>;
  audit: Pick<AuditService, 'record'>;
  /** Every grant and token of one ISP (services/grant-revocations.ts); returns how many grants. */
  revokeEveryGrantOfClient: (clientId: string) => Promise<number>;
};

const MAX_REASON = 500;
// Newlines and tabs are fine in a reason; other control characters are not text.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function reasonProblems(reason: unknown): string[] {
  if (typeof reason !== 'string' || !reason.trim()) return ['a reason is required (--reason "…"): it is kept with the decision and audited'];
  if (reason.trim().length > MAX_REASON) return [`the reason must be at most ${MAX_REASON} characters`];
  if (CONTROL.test(reason)) return ['the reason must be plain text without control characters'];
  return [];
}

/** What can be decided about a client in this status (for error messages and the console). */
export function decisionsFrom(status: ClientStatus): OnboardingDecision[] {
  return (Object.keys(ONBOARDING_DECISIONS) as OnboardingDecision[]).filter((name) => ONBOARDING_DECISIONS[name].from === status);
}

function refusal(clientId: string, decision: OnboardingDecision, status: ClientStatus): ConflictError {
  const { from, done } = ONBOARDING_DECISIONS[decision];
  return new ConflictError(`cannot ${decision} ${clientId}: it is ${status}, and only ${/^[aeiou]/.test(from) ? 'an' : 'a'} ${from} ISP can be ${done}; possible now: ${decisionsFrom(status).join(', ')}`);
}

export function createClientOnboarding({ queries, audit, revokeEveryGrantOfClient }: Dependencies) {
  async function decide(decision: OnboardingDecision, clientId: string, { reason, by }: DecisionInput): Promise<DecisionResult> {
    const problems = reasonProblems(reason);
    if (problems.length) throw new ValidationError(problems);
    const client = await queries.findClientById(clientId);
    if (!client) throw new NotFoundError(`no client ${clientId}`);
    const { from, to, event } = ONBOARDING_DECISIONS[decision];
    if (client.status !== from) throw refusal(clientId, decision, client.status);
    const text = reason.trim();
    const decisionId = await queries.recordStatusChange({ clientId, from, to, reason: text, decidedBy: by.operatorId ?? by.actor });
    if (!decisionId) {
      const now = (await queries.findClientById(clientId))?.status ?? from;
      throw refusal(clientId, decision, now);
    }
    // The status changed first, so no new token can be issued while the old ones are revoked.
    const revoked = decision === 'suspend' ? await revokeEveryGrantOfClient(clientId) : undefined;
    await audit.record({
      type: event,
      clientId,
      actor: by.actor,
      details: {
        status: to,
        decision_id: decisionId,
        reason_digest: createHash('sha256').update(text).digest('hex'),
        operator_id: by.operatorId,
        count: revoked,
      },
    });
    return { client_id: clientId, status: to, decision_id: decisionId, ...(revoked === undefined ? {} : { revoked }) };
  }

  return {
    /** submitted → approved: the review found the ISP fit to connect. */
    approve: (clientId: string, input: DecisionInput) => decide('approve', clientId, input),
    /** approved → active: the ISP may sign citizens in from now on. */
    activate: (clientId: string, input: DecisionInput) => decide('activate', clientId, input),
    /** active → suspended: sign-in refused, every grant and token revoked. */
    suspend: (clientId: string, input: DecisionInput) => decide('suspend', clientId, input),
    /** suspended → active: sign-in allowed again (citizens consent anew). */
    reactivate: (clientId: string, input: DecisionInput) => decide('reactivate', clientId, input),
    decide,
    /** The ISP's decisions, oldest first, with their reasons. */
    async history(clientId: string) {
      return (await queries.listClientDecisions(clientId)).map((row) => ({
        decision_id: row.id,
        from: row.from_status,
        to: row.to_status,
        reason: row.reason,
        decided_by: row.decided_by,
        decided_at: new Date(row.decided_at).toISOString(),
      }));
    },
  };
}

export type ClientOnboarding = ReturnType<typeof createClientOnboarding>;
