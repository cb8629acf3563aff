// Ordered list of migrations. Append new files here; never edit one that has landed.
import type { Knex } from 'knex';
import * as initial from './20261122000000_initial.js';
import * as citizenIdentity from './20261122020000_citizen_identity.js';
import * as auditLog from './20261122030000_audit_log.js';
import * as connectionsAndApprovals from './20261122040000_connections_and_approvals.js';
import * as sandboxIdentities from './20261122010000_sandbox_identities.js';
import * as knownDevicesAndNotices from './20261123010000_known_devices_and_notices.js';
import * as lawfulAccess from './20261122050000_lawful_access.js';
import * as twoFactor from './20261124010000_two_factor.js';
import * as identityAssurance from './20261202010000_identity_assurance.js';
import * as recoveryRequests from './20261202020000_recovery_requests.js';
import * as signInNotices from './20261202030000_sign_in_notices.js';
import * as recoveryCodes from './20261202030100_recovery_codes.js';
import * as passkeys from './20261202040000_passkeys.js';
import * as knownDeviceDescription from './20261202100000_known_device_description.js';
import * as idTokenAlgKept from './20261202060000_id_token_alg_kept.js';
import * as pinPortedSectors from './20261202060100_pin_ported_sectors.js';
import * as notifications from './20261202050000_notifications.js';
import * as clientOnboarding from './20261203020000_client_onboarding.js';
import * as operators from './20261203010000_operators.js';
import * as lawfulAccessOfficers from './20261203010100_lawful_access_officers.js';
import * as authenticationLog from './20261203020100_authentication_log.js';
import * as logoutOutbox from './20261203060000_logout_outbox.js';
import * as disclosureNotified from './20261203070000_disclosure_notified.js';
import * as applicationToken from './20261203070100_application_token.js';
import * as sandboxGuardianships from './20261203080000_sandbox_guardianships.js';
import * as partitionedLogs from './20261203090000_partitioned_logs.js';
import * as noticeToRemovedAddress from './20261203100000_notice_to_removed_address.js';

export const migrations: ReadonlyArray<readonly [string, Knex.Migration]> = [
  ['20261122000000_initial', initial],
  ['20261122020000_citizen_identity', citizenIdentity],
  ['20261122030000_audit_log', auditLog],
  ['20261122040000_connections_and_approvals', connectionsAndApprovals],
  ['20261122010000_sandbox_identities', sandboxIdentities],
  ['20261123010000_known_devices_and_notices', knownDevicesAndNotices],
  ['20261122050000_lawful_access', lawfulAccess],
  ['20261124010000_two_factor', twoFactor],
  ['20261202010000_identity_assurance', identityAssurance],
  ['20261202020000_recovery_requests', recoveryRequests],
  ['20261202030000_sign_in_notices', signInNotices],
  ['20261202030100_recovery_codes', recoveryCodes],
  ['20261202040000_passkeys', passkeys],
  ['20261202100000_known_device_description', knownDeviceDescription],
  ['20261202060000_id_token_alg_kept', idTokenAlgKept],
  ['20261202060100_pin_ported_sectors', pinPortedSectors],
  ['20261202050000_notifications', notifications],
  ['20261203020000_client_onboarding', clientOnboarding],
  ['20261203010000_operators', operators],
  ['20261203020100_authentication_log', authenticationLog],
  ['20261203010100_lawful_access_officers', lawfulAccessOfficers],
  ['20261203060000_logout_outbox', logoutOutbox],
  ['20261203070000_disclosure_notified', disclosureNotified],
  ['20261203070100_application_token', applicationToken],
  ['20261203080000_sandbox_guardianships', sandboxGuardianships],
  ['20261203090000_partitioned_logs', partitionedLogs],
  ['20261203100000_notice_to_removed_address', noticeToRemovedAddress],
];
