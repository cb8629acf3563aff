// Applying for a cyberspace ID: validate → check age and guardian → verify the identity with
// the authority → the authority confirms the guardian of a minor → one transaction: the encrypted record, its audit entry and the notices it
// causes (onApplied). Nothing is written unless every check passes, and either all of it
// commits or none: an account nobody was told of cannot exist. The unique blind index makes a
// second application for the same document fail even when two arrive at once.
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { generateCyberspaceId, parseCyberspaceId } from '../ids/cyberspace-id.js';
import type { DocumentType } from '../identity/documents.js';
import { checkIdentityFields } from '../identity-authority/claim.js';
import { checkPassword } from '../identity/password-policy.js';
import { ageBand } from '../identity/age.js';
import { DuplicateDocumentError, type CitizenQueries, type CitizenRow } from '../queries/citizens.js';
import { FormError, UnavailableError } from '../errors.js';
import type { IdentityVault } from './identity-vault.js';
import { evidenceFromForm, type AttestationVerifier } from '../proofing/attestations.js';
import type { PasswordHasher } from './password-hasher.js';
import { APPLICATION_WINDOW_SECONDS } from '../web/application-cookie.js';

export type ApplicationInput = {
  documentType: string;
  documentNumber: string;
  name: string;
  birthDate: string;
  password: string;
  /** 14–17: the guardian who will approve the account. */
  guardianCyberspaceId?: string;
  /** Attested evidence (docs/assurance.md) for the challenge the form showed: a higher level from the start. */
  challenge?: string;
  attestation?: string;
  /** The keyed hash of the browser's application token (web/application-cookie.ts). */
  applicationTokenHash?: string;
};

export type VerifiedClaim = { documentType: DocumentType; documentNumber: string; name: string; birthDate: string };
export type IdentityVerifier = { verify(claim: VerifiedClaim): Promise<{ outcome: 'verified' | 'not_verified' | 'unavailable' }> };

type Dependencies = {
  queries: CitizenQueries;
  vault: IdentityVault;
  hasher: PasswordHasher;
  authority: IdentityVerifier;
  now?: () => Date;
  /** Runs `work` in one database transaction. */
  transaction: <T>(work: (trx: Knex.Transaction) => Promise<T>) => Promise<T>;
  /** The audit entry and notices of a new account, inside its transaction. */
  onApplied?: (citizen: CitizenRow, by: 'self' | 'guardian', trx: Knex.Transaction) => Promise<void>;
  /** Who may be a guardian: an adult holding an active cyberspace ID (guardianship.ts). */
  isActiveAdult: (citizen: CitizenRow) => Promise<boolean>;
  /** Whether the identity authority confirms the guardian of this ward (guardianship.ts). */
  confirmGuardian: (guardian: CitizenRow, ward: Pick<VerifiedClaim, 'documentType' | 'documentNumber'>) => Promise<boolean>;
  attestations?: Pick<AttestationVerifier, 'verify'>;
};

export function createApplicationService({ queries, vault, hasher, authority, now = () => new Date(), transaction, onApplied, isActiveAdult, confirmGuardian, attestations }: Dependencies) {
  /** Field checks only (no I/O): every problem at once. */
  function validate(input: ApplicationInput) {
    const checked = checkIdentityFields(input, { now: now() });
    const fields: Record<string, string> = { ...checked.fields };
    const password = checkPassword(input.password, checked.documentNumber ? [checked.documentNumber] : []);
    if (!password.ok) fields.password = password.error;
    return { ...checked, fields };
  }

  const eligibleGuardian = async (guardian: CitizenRow | undefined) => guardian !== undefined && (await isActiveAdult(guardian));

  return {
    /** The account this browser's application created within the hour, once (or nothing). */
    async takeByApplicationToken(tokenHash: string): Promise<{ cyberspaceId: string; status: CitizenRow['status'] } | undefined> {
      const row = await queries.takeApplication(tokenHash, new Date(now().getTime() - APPLICATION_WINDOW_SECONDS * 1000));
      return row ? { cyberspaceId: row.cyberspace_id, status: row.status } : undefined;
    },

    /**
     * `applyingGuardian`: a signed-in guardian applying for a child under 14 (from their
     * dashboard). Without it, applicants under 14 are refused; 14–17 must name a guardian.
     */
    async apply(input: ApplicationInput, applyingGuardian?: CitizenRow): Promise<{ cyberspaceId: string; status: CitizenRow['status'] }> {
      const checked = validate(input);
      const { fields } = checked;
      const band = checked.birthDate ? ageBand(checked.birthDate, now()) : undefined;
      let guardian: CitizenRow | undefined;
      let guardianId: string | undefined;
      if (band && applyingGuardian) {
        if (band !== 'child') fields.birth_date = 'guardian_only_for_children';
        else if (!(await eligibleGuardian(applyingGuardian))) fields.guardian = 'not_eligible';
        guardian = applyingGuardian;
      } else if (band === 'child') {
        fields.birth_date = 'child_needs_guardian';
      } else if (band === 'minor') {
        const parsed = parseCyberspaceId(input.guardianCyberspaceId ?? '');
        if (!input.guardianCyberspaceId?.trim()) fields.guardian = 'required';
        else if (!parsed.ok) fields.guardian = 'malformed_id';
        else guardianId = parsed.id;
      }
      if (Object.keys(fields).length > 0) throw new FormError(fields);
      const claim: VerifiedClaim = { documentType: checked.documentType!, documentNumber: checked.documentNumber!, name: checked.name!, birthDate: checked.birthDate! };
      const blindIndex = vault.blindIndex(claim.documentType, claim.documentNumber);

      // The identity is verified before anything is said about other accounts — whether the
      // document already has a cyberspace ID, or whether a named guardian's ID exists and
      // belongs to an adult: otherwise a document number or a cyberspace ID alone would be an
      // oracle about its holder. The pre-check gives the real owner a clear message; the unique
      // index below is what guarantees one ID per document.
      const { outcome } = await authority.verify(claim);
      if (outcome === 'unavailable') throw new UnavailableError('identity authority unavailable');
      if (outcome !== 'verified') throw new FormError({ identity: 'not_verified' });
      if (guardianId) {
        guardian = await queries.findCitizenByCyberspaceId(guardianId);
        if (!(await eligibleGuardian(guardian))) throw new FormError({ guardian: 'not_eligible' });
      }
      if (guardian && guardian.document_blind_index === blindIndex) throw new FormError({ guardian: 'not_eligible' });
      // Never on the applicant's word: the authority confirms the relationship, or nothing is
      // written. Asked before the duplicate check, so an adult who knows a child's card facts
      // but is not their guardian does not learn whether the child holds a cyberspace ID.
      if (guardian && !(await confirmGuardian(guardian, claim))) {
        throw new FormError({ guardian: applyingGuardian ? 'not_confirmed_child' : 'not_confirmed' });
      }
      if (await queries.findCitizenByBlindIndex(blindIndex)) throw new FormError({ identity: 'already_registered' });
      // Document facts confirmed by the authority (low), or an attestation for this application.
      const evidence = await evidenceFromForm(attestations, input, claim, now());

      const id = randomUUID();
      const status = band === 'minor' ? 'pending_guardian' : 'active';
      const passwordHash = await hasher.hash(input.password.normalize('NFC'));
      let citizen: CitizenRow;
      try {
        citizen = await transaction(async (trx) => {
          const inserted = await queries.insertCitizen({
            id,
            cyberspace_id: generateCyberspaceId(),
            password_hash: passwordHash,
            status,
            assurance_level: 'document_verified',
            // Document facts confirmed by the authority give low; an attestation its attester's level.
            identity_assurance: evidence.level,
            identity_evidence: evidence,
            document_blind_index: blindIndex,
            guardian_id: guardian?.id ?? null,
            application_token_hash: input.applicationTokenHash ?? null,
            ...vault.seal(id, claim),
          }, trx);
          await onApplied?.(inserted, applyingGuardian ? 'guardian' : 'self', trx);
          return inserted;
        });
      } catch (error) {
        if (error instanceof DuplicateDocumentError) throw new FormError({ identity: 'already_registered' });
        throw error;
      }
      return { cyberspaceId: citizen.cyberspace_id, status: citizen.status };
    },
  };
}

export type ApplicationService = ReturnType<typeof createApplicationService>;
