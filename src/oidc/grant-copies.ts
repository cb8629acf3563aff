// The Grant store oidc-provider sees: PostgreSQL stays the record (grants outlive sessions), and
// a copy in the ephemeral store answers the reads — userinfo, introspection and every refresh
// load the grant, which was one PostgreSQL query each.
// A copy is never older than PostgreSQL once a save or a revocation has returned:
// - a write first marks the grant as changing (for CHANGING_SECONDS), then writes PostgreSQL,
//   then drops the copy;
// - a read that finds no copy reads PostgreSQL and, unless the grant is marked, stores what it
//   read as the copy, then looks for the mark again: a write that began meanwhile may have
//   dropped the copy before this one landed, so it drops its own copy again. (Only a read stalled for longer than CHANGING_SECONDS between its
//   PostgreSQL read and that look could leave an old copy; the copy's TTL still bounds it.)
// A copy lives at most COPY_SECONDS, never past the grant's own expiry.
import type { ModelStore, Payload } from '../storage/model-store.js';
import { nowSeconds } from '../storage/model-store.js';

const COPY = 'GrantCopy';
const CHANGING = 'GrantChanging';
const COPY_SECONDS = 3600;
const CHANGING_SECONDS = 10;

/** A ModelStore for the Grant model only: `durable` with copies in `ephemeral`. */
export function createGrantCopies(durable: ModelStore, ephemeral: ModelStore, changingSeconds = CHANGING_SECONDS): ModelStore {
  async function changing(id: string, write: () => Promise<void>) {
    await ephemeral.upsert(CHANGING, id, { changing: 1 }, changingSeconds);
    await write();
    await ephemeral.destroy(COPY, id);
  }

  return {
    async find(model, id) {
      const copy = await ephemeral.find(COPY, id);
      if (copy) return copy;
      const [payload, marked] = await Promise.all([durable.find(model, id), ephemeral.find(CHANGING, id)]);
      // Just written (a sign-in saves its grant): no copy until the mark is gone.
      if (!payload || marked) return payload;
      const exp = typeof payload.exp === 'number' ? payload.exp - nowSeconds() : COPY_SECONDS;
      const ttl = Math.min(COPY_SECONDS, exp);
      if (ttl > 0) {
        await ephemeral.upsert(COPY, id, payload as Payload, ttl);
        if (await ephemeral.find(CHANGING, id)) await ephemeral.destroy(COPY, id);
      }
      return payload;
    },
    upsert: (model, id, payload, expiresIn) => changing(id, () => durable.upsert(model, id, payload, expiresIn)),
    destroy: (model, id) => changing(id, () => durable.destroy(model, id)),
    // oidc-provider never looks grants up these ways; they stay PostgreSQL's.
    findByUid: (model, uid) => durable.findByUid(model, uid),
    findByUserCode: (model, code) => durable.findByUserCode(model, code),
    consume: (model, id) => durable.consume(model, id),
    revokeByGrantId: (model, grantId) => durable.revokeByGrantId(model, grantId),
  };
}
