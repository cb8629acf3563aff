// The two logs that grow with every sign-in, audit_log and authentication_log, become tables
// partitioned by month of occurred_at (PostgreSQL declarative partitioning, issue 9), existing
// rows kept. Nothing else grows per sign-in: the outboxes hold what is still owed (or carry a
// global idempotency key a partitioned table cannot keep unique), oidc_payloads holds one grant
// per citizen and ISP, known_devices one row per device (docs/operations.md "Partitions").
// - One partition per calendar month (UTC), `<table>_YYYY_MM`, plus `<table>_default` for any row
//   no month partition takes: an insert never fails for want of a partition. The months ahead are
//   created here and by maintain_log_partitions() (the server at start and hourly, `cyberid
//   partitions`, `cyberid prune`), so the default normally stays empty.
// - A primary key must include the partition key: audit_log (chain, seq, occurred_at),
//   authentication_log (id, occurred_at). (chain, seq) stays unique by another mechanism: an
//   entry can only be inserted as its chain's next entry, and inserting it moves the chain's head
//   (audit_log_next_in_chain below), so no second entry can ever take the same seq. The
//   authentication log's id is a random UUID made by the service; nothing looks it up alone.
// - Row triggers on a partitioned table apply to every partition (append-only, retention guard);
//   statement triggers do not, so each partition gets its own copy of the TRUNCATE refusal.
// - Retention is a partition drop: drop_authentication_log_partitions() detaches and drops the
//   months whose every entry is past the cutoff, and never one that may hold an entry younger
//   than the legal 183 days, whatever cutoff it is given. The audit log is kept whole: its chains
//   are verified from their first entry, so a dropped month would read as tampering.
// - The maintenance functions are SECURITY DEFINER with their search_path pinned: the service's
//   role, which should not own these tables (docs/operations.md), can add months and drop expired
//   ones, and nothing else.
import type { Knex } from 'knex';

const MONTHS_AHEAD = 3;

// Indexes are renamed with their table: index names are unique per schema.
const OLD_INDEXES: Record<string, string[]> = {
  audit_log: ['audit_log_pkey', 'audit_log_citizen_idx', 'audit_log_client_release_idx'],
  authentication_log: ['authentication_log_pkey', 'authentication_log_citizen_idx', 'authentication_log_time_idx'],
};

async function setAside(knex: Knex, table: string): Promise<string> {
  const old = `${table}_unpartitioned`;
  await knex.raw('ALTER TABLE ?? RENAME TO ??', [table, old]);
  for (const index of OLD_INDEXES[table]!) {
    await knex.raw('ALTER INDEX IF EXISTS ?? RENAME TO ??', [index, index.replace(table, old)]);
  }
  return old;
}

const FUNCTIONS = [`
CREATE FUNCTION copy_truncate_triggers(parent regclass, part regclass) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE t record;
  BEGIN
    -- Statement-level triggers are not inherited: a partition truncated on its own would skip them.
    FOR t IN SELECT tgname, tgfoid::regproc AS fn FROM pg_catalog.pg_trigger
              WHERE tgrelid = parent AND NOT tgisinternal AND (tgtype & 32) <> 0 LOOP
      EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s()', t.tgname, part, t.fn);
    END LOOP;
  END
$$`,

`CREATE FUNCTION create_monthly_partitions(parent regclass, from_at timestamptz, through_at timestamptz) RETURNS SETOF text LANGUAGE plpgsql AS $$
  DECLARE
    -- Months in UTC, computed without a time zone so no session setting or DST shifts a bound.
    month timestamp := date_trunc('month', from_at AT TIME ZONE 'UTC');
    last timestamp := date_trunc('month', through_at AT TIME ZONE 'UTC');
    nsp name;
    base name;
    key name;
    def regclass;
    part text;
    taken boolean;
  BEGIN
    SELECT n.nspname, c.relname INTO nsp, base FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = parent;
    SELECT a.attname, NULLIF(p.partdefid, 0)::regclass INTO key, def FROM pg_catalog.pg_partitioned_table p
      JOIN pg_catalog.pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0] WHERE p.partrelid = parent;
    WHILE month <= last LOOP
      part := base || '_' || to_char(month, 'YYYY_MM');
      IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
        -- Rows of that month already in the default partition would make the CREATE fail; the
        -- month then stays in the default (\`cyberid partitions\` shows it is not empty).
        taken := false;
        IF def IS NOT NULL THEN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I < $2)', def, key, key)
            INTO taken USING month AT TIME ZONE 'UTC', (month + interval '1 month') AT TIME ZONE 'UTC';
        END IF;
        IF NOT taken THEN
          EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', nsp, part, parent,
            to_char(month, 'YYYY-MM-DD') || ' 00:00:00+00', to_char(month + interval '1 month', 'YYYY-MM-DD') || ' 00:00:00+00');
          PERFORM copy_truncate_triggers(parent, format('%I.%I', nsp, part)::regclass);
          RETURN NEXT part;
        END IF;
      END IF;
      month := month + interval '1 month';
    END LOOP;
  END
$$`,

`CREATE FUNCTION maintain_log_partitions(at timestamptz, months_ahead integer) RETURNS SETOF text LANGUAGE plpgsql SECURITY DEFINER AS $$
  BEGIN
    IF months_ahead NOT BETWEEN 0 AND 24 THEN RAISE EXCEPTION 'months_ahead must be 0 to 24'; END IF;
    -- Instances doing this at once: one creates, the others then find the months there.
    PERFORM pg_advisory_xact_lock(hashtext('maintain_log_partitions'));
    RETURN QUERY SELECT create_monthly_partitions('audit_log', at, at + make_interval(months => months_ahead));
    RETURN QUERY SELECT create_monthly_partitions('authentication_log', at, at + make_interval(months => months_ahead));
  END
$$`,

`CREATE FUNCTION drop_authentication_log_partitions(cutoff timestamptz) RETURNS SETOF text LANGUAGE plpgsql SECURITY DEFINER AS $$
  DECLARE
    p record;
    name text;
  BEGIN
    -- The retention guard's rule (authentication_log_guard): nothing younger than 183 days goes,
    -- whatever the caller's clock or configuration says.
    cutoff := least(cutoff, now() - interval '183 days');
    PERFORM pg_advisory_xact_lock(hashtext('maintain_log_partitions'));
    FOR p IN SELECT oid::regclass AS part, upper FROM (
               SELECT c.oid, (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper
                 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'authentication_log'::regclass) bounds
              WHERE upper <= cutoff ORDER BY upper LOOP
      name := p.part::text; -- once dropped, a regclass reads as its bare oid
      EXECUTE format('ALTER TABLE authentication_log DETACH PARTITION %s', name);
      EXECUTE format('DROP TABLE %s', name);
      RETURN NEXT name;
    END LOOP;
  END
$$`,

// Only the chain's next entry can be inserted, and inserting it advances the chain's head: the
// uniqueness of (chain, seq) a primary key gave before partitioning.
`CREATE FUNCTION audit_log_next_in_chain() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE audit_chain_heads SET seq = NEW.seq, hash = NEW.hash
     WHERE chain = NEW.chain AND seq = NEW.seq - 1 AND hash = NEW.prev_hash;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'audit_log entry (%, %) is not the next entry of its chain', NEW.chain, NEW.seq;
    END IF;
    RETURN NEW;
  END
$$`];

// SECURITY DEFINER functions must not resolve names through the caller's search_path.
const PIN_SEARCH_PATH = `DO $$ BEGIN
  EXECUTE format('ALTER FUNCTION maintain_log_partitions(timestamptz, integer) SET search_path = pg_catalog, %I, pg_temp', current_schema());
  EXECUTE format('ALTER FUNCTION drop_authentication_log_partitions(timestamptz) SET search_path = pg_catalog, %I, pg_temp', current_schema());
END $$`;

export async function up(knex: Knex): Promise<void> {
  // Copying a large log takes longer than the service's statement timeout.
  await knex.raw('SET LOCAL statement_timeout = 0');
  for (const statement of FUNCTIONS) await knex.raw(statement);
  await knex.raw(PIN_SEARCH_PATH);

  const oldAudit = await setAside(knex, 'audit_log');
  await knex.raw(`CREATE TABLE audit_log (
      chain smallint NOT NULL,
      seq bigint NOT NULL,
      occurred_at timestamptz NOT NULL,
      type varchar(48) NOT NULL,
      citizen_id uuid,
      client_id varchar(64),
      actor varchar(16) NOT NULL,
      details jsonb NOT NULL,
      prev_hash varchar(64) NOT NULL,
      hash varchar(64) NOT NULL,
      CONSTRAINT audit_log_pkey PRIMARY KEY (chain, seq, occurred_at),
      CONSTRAINT audit_log_actor_check CHECK (actor IN ('citizen', 'operator', 'system', 'guardian', 'isp'))
    ) PARTITION BY RANGE (occurred_at)`);
  await knex.raw('CREATE INDEX audit_log_citizen_idx ON audit_log (citizen_id, occurred_at, chain, seq)');
  await knex.raw(`CREATE INDEX audit_log_client_release_idx ON audit_log (client_id, citizen_id) WHERE type = 'claims.released'`);

  const oldAuth = await setAside(knex, 'authentication_log');
  await knex.raw(`CREATE TABLE authentication_log (
      id uuid NOT NULL,
      citizen_id uuid NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      client_id varchar(64),
      event varchar(24) NOT NULL,
      outcome varchar(16) NOT NULL,
      reason_code varchar(48),
      acr varchar(64),
      address_ciphertext text,
      user_agent_ciphertext text,
      CONSTRAINT authentication_log_pkey PRIMARY KEY (id, occurred_at),
      CONSTRAINT authentication_log_outcome_check CHECK (outcome IN ('succeeded', 'failed'))
    ) PARTITION BY RANGE (occurred_at)`);
  await knex.raw('CREATE INDEX authentication_log_citizen_idx ON authentication_log (citizen_id, occurred_at)');
  await knex.raw('CREATE INDEX authentication_log_time_idx ON authentication_log (occurred_at)');

  for (const [table, old] of [['audit_log', oldAudit], ['authentication_log', oldAuth]] as const) {
    await knex.raw(`CREATE TABLE ?? PARTITION OF ?? DEFAULT`, [`${table}_default`, table]);
    // Every month that holds rows, through the months ahead.
    await knex.raw(`SELECT create_monthly_partitions(?::regclass, coalesce((SELECT min(occurred_at) FROM ??), now()), now() + interval '${MONTHS_AHEAD} months')`, [table, old]);
    await knex.raw(`INSERT INTO ?? SELECT * FROM ?? ORDER BY occurred_at`, [table, old]);
    await knex.raw('DROP TABLE ??', [old]);
  }

  await knex.raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
  await knex.raw(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  // After the copy: the copied entries are already counted in their chains' heads.
  await knex.raw(`CREATE TRIGGER audit_log_next_in_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_next_in_chain()`);
  await knex.raw(`CREATE TRIGGER authentication_log_append_only BEFORE UPDATE OR DELETE ON authentication_log
    FOR EACH ROW EXECUTE FUNCTION authentication_log_guard()`);
  await knex.raw(`CREATE TRIGGER authentication_log_no_truncate BEFORE TRUNCATE ON authentication_log
    FOR EACH STATEMENT EXECUTE FUNCTION authentication_log_guard()`);
  await knex.raw(`SELECT copy_truncate_triggers(c.oid::regclass, i.inhrelid::regclass)
    FROM pg_class c JOIN pg_inherits i ON i.inhparent = c.oid
    WHERE c.oid IN ('audit_log'::regclass, 'authentication_log'::regclass)`);
}

// Back to plain tables, every row kept, with the keys, indexes and triggers the earlier
// migrations gave them (created after the copy, so the copy itself is not refused).
export async function down(knex: Knex): Promise<void> {
  await knex.raw('SET LOCAL statement_timeout = 0');
  for (const table of ['audit_log', 'authentication_log']) {
    await knex.raw('ALTER TABLE ?? RENAME TO ??', [table, `${table}_partitioned`]);
    await knex.raw(`CREATE TABLE ?? (LIKE ?? INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`, [table, `${table}_partitioned`]);
    await knex.raw('INSERT INTO ?? SELECT * FROM ??', [table, `${table}_partitioned`]);
    await knex.raw('DROP TABLE ?? CASCADE', [`${table}_partitioned`]);
  }
  await knex.raw('ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (chain, seq)');
  await knex.raw('CREATE INDEX audit_log_citizen_idx ON audit_log (citizen_id, occurred_at, chain, seq)');
  await knex.raw(`CREATE INDEX audit_log_client_release_idx ON audit_log (client_id, citizen_id) WHERE type = 'claims.released'`);
  await knex.raw('ALTER TABLE authentication_log ADD CONSTRAINT authentication_log_pkey PRIMARY KEY (id)');
  await knex.raw('CREATE INDEX authentication_log_citizen_idx ON authentication_log (citizen_id, occurred_at)');
  await knex.raw('CREATE INDEX authentication_log_time_idx ON authentication_log (occurred_at)');
  await knex.raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
  await knex.raw(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
  await knex.raw(`CREATE TRIGGER authentication_log_append_only BEFORE UPDATE OR DELETE ON authentication_log
    FOR EACH ROW EXECUTE FUNCTION authentication_log_guard()`);
  await knex.raw(`CREATE TRIGGER authentication_log_no_truncate BEFORE TRUNCATE ON authentication_log
    FOR EACH STATEMENT EXECUTE FUNCTION authentication_log_guard()`);
  await knex.raw('DROP FUNCTION audit_log_next_in_chain()');
  await knex.raw('DROP FUNCTION drop_authentication_log_partitions(timestamptz)');
  await knex.raw('DROP FUNCTION maintain_log_partitions(timestamptz, integer)');
  await knex.raw('DROP FUNCTION create_monthly_partitions(regclass, timestamptz, timestamptz)');
  await knex.raw('DROP FUNCTION copy_truncate_triggers(regclass, regclass)');
}
