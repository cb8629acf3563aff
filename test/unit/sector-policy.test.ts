// Which clients must register their own pairwise sector (OIDC Core §8.1).
import assert from 'node:assert/strict';
import { sectorProblems } from '../../src/services/redirect-uri-policy.js';

describe('pairwise sector policy', () => {
  it('accepts a client whose redirect URIs name its own host', () => {
    assert.deepEqual(sectorProblems(['https://isp.example/cb'], undefined, { production: true }), []);
  });

  it('in production, refuses loopback-only native clients without a sector_identifier_uri (they would share one sector)', () => {
    for (const uris of [['http://127.0.0.1/cb'], ['http://localhost:8080/cb', 'http://[::1]/cb']]) {
      const problems = sectorProblems(uris, undefined, { production: true });
      assert.equal(problems.length, 1, uris.join(' '));
      assert.match(problems[0]!, /sector_identifier_uri/);
      assert.deepEqual(sectorProblems(uris, 'https://isp.example/sector.json', { production: true }), []);
    }
  });

  it('outside production, keeps loopback clients simple (the development demo lives on localhost)', () => {
    assert.deepEqual(sectorProblems(['http://127.0.0.1/cb'], undefined, { production: false }), []);
  });

  it('always refuses a host-less private-use redirect without a sector', () => {
    assert.equal(sectorProblems(['cn.example.app:/cb'], undefined).length, 1);
  });
});
