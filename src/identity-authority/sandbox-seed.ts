// The default synthetic identities and guardian relationships that `cyberid sandbox seed`
// loads. Documented for ISP developers in docs/sandbox.md; test/identity-authority/
// sandbox-seed.test.ts keeps the two in sync and checks every entry against the validators.
// Fictional people: the numbers pass the published format checks (resident IDs carry a correct
// GB 11643-1999 check character and their embedded birth date) but were made up for the sandbox.
// Birth dates are fixed, so the numbers never change; each age band holds until the date given
// in the documentation, and the seed test fails on that day as a reminder to move the date.
import type { AgeBand } from '../identity/age.js';
import type { DocumentRef, GuardianPair, IdentityClaim } from './port.js';

export type SandboxSeedIdentity = IdentityClaim & { ageBand: AgeBand; purpose: string };

export const SANDBOX_SEED_IDENTITIES: readonly SandboxSeedIdentity[] = Object.freeze([
  { documentType: 'resident_id', documentNumber: '110101199005170112', name: '张伟', birthDate: '1990-05-17', ageBand: 'adult', purpose: 'the default adult' },
  { documentType: 'resident_id', documentNumber: '31010419850312038X', name: '王秀英', birthDate: '1985-03-12', ageBand: 'adult', purpose: 'check character X (a lowercase x is accepted too)' },
  { documentType: 'resident_id', documentNumber: '440305198802290123', name: '李娜', birthDate: '1988-02-29', ageBand: 'adult', purpose: 'leap-day birth date, adult' },
  { documentType: 'resident_id', documentNumber: '650102199308150129', name: '阿依古丽·买买提', birthDate: '1993-08-15', ageBand: 'adult', purpose: 'name with a middle dot between its parts' },
  { documentType: 'resident_id', documentNumber: '320102201111010118', name: '刘洋', birthDate: '2011-11-01', ageBand: 'minor', purpose: '15 in 2026: applies under a guardian\'s supervision' },
  { documentType: 'resident_id', documentNumber: '510104201602290124', name: '陈静', birthDate: '2016-02-29', ageBand: 'child', purpose: '10 in 2026, leap-day birth date: a guardian applies' },
  { documentType: 'resident_id', documentNumber: '330106202006010118', name: '周子涵', birthDate: '2020-06-01', ageBand: 'child', purpose: '6 in 2026: a guardian applies' },
  { documentType: 'passport', documentNumber: 'EJ1234567', name: '赵磊', birthDate: '1979-11-03', ageBand: 'adult', purpose: 'PRC passport (E + letter + 7 digits)' },
  { documentType: 'hk_macao_permit', documentNumber: 'H12345678', name: '黄嘉欣', birthDate: '1995-07-21', ageBand: 'adult', purpose: 'Hong Kong resident, travel permit' },
  { documentType: 'taiwan_permit', documentNumber: '87654321', name: '林怡君', birthDate: '1992-12-08', ageBand: 'adult', purpose: 'Taiwan resident, travel permit' },
  { documentType: 'foreign_permanent_resident', documentNumber: '931276198710040028', name: 'Anna Müller', birthDate: '1987-10-04', ageBand: 'adult', purpose: '2023 card (embedded birth date, check character); Latin name with ü' },
  { documentType: 'foreign_permanent_resident', documentNumber: 'CAN317001010012', name: 'John O\'Neil', birthDate: '1970-01-01', ageBand: 'adult', purpose: '2004 card (nationality letters + 12 digits); apostrophe in the name' },
]);

/** A guardian relationship of the default set, by the two people's documents (docs/sandbox.md). */
export type SandboxSeedGuardianship = GuardianPair & { purpose: string };

const seeded = (name: string): DocumentRef => {
  const { documentType, documentNumber } = SANDBOX_SEED_IDENTITIES.find((identity) => identity.name === name)!;
  return { documentType, documentNumber };
};

// Two parents for the supervised minor, one each for the children; 李娜 is nobody's guardian,
// so naming her shows the refusal.
export const SANDBOX_SEED_GUARDIANSHIPS: readonly SandboxSeedGuardianship[] = Object.freeze([
  { guardian: seeded('张伟'), ward: seeded('刘洋'), purpose: 'the 15-year-old names 张伟 when applying' },
  { guardian: seeded('王秀英'), ward: seeded('刘洋'), purpose: 'a second guardian of the same minor (naming a new guardian)' },
  { guardian: seeded('张伟'), ward: seeded('陈静'), purpose: '张伟 applies for the child from the dashboard' },
  { guardian: seeded('王秀英'), ward: seeded('周子涵'), purpose: '王秀英 applies for the child from the dashboard' },
]);
