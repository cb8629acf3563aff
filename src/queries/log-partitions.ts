// SQL for the monthly partitions of audit_log and authentication_log (schema and the functions
// called here: migrations/20261203090000_partitioned_logs.ts).
import type { Knex } from 'knex';

export const PARTITIONED_LOGS = ['audit_log', 'authentication_log'] as const;
export type PartitionedLog = (typeof PARTITIONED_LOGS)[number];

export type LogPartition = {
  table: PartitionedLog;
  partition: string;
  /** The month's bounds; null for the default partition. */
  from: Date | null;
  to: Date | null;
  /** The planner's estimate (exact counts would scan whole months). */
  estimatedRows: number;
};

const names = (result: { rows: Array<{ name: unknown }> }) => result.rows.map((row) => String(row.name));

export function createLogPartitionQueries(knex: Knex) {
  return {
    /** Creates the months from `at`'s through `monthsAhead` later that are missing; their names. */
    async createMonths(at: Date, monthsAhead: number): Promise<string[]> {
      return names(await knex.raw('SELECT maintain_log_partitions(?::timestamptz, ?) AS name', [at.toISOString(), monthsAhead]));
    },

    async listPartitions(): Promise<LogPartition[]> {
      const result = await knex.raw(`SELECT p.relname AS table, c.relname AS partition, c.reltuples AS estimated_rows,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\)'))[1]::timestamptz AS from_at,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS to_at
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
          WHERE i.inhparent IN (${PARTITIONED_LOGS.map(() => '?::regclass').join(', ')})
          ORDER BY p.relname, 4 NULLS FIRST`, [...PARTITIONED_LOGS]);
      return (result.rows as Array<Record<string, unknown>>).map((row) => ({
        table: row.table as PartitionedLog,
        partition: String(row.partition),
        from: row.from_at ? new Date(row.from_at as string) : null,
        to: row.to_at ? new Date(row.to_at as string) : null,
        // -1 until the partition was first analysed.
        estimatedRows: Math.max(0, Number(row.estimated_rows)),
      }));
    },

    /** Rows no month took (normally none): a month missing when they were written. */
    async countDefaultRows(table: PartitionedLog): Promise<number> {
      return Number((await knex(`${table}_default`).count({ n: '*' }).first())?.n ?? 0);
    },
  };
}

export type LogPartitionQueries = ReturnType<typeof createLogPartitionQueries>;
