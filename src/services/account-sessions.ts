// Sessions for the citizen's own pages (/account): a random token in an HttpOnly cookie;
// the ephemeral store keeps only its SHA-256 (a dump of Redis yields no usable session),
// with an idle TTL. Sessions are indexed by citizen so recovery or cancellation can end all,
// and a password change all but the current one.
import { createHash, randomBytes } from 'node:crypto';
import type { ModelStore } from '../storage/model-store.js';

const MODEL = 'AccountSession';
const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export type AccountSession = { citizenId: string; createdAt: number };

export function createAccountSessions(store: ModelStore, idleSeconds: number) {
  return {
    async create(citizenId: string): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      // grantId doubles as the per-citizen index used by endAll().
      await store.upsert(MODEL, digest(token), { citizenId, grantId: citizenId, createdAt: Date.now() }, idleSeconds);
      return token;
    },
    /** The session for a token, its idle timer restarted; undefined if unknown or expired. */
    async touch(token: string | undefined): Promise<AccountSession | undefined> {
      if (!token || token.length > 100) return undefined;
      const id = digest(token);
      const payload = await store.find(MODEL, id);
      if (!payload) return undefined;
      await store.upsert(MODEL, id, payload, idleSeconds);
      return { citizenId: String(payload.citizenId), createdAt: Number(payload.createdAt) };
    },
    end: (token: string) => store.destroy(MODEL, digest(token)),
    endAll: (citizenId: string) => store.revokeByGrantId(MODEL, citizenId),
    /** Ends every session of the citizen except the one holding `keep` (a password change). */
    async endOthers(citizenId: string, keep: string): Promise<void> {
      const id = digest(keep);
      const kept = await store.find(MODEL, id);
      await store.revokeByGrantId(MODEL, citizenId);
      if (kept && kept.citizenId === citizenId) await store.upsert(MODEL, id, kept, idleSeconds);
    },
  };
}

export type AccountSessions = ReturnType<typeof createAccountSessions>;
