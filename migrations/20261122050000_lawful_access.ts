// Lawful access (DESIGN.md "What the rules ask"; docs/lawful-access.md): the ledger of requests
// for the real identity behind a cyberspace ID and its authentication log, under a two-officer
// rule. The ledger holds internal ids, codes and dates only — never plaintext identity, and not
// the cyberspace ID either (a request names the citizen by internal uuid).
// - Formats are checked here too (defence in depth): officers are operator account ids, case
//   references and authority codes are codes; free text (a name) cannot get in.
// - Two indexes let an ISP's pairwise ID be resolved by search (src/services/lawful-access.ts):
//   the citizens connected to one ISP, now or in the past (claims.released entries of the audit
//   log outlive a revoked connection). There is deliberately no pairwise-ID → citizen index.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('lawful_access_requests', (t) => {
    t.uuid('id').primary();
    t.uuid('citizen_id').notNullable().references('id').inTable('citizens');
    t.string('subject_kind', 16).notNullable();
    t.string('client_id', 64);
    t.string('case_reference', 64).notNullable();
    t.string('authority_code', 32).notNullable();
    t.string('requesting_officer', 64).notNullable();
    t.string('approving_officer', 64);
    t.string('revealing_officer', 64);
    t.string('refusing_officer', 64);
    t.string('status', 16).notNullable().defaultTo('pending');
    t.date('embargo_until');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('approved_at', { useTz: true });
    t.timestamp('revealed_at', { useTz: true });
    t.timestamp('refused_at', { useTz: true });
    // The citizen's disclosures (dashboard activity once the embargo has passed).
    t.index(['citizen_id', 'status'], 'lawful_access_requests_citizen_idx');
  });
  const officer = (column: string) => `${column} ~ '^[A-Za-z0-9._-]{2,64}$'`;
  await knex.raw(`ALTER TABLE lawful_access_requests
    ADD CONSTRAINT lawful_access_requests_status_check CHECK (status IN ('pending', 'approved', 'revealed', 'refused')),
    ADD CONSTRAINT lawful_access_requests_subject_check CHECK (
      (subject_kind = 'cyberspace_id' AND client_id IS NULL) OR (subject_kind = 'pairwise' AND client_id IS NOT NULL)),
    ADD CONSTRAINT lawful_access_requests_case_check CHECK (case_reference ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{1,63}$'),
    ADD CONSTRAINT lawful_access_requests_authority_check CHECK (authority_code ~ '^[A-Za-z0-9._-]{2,32}$'),
    ADD CONSTRAINT lawful_access_requests_officers_check CHECK (
      ${officer('requesting_officer')}
      AND (approving_officer IS NULL OR ${officer('approving_officer')})
      AND (revealing_officer IS NULL OR ${officer('revealing_officer')})
      AND (refusing_officer IS NULL OR ${officer('refusing_officer')})),
    ADD CONSTRAINT lawful_access_requests_two_officers_check CHECK (approving_officer IS NULL OR approving_officer <> requesting_officer),
    ADD CONSTRAINT lawful_access_requests_approved_check CHECK (status NOT IN ('approved', 'revealed') OR (approving_officer IS NOT NULL AND approved_at IS NOT NULL)),
    ADD CONSTRAINT lawful_access_requests_revealed_check CHECK (status <> 'revealed' OR (revealing_officer IS NOT NULL AND revealed_at IS NOT NULL))`);

  // Candidates for resolving a pairwise ID: the citizens connected to one ISP…
  await knex.raw('CREATE INDEX connections_client_idx ON connections (client_id, citizen_id)');
  // …and those it ever received claims for (a revoked connection row is gone; this stays).
  await knex.raw(`CREATE INDEX audit_log_client_release_idx ON audit_log (client_id, citizen_id)
    WHERE type = 'claims.released'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS audit_log_client_release_idx');
  await knex.raw('DROP INDEX IF EXISTS connections_client_idx');
  await knex.schema.dropTable('lawful_access_requests');
}
