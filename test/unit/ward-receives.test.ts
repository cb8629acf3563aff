// What the guardian is shown an ISP would receive about their ward: every scope an ISP can be
// allowed maps to at least one item, and every item has its sentence (both languages share
// the key set, so a key in the English table is a key in the Chinese one).
import assert from 'node:assert/strict';
import { wardReceives } from '../../src/routes/account-guardianship.js';
import { GRANTABLE_SCOPES, SCOPE_CLAIMS } from '../../src/oidc/claims.js';
import { en } from '../../src/web/locales/en.js';
import { zhCN } from '../../src/web/locales/zh-CN.js';

describe('what a ward’s ISP would receive, as told to the guardian', () => {
  it('names something for every grantable scope, with a sentence in both languages', () => {
    for (const scope of GRANTABLE_SCOPES) {
      const codes = wardReceives(scope);
      assert.ok(codes.length > 0, `${scope} shows the guardian nothing`);
      for (const code of codes) {
        for (const [language, table] of [['en', en], ['zh-CN', zhCN]] as const) {
          assert.ok(Object.hasOwn(table, `ward_claim.${code}`), `ward_claim.${code} missing in ${language}`);
        }
      }
    }
  });

  it('is the claims catalogue for the requested scopes, plus lasting access', () => {
    assert.deepEqual(wardReceives('openid age offline_access'), [...SCOPE_CLAIMS.openid!, ...SCOPE_CLAIMS.age!, 'offline_access']);
    assert.deepEqual(wardReceives('openid unknown'), SCOPE_CLAIMS.openid);
  });
});
