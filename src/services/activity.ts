// The citizen's activity: their entries of the audit log (the authentication log the rules
// require, shown to its subject), newest first, a page at a time, with ISP names resolved from
// client ids. Entries carry names of claims and fields, never values (audit-events.ts).
// Lawful-access entries are not the subject's to see while under embargo: they are left out
// here, and a disclosure reaches the citizen only once its embargo has passed (LawfulDisclosure).
import { ValidationError } from '../errors.js';
import type { Locale } from '../web/i18n.js';
import { AUDIT_EVENT_TYPES, type AuditActor, type AuditEntry, type AuditService } from './audit.js';

/** A lawful-access request revealed to its subject after the embargo (wired by the lawful-access service). */
export type LawfulDisclosure = { date: Date; caseReference: string };

/** Decryptions for lawful access must state this purpose, so the subject does not see them early. */
export const LAWFUL_ACCESS_PURPOSE = 'lawful_access';

const HIDDEN_FROM_SUBJECT = {
  types: AUDIT_EVENT_TYPES.filter((type) => type.startsWith('lawful_access.')),
  purposes: [LAWFUL_ACCESS_PURPOSE],
};

export const ACTIVITY_PAGE_SIZE = 50;
const EXPORT_PAGE_SIZE = 1000;

export type ActivityItem = {
  occurredAt: Date;
  type: string;
  actor: AuditActor;
  clientId: string | null;
  /** The ISP's registered name (its client id if it no longer exists). */
  ispName: string | null;
  details: AuditEntry['details'];
};

export type ActivityPage = { items: ActivityItem[]; /** Cursor for the next, older page. */ older?: string };

// A page boundary: the last entry shown (its time, chain and position in the chain).
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)~(\d{1,5})~(\d{1,18})$/;
const toCursor = (entry: AuditEntry) => `${entry.occurredAt.toISOString()}~${entry.chain}~${entry.seq}`;

function parseCursor(cursor: string): Pick<AuditEntry, 'occurredAt' | 'chain' | 'seq'> {
  const match = CURSOR.exec(cursor);
  const occurredAt = match ? new Date(match[1]!) : undefined;
  if (!match || !occurredAt || Number.isNaN(occurredAt.getTime())) throw new ValidationError(['not a valid activity position']);
  return { occurredAt, chain: Number(match[2]), seq: Number(match[3]) };
}

type Dependencies = {
  audit: Pick<AuditService, 'listForCitizen'>;
  /** An ISP's display name, or undefined when no such client exists (any more). */
  clientName: (clientId: string, locale?: Locale) => Promise<string | undefined>;
};

export function createActivity({ audit, clientName }: Dependencies) {
  async function present(entries: AuditEntry[], locale: Locale): Promise<ActivityItem[]> {
    const names = new Map<string, Promise<string>>();
    const nameOf = (clientId: string) => {
      if (!names.has(clientId)) names.set(clientId, clientName(clientId, locale).then((name) => name ?? clientId));
      return names.get(clientId)!;
    };
    return Promise.all(entries.map(async (entry) => ({
      occurredAt: entry.occurredAt,
      type: entry.type,
      actor: entry.actor,
      clientId: entry.clientId,
      ispName: entry.clientId ? await nameOf(entry.clientId) : null,
      details: entry.details,
    })));
  }

  return {
    /** One page, newest first; `cursor` is a previous page's `older`. */
    async page(citizenId: string, cursor?: string, locale: Locale = 'en'): Promise<ActivityPage> {
      const before = cursor ? parseCursor(cursor) : undefined;
      const entries = await audit.listForCitizen(citizenId, { limit: ACTIVITY_PAGE_SIZE + 1, before, exclude: HIDDEN_FROM_SUBJECT });
      const shown = entries.slice(0, ACTIVITY_PAGE_SIZE);
      return { items: await present(shown, locale), older: entries.length > ACTIVITY_PAGE_SIZE ? toCursor(shown[shown.length - 1]!) : undefined };
    },

    /** Every entry, newest first (the data export). */
    async all(citizenId: string, locale: Locale = 'en'): Promise<ActivityItem[]> {
      const entries: AuditEntry[] = [];
      for (let before: AuditEntry | undefined; ;) {
        const page = await audit.listForCitizen(citizenId, { limit: EXPORT_PAGE_SIZE, before, exclude: HIDDEN_FROM_SUBJECT });
        entries.push(...page);
        if (page.length < EXPORT_PAGE_SIZE) break;
        before = page[page.length - 1];
      }
      return present(entries, locale);
    },
  };
}

export type Activity = ReturnType<typeof createActivity>;
