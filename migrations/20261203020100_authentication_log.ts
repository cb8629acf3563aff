// The authentication log lawful assistance may provide (issue 11; docs/lawful-access.md): one row
// per authentication — a sign-in, a code issued to an ISP, a code exchanged or a token refreshed,
// succeeded or failed — with its time, ISP, outcome, acr, and the network address and user agent
// of whoever made the request, those two encrypted under a per-citizen key.
// - authentication_log_keys: the citizen's log data key, wrapped by the KEK (re-wrapped by
//   `cyberid keys rotate-kek`). Apart from the identity data key on purpose: cancellation
//   crypto-shreds the identity, while network logs must be kept for the retention period (the
//   Cybersecurity Law asks at least six months). A key outlives its last entry only until the
//   next prune.
// - authentication_log: no foreign key (entries outlive a cancelled account until retention
//   ends); ordered by citizen and time for the reveal, by time for the prune.
// - Append-only for everything younger than 183 days, enforced by the database: UPDATE and
//   TRUNCATE are refused, DELETE only of entries past the legal minimum (the configured
//   retention, AUTH_LOG_RETENTION_DAYS, can only be longer).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('authentication_log_keys', (t) => {
    t.uuid('citizen_id').primary();
    t.text('data_key').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable('authentication_log', (t) => {
    t.uuid('id').primary();
    t.uuid('citizen_id').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('client_id', 64);
    t.string('event', 24).notNullable();
    t.string('outcome', 16).notNullable();
    t.string('reason_code', 48);
    t.string('acr', 64);
    t.text('address_ciphertext');
    t.text('user_agent_ciphertext');
    t.index(['citizen_id', 'occurred_at'], 'authentication_log_citizen_idx');
    t.index(['occurred_at'], 'authentication_log_time_idx');
  });
  await knex.raw(`ALTER TABLE authentication_log ADD CONSTRAINT authentication_log_outcome_check
    CHECK (outcome IN ('succeeded', 'failed'))`);
  await knex.raw(`CREATE FUNCTION authentication_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' AND OLD.occurred_at < now() - interval '183 days' THEN
        RETURN OLD;
      END IF;
      RAISE EXCEPTION 'authentication_log is append-only within the 183-day legal minimum: % refused', TG_OP;
    END
  $$`);
  await knex.raw(`CREATE TRIGGER authentication_log_append_only BEFORE UPDATE OR DELETE ON authentication_log
    FOR EACH ROW EXECUTE FUNCTION authentication_log_guard()`);
  await knex.raw(`CREATE TRIGGER authentication_log_no_truncate BEFORE TRUNCATE ON authentication_log
    FOR EACH STATEMENT EXECUTE FUNCTION authentication_log_guard()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('authentication_log');
  await knex.raw('DROP FUNCTION authentication_log_guard()');
  await knex.schema.dropTable('authentication_log_keys');
}
