// "Download my data": everything held about a citizen, for that citizen alone, as one JSON
// document. The identity data is decrypted for this purpose (audited as 'data_export'); the
// password hash is left out on purpose (it is of no use to the citizen, and a leaked copy of
// the file would allow guessing the password offline).
import type { CitizenQueries, CitizenRow } from '../queries/citizens.js';
import type { IdentityVault } from './identity-vault.js';
import type { ConnectionService } from './connections.js';
import type { KnownDevices } from './known-devices.js';
import type { Contacts } from '../notifications/contacts.js';
import type { AccountNotices } from './account-notices.js';
import type { Activity, LawfulDisclosure } from './activity.js';
import type { RecoveryCodes } from '../sign-in/recovery-codes.js';

export const EXPORT_FORMAT = 'cyberspace-id-data-export/1';

type Dependencies = {
  vault: Pick<IdentityVault, 'open'>;
  citizens: Pick<CitizenQueries, 'findCitizenById' | 'findWardsOf'>;
  connections: Pick<ConnectionService, 'list'>;
  devices: Pick<KnownDevices, 'list'>;
  notices: Pick<AccountNotices, 'pending'>;
  activity: Pick<Activity, 'all'>;
  recoveryCodes: Pick<RecoveryCodes, 'summary'>;
  contacts: Pick<Contacts, 'list'>;
  clientName: (clientId: string) => Promise<string | undefined>;
  now?: () => Date;
};

const iso = (date: Date | string | null | undefined) => (date ? new Date(date).toISOString() : null);

export function createDataExport({ vault, citizens, connections, devices, notices, activity, recoveryCodes, contacts, clientName, now = () => new Date() }: Dependencies) {
  return {
    async build(citizen: CitizenRow, extra: { disclosures?: LawfulDisclosure[] } = {}) {
      const identity = await vault.open(citizen.id, citizen, ['name', 'documentType', 'documentNumber', 'birthDate'], 'data_export');
      const guardian = citizen.guardian_id ? await citizens.findCitizenById(citizen.guardian_id) : undefined;
      const pending = await notices.pending(citizen.id);
      const codes = await recoveryCodes.summary(citizen.id);
      return {
        export_format: EXPORT_FORMAT,
        generated_at: now().toISOString(),
        account: {
          cyberspace_id: citizen.cyberspace_id,
          status: citizen.status,
          suspended_by: citizen.suspended_by,
          suspension_reason: citizen.suspension_reason,
          assurance_level: citizen.assurance_level,
          created_at: iso(citizen.created_at),
          updated_at: iso(citizen.updated_at),
          password_changed_at: iso(citizen.password_changed_at),
          guardian_approved_at: iso(citizen.guardian_approved_at),
          // Whether a second factor is on and since when; its secret is never exported.
          two_factor_enabled_at: iso(citizen.totp_enabled_at),
          // That recovery codes exist and how many are unused; the codes themselves are never
          // kept in a readable form, so never exported.
          recovery_codes: codes.issuedAt ? { issued_at: iso(codes.issuedAt), unused: codes.remaining } : null,
        },
        identity: {
          name: identity.name ?? null,
          document_type: identity.documentType ?? null,
          document_number: identity.documentNumber ?? null,
          birth_date: identity.birthDate ?? null,
        },
        connections: (await connections.list(citizen)).map((c) => ({
          isp_name: c.clientName,
          client_id: c.clientId,
          pairwise_cyberspace_id: c.pairwiseId,
          claims_released: c.claims,
          sign_in_count: c.signIns,
          first_sign_in_at: iso(c.firstSignInAt),
          last_sign_in_at: iso(c.lastSignInAt),
        })),
        guardian: guardian ? { cyberspace_id: guardian.cyberspace_id } : null,
        wards: (await citizens.findWardsOf(citizen.id)).map((ward) => ({ cyberspace_id: ward.cyberspace_id, status: ward.status })),
        // The addresses for notices, decrypted for the citizen alone, like the identity data.
        notice_addresses: (await contacts.list(citizen.id)).map((c) => ({ channel: c.channel, address: c.address, confirmed_at: iso(c.confirmedAt) })),
        known_devices: (await devices.list(citizen.id)).map((d) => ({ description: d.description, first_seen_at: iso(d.firstSeenAt), last_seen_at: iso(d.lastSeenAt), sign_in_count: d.signIns })),
        activity: (await activity.all(citizen.id)).map((item) => ({
          occurred_at: iso(item.occurredAt),
          type: item.type,
          actor: item.actor,
          client_id: item.clientId,
          isp_name: item.ispName,
          details: item.details,
        })),
        lawful_access_disclosures: (extra.disclosures ?? []).map((d) => ({ date: iso(d.date), case_reference: d.caseReference })),
        pending_notices: await Promise.all(pending.map(async (n) => ({
          kind: n.kind,
          client_id: n.clientId,
          isp_name: n.clientId ? (await clientName(n.clientId)) ?? n.clientId : null,
          occurred_at: iso(n.occurredAt),
        }))),
        not_included: [
          'password (only a one-way hash is kept, and it is left out of this file)',
          'recovery codes (only keyed one-way hashes are kept; they are shown once, when made)',
        ],
      };
    },
  };
}

export type DataExport = ReturnType<typeof createDataExport>;
