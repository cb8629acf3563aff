// The audit log (DESIGN.md "Privacy by construction"; the authentication log that lawful
// assistance relies on): append-only, enforced by the database, and hash-chained.
// - Several chains, each with its own head row, so appends lock one head and no sign-in waits
//   on a global serial point (DESIGN.md "Throughput by design"). Sixteen chains to begin with;
//   more can be seeded by a later migration without touching existing entries.
// - Triggers refuse UPDATE, DELETE and TRUNCATE of entries, and let a head only move forward one
//   entry at a time. Someone able to disable triggers can still tamper; `cyberid audit verify`
//   recomputes every chain to catch it (src/services/audit-chain.ts).
// - No plaintext identity data: internal citizen ids, client ids and allow-listed detail keys.
//   No foreign key to citizens: the log outlives any row it mentions.
import type { Knex } from 'knex';

const INITIAL_CHAINS = 16;
const GENESIS_HASH = '0'.repeat(64);

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_chain_heads', (t) => {
    t.smallint('chain').primary();
    t.bigint('seq').notNullable();
    t.string('hash', 64).notNullable();
  });
  await knex('audit_chain_heads').insert(
    Array.from({ length: INITIAL_CHAINS }, (_, chain) => ({ chain, seq: 0, hash: GENESIS_HASH })),
  );

  await knex.schema.createTable('audit_log', (t) => {
    t.smallint('chain').notNullable();
    t.bigint('seq').notNullable();
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.string('type', 48).notNullable();
    t.uuid('citizen_id');
    t.string('client_id', 64);
    t.string('actor', 16).notNullable();
    t.jsonb('details').notNullable();
    t.string('prev_hash', 64).notNullable();
    t.string('hash', 64).notNullable();
    t.primary(['chain', 'seq']);
    // A citizen's activity, newest first (dashboard, lawful assistance).
    t.index(['citizen_id', 'occurred_at', 'chain', 'seq'], 'audit_log_citizen_idx');
  });
  await knex.raw(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_check
    CHECK (actor IN ('citizen', 'operator', 'system', 'guardian', 'isp'))`);

  await knex.raw(`CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
    END
  $$`);
  await knex.raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
  await knex.raw(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);

  await knex.raw(`CREATE FUNCTION audit_chain_heads_advance_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF NEW.chain = OLD.chain AND NEW.seq = OLD.seq + 1 THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION 'audit_chain_heads only advance one entry at a time: % refused', TG_OP;
    END
  $$`);
  await knex.raw(`CREATE TRIGGER audit_chain_heads_advance_only BEFORE UPDATE OR DELETE ON audit_chain_heads
    FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_advance_only()`);
  await knex.raw(`CREATE TRIGGER audit_chain_heads_no_truncate BEFORE TRUNCATE ON audit_chain_heads
    FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_heads_advance_only()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
  await knex.schema.dropTable('audit_chain_heads');
  await knex.raw('DROP FUNCTION audit_log_refuse_change()');
  await knex.raw('DROP FUNCTION audit_chain_heads_advance_only()');
}
