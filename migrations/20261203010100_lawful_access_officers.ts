// Lawful-access officers are operator accounts (issue 11), in the database too: a trigger on the
// ledger refuses any officer column set to something other than the id of an active operator
// holding lawful_access_officer, so a ledger row cannot name officers by typed strings even when
// written around the service. Only values being set are checked: rows from before operator
// accounts keep the badge strings they were written with, and clearing a column (undoing a step
// whose audit entry failed) is allowed. The two-officer CHECK constraint stays as it was.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE FUNCTION lawful_access_officers_are_operators() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      officer text;
      previous text[] := ARRAY[NULL, NULL, NULL, NULL]::text[];
      current text[] := ARRAY[NEW.requesting_officer, NEW.approving_officer, NEW.revealing_officer, NEW.refusing_officer];
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        previous := ARRAY[OLD.requesting_officer, OLD.approving_officer, OLD.revealing_officer, OLD.refusing_officer];
      END IF;
      FOR i IN 1..4 LOOP
        officer := current[i];
        IF officer IS NOT NULL AND officer IS DISTINCT FROM previous[i] AND NOT EXISTS (
          SELECT 1 FROM operators o
           WHERE o.id::text = officer AND o.status = 'active' AND 'lawful_access_officer' = ANY (o.roles)) THEN
          RAISE EXCEPTION 'lawful-access officer % is not an active operator with the lawful_access_officer role', officer
            USING ERRCODE = 'check_violation';
        END IF;
      END LOOP;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER lawful_access_officers_are_operators BEFORE INSERT OR UPDATE ON lawful_access_requests
    FOR EACH ROW EXECUTE FUNCTION lawful_access_officers_are_operators()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS lawful_access_officers_are_operators ON lawful_access_requests');
  await knex.raw('DROP FUNCTION IF EXISTS lawful_access_officers_are_operators()');
}
