// entryHashParts cuts the canonical JSON where the database splices in the chain head's hash and
// the entry's seq (src/queries/audit-log.ts appendAuditEntry): joined, the parts must be exactly
// what entryHash hashes, for any details, ids and types — else every chain would fail verification.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { entryHash, entryHashParts, GENESIS_HASH, type HashedFields } from '../../src/services/audit-chain.js';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('audit entry hash parts', () => {
  const cases: Array<Omit<HashedFields, 'seq' | 'prev_hash'>> = [
    { chain: 0, occurred_at: new Date('2026-12-03T19:30:00.123Z'), type: 'sign_in.succeeded', citizen_id: randomUUID(), client_id: 'isp_x', actor: 'citizen' as const, details: { acr: 'urn:x', amr: ['pwd'] } },
    { chain: 15, occurred_at: new Date(0), type: 'claims.released', citizen_id: null, client_id: null, actor: 'system' as const, details: {} },
    { chain: 7, occurred_at: new Date(), type: 'operator.operation', citizen_id: null, client_id: 'isp_"quoted"', actor: 'operator' as const, details: { note: '中文 "quotes" \\ and \n newline', count: 3, flag: false, list: ['b', 'a'] } },
  ];
  for (const [i, fields] of cases.entries()) {
    it(`joins to the bytes entryHash hashes (case ${i + 1})`, () => {
      for (const [seq, prev] of [[1, GENESIS_HASH], [123456, 'ab'.repeat(32)]] as const) {
        const { before, between, after } = entryHashParts(fields);
        assert.equal(sha256(`${before}${prev}${between}${seq}${after}`), entryHash({ ...fields, seq, prev_hash: prev }));
      }
    });
  }
});
