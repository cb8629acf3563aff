// The operators area (issue 11): accounts, sign-in and sessions, and the operations layer that
// the console (and any admin API) goes through. Built once by the composition root.
import type { Knex } from 'knex';
import type { Config } from '../config/config.js';
import type { Envelope } from '../crypto/envelope.js';
import { createOperatorQueries } from '../queries/operators.js';
import type { PasswordHasher } from '../services/password-hasher.js';
import type { EphemeralStore } from '../storage/model-store.js';
import { createOperatorAccounts } from './accounts.js';
import { createApiTokens } from './api-tokens.js';
import { createOperatorAuthentication } from './authentication.js';
import { createOperationCatalogue, type OperatorServices } from './catalogue.js';
import { createOperations } from './operations.js';
import { createOperatorCodeChecker } from './totp.js';

type Dependencies = OperatorServices & {
  knex: Knex;
  envelope: Envelope;
  hasher: PasswordHasher;
  store: EphemeralStore;
  config: Config['operators'];
};

export function createOperatorArea({ knex, envelope, hasher, store, config, ...services }: Dependencies) {
  const queries = createOperatorQueries(knex);
  const record = services.audit.record;
  const attempts = { attempts: config.signInAttemptsPerHandle, windowSeconds: config.windowSeconds };
  const checkCode = createOperatorCodeChecker(store, attempts);
  const accounts = createOperatorAccounts({ queries, hasher, envelope, store, checkCode, record, enrolmentSeconds: config.enrolmentSeconds, attempts });
  const authentication = createOperatorAuthentication({ queries, hasher, envelope, store, checkCode, record, limits: config });
  const operations = createOperations({
    catalogue: createOperationCatalogue({ ...services, accounts, authentication }),
    findOperator: queries.findOperatorById,
    authentication,
    record,
  });
  // The admin API's tokens: bound to a sign-in session and a DPoP key (api-tokens.ts).
  const apiTokens = createApiTokens({ store, authentication, tokenSeconds: config.apiTokenSeconds });
  return { queries, accounts, authentication, operations, apiTokens };
}

export type OperatorArea = ReturnType<typeof createOperatorArea>;
