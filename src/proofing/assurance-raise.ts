// Raising an account's identity assurance with attested evidence (docs/assurance.md): the
// attestation must be for this account's own document (opened from the vault, audited) and
// the challenge this page issued; the level only ever goes up.
import { rankOf, ASSURANCE_LEVELS, type AssuranceLevel } from '../identity/assurance.js';
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { IdentityVault } from '../services/identity-vault.js';
import { FormError } from '../errors.js';
import { evidenceFromForm, type AttestationVerifier } from './attestations.js';

type Dependencies = {
  attestations: AttestationVerifier;
  vault: Pick<IdentityVault, 'open'>;
  queries: Pick<CitizenQueries, 'raiseIdentityAssurance'>;
  record: (event: { type: 'identity.assurance_raised'; citizenId: string; actor: 'citizen'; details: Record<string, string> }) => Promise<void>;
};

export function createAssuranceRaise({ attestations, vault, queries, record }: Dependencies) {
  return {
    /** Throws FormError({ attestation: reason }) on a refused attestation, or `not_higher`. */
    async raise(citizen: CitizenRow, input: { challenge: string; attestation: string }): Promise<AssuranceLevel> {
      if (!input.attestation.trim()) throw new FormError({ attestation: 'missing' });
      const { documentType, documentNumber } = await vault.open(citizen.id, citizen, ['documentType', 'documentNumber'], 'identity_proofing');
      const evidence = await evidenceFromForm(attestations, input, { documentType: documentType!, documentNumber: documentNumber! }, new Date());
      const lower = ASSURANCE_LEVELS.filter((level) => rankOf(level) < rankOf(evidence.level));
      if (!(await queries.raiseIdentityAssurance(citizen.id, evidence, lower))) throw new FormError({ attestation: 'not_higher' });
      await record({ type: 'identity.assurance_raised', citizenId: citizen.id, actor: 'citizen', details: { level: evidence.level, evidence: evidence.kind } });
      return evidence.level;
    },
  };
}

export type AssuranceRaise = ReturnType<typeof createAssuranceRaise>;
