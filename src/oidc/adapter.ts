// oidc-provider's storage adapter, one per model name, routing each model to its store:
// - Client → the ISP registry (clients table, secrets sealed);
// - Grant, RegistrationAccessToken, InitialAccessToken → PostgreSQL (they outlive sessions);
//   the Grant read through a copy in Redis (grant-copies.ts), as every token use loads it;
// - everything short-lived (sessions, interactions, codes, tokens, replay markers) → Redis.
// consume() is atomic in every store; the loser of a race to redeem a code or rotate a refresh
// token revokes the whole grant and fails, so a stolen code cannot be raced past the check.
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { ModelStore, Payload } from '../storage/model-store.js';
import type { ClientMetadata, ClientService } from '../services/clients.js';
import { ValidationError } from '../errors.js';
import { clientServedNow } from './client-status-gate.js';

export const DURABLE_MODELS = new Set(['Grant', 'RegistrationAccessToken', 'InitialAccessToken']);
const SINGLE_USE_MODELS = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

export type AdapterDependencies = {
  durable: ModelStore;
  ephemeral: ModelStore;
  /** The Grant model's store: `durable`, read through copies (grant-copies.ts). */
  grants: ModelStore;
  clients: ClientService;
  /** Revokes every token and the grant itself (double redemption, refresh token replay). */
  revokeGrant: (grantId: string) => Promise<void>;
};

function clientAdapter(clients: ClientService): Adapter {
  return {
    // Only an active ISP signs citizens in; which routes see the others: client-status-gate.ts.
    async find(id) {
      const loaded = await clients.loadClient(id);
      return loaded && clientServedNow(loaded.status) ? (loaded.metadata as AdapterPayload) : undefined;
    },
    // Registration and its updates end here: the registry's policy answers as RFC 7591 §3.2.2
    // asks (invalid_redirect_uri / invalid_client_metadata), and nothing is stored.
    async upsert(id, payload) {
      try {
        await clients.storeRegisteredClient({ ...(payload as ClientMetadata), client_id: id });
      } catch (error) {
        if (error instanceof ValidationError) throw new errors.InvalidClientMetadata(error.problems.join('; '));
        throw error;
      }
    },
    destroy: async (id) => clients.deleteClient(id),
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: async () => undefined,
    revokeByGrantId: async () => undefined,
  };
}

export function createAdapterFactory({ durable, ephemeral, grants, clients, revokeGrant }: AdapterDependencies) {
  return (model: string): Adapter => {
    if (model === 'Client') return clientAdapter(clients);
    const store = model === 'Grant' ? grants : DURABLE_MODELS.has(model) ? durable : ephemeral;
    return {
      upsert: (id, payload, expiresIn) => store.upsert(model, id, payload as Payload, expiresIn),
      find: async (id) => (await store.find(model, id)) as AdapterPayload | undefined,
      findByUid: async (uid) => (await store.findByUid(model, uid)) as AdapterPayload | undefined,
      findByUserCode: async (code) => (await store.findByUserCode(model, code)) as AdapterPayload | undefined,
      destroy: (id) => store.destroy(model, id),
      revokeByGrantId: (grantId) => store.revokeByGrantId(model, grantId),
      async consume(id) {
        if (await store.consume(model, id)) return;
        if (!SINGLE_USE_MODELS.has(model)) return;
        // Lost the race: someone else redeemed it between our read and our consume.
        const payload = await store.find(model, id);
        if (payload?.grantId) await revokeGrant(payload.grantId);
        throw new errors.InvalidGrant(`${model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`);
      },
    };
  };
}

/** Everything issued under a grant, in both stores; `grants` as in AdapterDependencies. */
export function createGrantRevoker(grants: ModelStore, ephemeral: ModelStore) {
  const tokenModels = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];
  return async (grantId: string) => {
    await Promise.all([
      ...tokenModels.map((model) => ephemeral.revokeByGrantId(model, grantId)),
      grants.destroy('Grant', grantId),
    ]);
  };
}
