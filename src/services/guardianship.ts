// Guardians and minors. A guardian is linked to a ward under 18: approves or refuses a
// 14–17-year-old's new account, applies for a child under 14, approves each new ISP connection of the ward,
// sees and revokes the ward's connections. At 18 the link ends by itself (checked whenever it
// is used, in China Standard Time). No link is made on anyone's word: the identity authority
// must confirm the relationship first (confirmLink), and a refusal writes nothing.
import type { Knex } from 'knex';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { ConnectionQueries, ApprovalRow } from '../queries/connections.js';
import { ageBand, ageInChina } from '../identity/age.js';
import { FormError, ForbiddenError, NotFoundError, UnavailableError } from '../errors.js';
import type { DocumentRef, IdentityAuthority } from '../identity-authority/port.js';
import { parseCyberspaceId } from '../ids/cyberspace-id.js';
import type { IdentityVault } from './identity-vault.js';
import type { ConnectionService, ConnectionView } from './connections.js';

export type GuardianEvent = {
  type: 'guardian.approved' | 'guardian.refused' | 'guardian.revoked_connection' | 'guardian.replaced';
  citizenId: string;
  clientId?: string;
  /** Who acted: the guardian (default) or the ward naming a new guardian. */
  actor?: 'guardian' | 'citizen';
};

type Dependencies = {
  citizens: CitizenQueries;
  connections: ConnectionQueries;
  connectionService: ConnectionService;
  vault: IdentityVault;
  authority: Pick<IdentityAuthority, 'confirmGuardian'>;
  now?: () => Date;
  record?: (event: GuardianEvent & { actorId: string }) => Promise<void>;
  /** Tells the guardian outside the site that a ward's new service waits for them. */
  /** Tells the guardian outside the site (the outbox), in the request's transaction `trx`. */
  notifyGuardianRequest?: (guardianId: string, clientId: string, trx: Knex.Transaction) => Promise<void>;
  /** Runs `work` in one database transaction. */
  transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;
  /** Ends every account session of a citizen (a refused account). */
  endSessions?: (citizenId: string) => Promise<void>;
};

/** `name` and `age` are decrypted for the guardian's own dashboard only (audited: guardian_view). */
export type WardView = { ward: CitizenRow; name: string; age: number; connections: ConnectionView[]; pendingApprovals: ApprovalRow[] };

export function createGuardianship({ citizens, connections, connectionService, vault, authority, now = () => new Date(), record = async () => {}, notifyGuardianRequest = async () => {}, transaction, endSessions = async () => {} }: Dependencies) {
  /** True while the ward is under 18; ends the link (and returns false) once they are not. */
  async function linkActive(ward: CitizenRow): Promise<boolean> {
    if (!ward.guardian_id) return false;
    const { birthDate } = await vault.open(ward.id, ward, ['birthDate'], 'guardian_link_age');
    if (birthDate && ageBand(birthDate, now()) !== 'adult') return true;
    await citizens.endGuardianship(ward.id);
    // An adult needs nobody's approval: a minor still waiting when they turn 18 becomes active.
    if (ward.status === 'pending_guardian') await citizens.setCitizenStatus(ward.id, 'active');
    return false;
  }

  /** A ward awaiting approval, or whose guardian can no longer act (see nameNewGuardian). */
  async function mayNameNewGuardian(ward: CitizenRow): Promise<boolean> {
    if (ward.status === 'pending_guardian') return true;
    if (!ward.guardian_id || !(await linkActive(ward))) return false;
    const current = await citizens.findCitizenById(ward.guardian_id);
    return current?.status !== 'active';
  }

  async function isActiveAdult(citizen: CitizenRow): Promise<boolean> {
    if (citizen.status !== 'active') return false;
    const { birthDate } = await vault.open(citizen.id, citizen, ['birthDate'], 'guardian_eligibility');
    return birthDate !== undefined && ageBand(birthDate, now()) === 'adult';
  }

  /** A citizen's document, as the authority knows them (undefined: none on record, e.g. a test citizen). */
  async function documentOf(citizen: CitizenRow): Promise<DocumentRef | undefined> {
    const { documentType, documentNumber } = await vault.open(citizen.id, citizen, ['documentType', 'documentNumber'], 'guardian_confirmation');
    return documentType && documentNumber ? { documentType, documentNumber } : undefined;
  }

  /**
   * Asks the identity authority whether `guardian` is a guardian of the person holding `ward`:
   * true only when it confirms; UnavailableError when it cannot answer. Called before any link
   * is written (applying, naming a new guardian); the caller turns a no into its form error.
   */
  async function confirmLink(guardian: CitizenRow, ward: DocumentRef): Promise<boolean> {
    const document = await documentOf(guardian);
    if (!document) return false;
    const { outcome } = await authority.confirmGuardian({ guardian: document, ward });
    if (outcome === 'unavailable') throw new UnavailableError('identity authority unavailable');
    return outcome === 'confirmed';
  }

  async function wardOf(guardian: CitizenRow, wardId: string): Promise<CitizenRow> {
    const ward = await citizens.findCitizenById(wardId);
    if (!ward || ward.guardian_id !== guardian.id || !(await linkActive(ward))) throw new NotFoundError('no such ward');
    return ward;
  }

  return {
    linkActive,
    isActiveAdult,
    confirmLink,

    async wards(guardian: CitizenRow): Promise<WardView[]> {
      const views: WardView[] = [];
      for (const ward of await citizens.findWardsOf(guardian.id)) {
        if (!(await linkActive(ward))) continue;
        const { name, birthDate } = await vault.open(ward.id, ward, ['name', 'birthDate'], 'guardian_view');
        views.push({
          ward,
          name: name ?? '',
          age: birthDate ? ageInChina(birthDate, now()) : 0,
          connections: await connectionService.list(ward),
          pendingApprovals: await connections.listPendingApprovals([ward.id]),
        });
      }
      return views;
    },

    /**
     * A ward names a new guardian when the current one can no longer act (suspended, cancelled,
     * or no longer linked) — or, while the ward's own account still awaits approval, instead of
     * a guardian who has not approved. A guardian who is active and has approved cannot be
     * replaced by the ward alone. The new guardian must be an active adult other than the ward,
     * whom the identity authority confirms as the ward's guardian; a pending account stays
     * pending until the new guardian approves.
     */
    mayNameNewGuardian,

    async nameNewGuardian(ward: CitizenRow, guardianCyberspaceId: string): Promise<void> {
      if (!(await mayNameNewGuardian(ward))) throw new ForbiddenError('the current guardian is active; only they can end the link');
      const parsed = parseCyberspaceId(guardianCyberspaceId);
      if (!parsed.ok) throw new FormError({ guardian: 'malformed_id' });
      const candidate = await citizens.findCitizenByCyberspaceId(parsed.id);
      const distinct = candidate && candidate.id !== ward.id && candidate.document_blind_index !== ward.document_blind_index;
      if (!distinct || !(await isActiveAdult(candidate))) throw new FormError({ guardian: 'not_eligible' });
      const wardDocument = await documentOf(ward);
      if (!wardDocument || !(await confirmLink(candidate, wardDocument))) throw new FormError({ guardian: 'not_confirmed' });
      if (!(await citizens.replaceGuardian(ward.id, ward.guardian_id, candidate.id))) throw new ForbiddenError('the guardian changed meanwhile; reload');
      await record({ type: 'guardian.replaced', citizenId: ward.id, actorId: candidate.id, actor: 'citizen' });
    },

    /** A 14–17-year-old's pending account becomes usable. */
    async approveAccount(guardian: CitizenRow, wardId: string): Promise<void> {
      if (guardian.status !== 'active') throw new ForbiddenError('guardian account is not active');
      const ward = await wardOf(guardian, wardId);
      if (!(await citizens.approveWard(ward.id, guardian.id))) throw new ForbiddenError('nothing to approve');
      await record({ type: 'guardian.approved', citizenId: ward.id, actorId: guardian.id });
    },

    /**
     * The guardian says no to a 14–17-year-old's pending account: the application is withdrawn.
     * Its identity data is crypto-shredded like a cancellation (a refused applicant's data is not
     * kept), which also frees the document, so the minor may apply again (with another guardian,
     * or at 18). A pending account never reached an ISP, so there is no grant to revoke.
     */
    async refuseAccount(guardian: CitizenRow, wardId: string): Promise<void> {
      if (guardian.status !== 'active') throw new ForbiddenError('guardian account is not active');
      const ward = await wardOf(guardian, wardId);
      if (!(await citizens.shredRefusedWard(ward.id, guardian.id))) throw new ForbiddenError('nothing to refuse');
      await endSessions(ward.id);
      await record({ type: 'guardian.refused', citizenId: ward.id, actorId: guardian.id });
    },

    /**
     * Called when a ward consents to an ISP. Returns 'allowed' when no guardian decision is
     * needed (no active link, or already approved for this scope), else records a pending request.
     */
    async checkConnection(ward: CitizenRow, clientId: string, scope: string): Promise<'allowed' | 'pending' | 'refused'> {
      if (!(await linkActive(ward))) return 'allowed';
      const existing = await connections.findApproval(ward.id, clientId);
      const requested = new Set(scope.split(' ').filter(Boolean));
      const covered = existing?.status === 'approved' && [...requested].every((s) => existing.scope.split(' ').includes(s));
      if (covered) return 'allowed';
      if (existing?.status === 'refused') return 'refused';
      const scopes = [...requested].sort().join(' ');
      // The guardian is told once per request, not at every retry of the same one.
      const alreadyAsked = existing?.status === 'pending' && existing.scope === scopes;
      // The request and the guardian's notice commit together: a crash between them would leave
      // a request the guardian is never told of (a retry of the same request tells nobody).
      await transaction(async (trx) => {
        await connections.requestApproval(ward.id, clientId, scopes, trx);
        if (!alreadyAsked && ward.guardian_id) await notifyGuardianRequest(ward.guardian_id, clientId, trx);
      });
      return 'pending';
    },

    async decideConnection(guardian: CitizenRow, wardId: string, clientId: string, decision: 'approved' | 'refused'): Promise<void> {
      // Like approving the account: only a guardian holding an active cyberspace ID decides.
      if (guardian.status !== 'active') throw new ForbiddenError('guardian account is not active');
      const ward = await wardOf(guardian, wardId);
      if (!(await connections.decideApproval(ward.id, clientId, decision))) throw new NotFoundError('no pending request');
      await record({ type: decision === 'approved' ? 'guardian.approved' : 'guardian.refused', citizenId: ward.id, clientId, actorId: guardian.id });
    },

    async revokeConnection(guardian: CitizenRow, wardId: string, clientId: string): Promise<void> {
      const ward = await wardOf(guardian, wardId);
      await connectionService.revoke(ward, clientId);
      await record({ type: 'guardian.revoked_connection', citizenId: ward.id, clientId, actorId: guardian.id });
    },
  };
}

export type Guardianship = ReturnType<typeof createGuardianship>;
