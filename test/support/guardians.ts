// Guardians the identity authority can confirm: an adult who applied with a sandbox identity
// (so the service holds their document), and the sandbox relationships that make them the
// guardian of a given minor. A test citizen from createTestCitizen holds no document, so the
// authority can never confirm one as anybody's guardian.
import type { Container } from '../../src/container.js';
import type { CitizenRow } from '../../src/queries/citizens.js';
import type { DocumentRef, IdentityClaim } from '../../src/identity-authority/port.js';
import { personAged } from './identities.js';

export type AdultWithIdentity = { cyberspace_id: string; password: string; citizen: CitizenRow; identity: IdentityClaim };

const PASSWORD = 'guardian long phrase';
const documentOf = ({ documentType, documentNumber }: DocumentRef): DocumentRef => ({ documentType, documentNumber });

/** An active adult who applied with a fresh sandbox identity (`years` old, default 45). */
export async function adultWithIdentity(container: Container, name = '监护人', years = 45): Promise<AdultWithIdentity> {
  const identity = personAged(years, name);
  await container.sandboxIdentities.add(identity);
  const { cyberspaceId } = await container.applications.apply({ ...identity, password: PASSWORD });
  const citizen = (await container.citizenQueries.findCitizenByCyberspaceId(cyberspaceId))!;
  return { cyberspace_id: cyberspaceId, password: PASSWORD, citizen, identity };
}

/** Adds the ward to the sandbox (unless it is there) and records `guardian` as their guardian. */
export async function confirmGuardianOf(container: Container, guardian: { identity: IdentityClaim }, ward: IdentityClaim): Promise<void> {
  if (!(await container.sandboxIdentities.holds(ward.documentType, ward.documentNumber))) await container.sandboxIdentities.add(ward);
  await container.sandboxIdentities.addGuardian({ guardian: documentOf(guardian.identity), ward: documentOf(ward) });
}
