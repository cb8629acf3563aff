// The monthly partitions of the audit and authentication logs (migration 20261203090000;
// docs/operations.md "Partitions"): months are created ahead so every entry lands in its month,
// never in the default partition, and a month can later go as a whole. Run at start and hourly
// by the server, and by `cyberid partitions` and `cyberid prune`; creating a month that exists
// is a no-op, so instances doing it at once do no harm. Retention is the authentication log's
// (services/authentication-log.ts prune); the audit log keeps every month.
import { PARTITIONED_LOGS, type LogPartition, type LogPartitionQueries, type PartitionedLog } from '../queries/log-partitions.js';

/** The current month and the next three: an instance down for a quarter still finds its month. */
export const MONTHS_AHEAD = 3;

export type PartitionReport = {
  partitions: LogPartition[];
  /** Entries in each default partition: above zero, a month was missing (see the operations page). */
  defaultRows: Record<PartitionedLog, number>;
};

export function createLogPartitions({ queries, now = () => new Date() }: { queries: LogPartitionQueries; now?: () => Date }) {
  return {
    /** Creates what is missing of this month and the next MONTHS_AHEAD; the partitions created. */
    createAhead(at: Date = now()): Promise<string[]> {
      return queries.createMonths(at, MONTHS_AHEAD);
    },
    async describe(): Promise<PartitionReport> {
      const defaultRows = {} as Record<PartitionedLog, number>;
      for (const table of PARTITIONED_LOGS) defaultRows[table] = await queries.countDefaultRows(table);
      return { partitions: await queries.listPartitions(), defaultRows };
    },
  };
}

export type LogPartitions = ReturnType<typeof createLogPartitions>;
