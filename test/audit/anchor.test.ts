// Anchoring the chain heads outside the database catches what the chains alone cannot: someone
// who disables the triggers and rewrites a chain consistently, from an entry through its head.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { realServices } from '../support/real-services.js';
import { pgliteDatabase, postgresDatabase, type TestDatabase } from '../support/stores.js';
import { createAuditLogQueries } from '../../src/queries/audit-log.js';
import { createAuditService, type AuditService } from '../../src/services/audit.js';
import { chainFor, entryHash } from '../../src/services/audit-chain.js';
import { runCommand } from '../../src/cli/registry.js';
import type { Container } from '../../src/container.js';

describe('audit anchors', () => {
  let db: TestDatabase;
  let audit: AuditService;
  before(async () => {
    const { databaseUrl } = await realServices();
    db = databaseUrl ? await postgresDatabase(databaseUrl) : await pgliteDatabase();
    audit = createAuditService({ queries: createAuditLogQueries(db.knex) });
  });
  after(async () => db?.drop());

  /** As a DBA who disabled the triggers: rewrites `chain` from `fromSeq` on, every hash recomputed. */
  async function rewriteConsistently(chain: number, fromSeq: number) {
    const knex = db.knex;
    await knex.raw('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await knex.raw('ALTER TABLE audit_chain_heads DISABLE TRIGGER audit_chain_heads_advance_only');
    try {
      const rows = await knex('audit_log').where({ chain }).andWhere('seq', '>=', fromSeq).orderBy('seq');
      let prev = (await knex('audit_log').where({ chain, seq: fromSeq - 1 }).first()).hash as string;
      for (const row of rows) {
        const forged = { ...row, chain, seq: Number(row.seq), prev_hash: prev, occurred_at: new Date(row.occurred_at), details: Number(row.seq) === fromSeq ? { reason_code: 'forged' } : row.details };
        const hash = entryHash(forged);
        await knex('audit_log').where({ chain, seq: row.seq }).update({ prev_hash: prev, hash, details: JSON.stringify(forged.details) });
        prev = hash;
      }
      await knex('audit_chain_heads').where({ chain }).update({ hash: prev });
    } finally {
      await knex.raw('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
      await knex.raw('ALTER TABLE audit_chain_heads ENABLE TRIGGER audit_chain_heads_advance_only');
    }
  }

  it('detects a consistent rewrite that the chains alone cannot, through `cyberid audit verify --anchor`', async () => {
    const citizenId = randomUUID();
    const chain = chainFor({ citizenId, clientId: null, actor: 'citizen' });
    for (let i = 0; i < 4; i += 1) await audit.record({ type: 'sign_in.failed', citizenId, actor: 'citizen', details: { reason_code: 'invalid_credentials' } });
    const anchorFile = path.join(mkdtempSync(path.join(tmpdir(), 'anchor-')), 'anchor.json');
    const printed = await runCommand({ audit } as unknown as Container, ['audit', 'anchor']);
    assert.equal(printed.exitCode ?? 0, 0);
    writeFileSync(anchorFile, printed.output);
    // Later entries after the anchor are fine.
    await audit.record({ type: 'sign_in.failed', citizenId, actor: 'citizen', details: { reason_code: 'invalid_credentials' } });
    assert.equal((await runCommand({ audit } as unknown as Container, ['audit', 'verify', '--anchor', anchorFile])).exitCode ?? 0, 0);

    await rewriteConsistently(chain, 2);
    assert.equal((await audit.verify()).ok, true, 'the chains alone see nothing wrong');
    const result = await runCommand({ audit } as unknown as Container, ['audit', 'verify', '--anchor', anchorFile]);
    assert.equal(result.exitCode, 1);
    assert.match(result.output, new RegExp(`chain ${chain} seq 4: differs from the anchor`));
  });

  it('refuses a file that is not an anchor, clearly', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'anchor-')), 'bad.json');
    writeFileSync(file, '{"heads": "nope"}');
    const result = await runCommand({ audit } as unknown as Container, ['audit', 'verify', '--anchor', file]);
    assert.equal(result.exitCode, 1);
    assert.match(result.output, /not an audit anchor/);
  });
});
