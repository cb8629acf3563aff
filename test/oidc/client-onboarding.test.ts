// ISP onboarding (issue 11): submitted → approved → active → suspended (→ active). Only an
// active ISP signs citizens in; suspending revokes every token it holds, and reactivating does
// not bring them back; each decision names its reason and is audited; a decision that does not
// fit the ISP's status is refused with a clear error and changes nothing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createClient } from '../support/factories.js';
import { Browser, isPage } from '../support/browser.js';
import { authorizeUrl, exchangeCode } from '../support/flow.js';
import { assertAccessTokenDead, assertRefreshTokenDead, introspect, refresh, signInForTokens } from '../support/tokens.js';
import { runCommand } from '../../src/cli/registry.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import type { OnboardingDecision } from '../../src/services/client-onboarding.js';
import * as onboardingMigration from '../../migrations/20261203020000_client_onboarding.js';

const by = { actor: 'operator' as const };

describe('ISP onboarding', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  const registered = async (name: string) => {
    const created = await app.container.clients.addClient({ name, redirectUris: ['https://review.isp.example/cb'], scope: 'openid offline_access' });
    return { ...created, redirect_uri: 'https://review.isp.example/cb' };
  };
  const statusOf = async (clientId: string) => (await app.container.clients.findClient(clientId))?.status;
  const auditFor = async (clientId: string) =>
    (await app.container.db.knex('audit_log').where({ client_id: clientId }).orderBy('occurred_at').select('type', 'actor', 'details')) as Array<{ type: string; actor: string; details: Record<string, unknown> }>;

  /** The authorization endpoint's answer to a citizen's browser: a page, never a redirect. */
  async function authorizePage(client: { client_id: string; redirect_uri: string }, lang = 'en') {
    const browser = new Browser(app.url);
    const result = await browser.navigate(`${authorizeUrl(app.url, client, { ui_locales: lang }).url.href}`);
    assert.ok(isPage(result), `no redirect to the ISP (got ${isPage(result) ? '' : result.redirectedTo.href})`);
    return { status: result.status, text: result.document.querySelector('main')?.text ?? '' };
  }

  it('a new ISP is submitted and cannot sign citizens in; nor once approved; it can once active', async () => {
    const client = await registered('Under review');
    assert.equal(await statusOf(client.client_id), 'submitted');
    const submitted = await authorizePage(client);
    assert.equal(submitted.status, 400);
    assert.match(submitted.text, /still being reviewed/);
    assert.match((await authorizePage(client, 'zh-CN')).text, /审核中/);

    await app.container.clientOnboarding.approve(client.client_id, { reason: 'licence and privacy policy checked', by });
    assert.match((await authorizePage(client)).text, /approved but not yet active/);

    await app.container.clientOnboarding.activate(client.client_id, { reason: 'integration tested in the sandbox', by });
    const citizen = await app.container.citizens.createTestCitizen();
    const { tokens } = await signInForTokens(app.url, client, citizen);
    assert.ok(tokens.id_token);
  });

  it('a suspended ISP cannot sign in, its codes, tokens and refresh tokens fail, and reactivating does not revive them', async () => {
    const client = await createClient(app.container, { name: 'Compromised ISP', scope: 'openid offline_access' });
    const bystander = await createClient(app.container, { name: 'Bystander ISP', redirectUris: ['https://bystander.example/cb'], scope: 'openid offline_access' });
    const citizens = await Promise.all([1, 2].map(() => app.container.citizens.createTestCitizen()));
    const held = await Promise.all(citizens.map((citizen) => signInForTokens(app.url, client, citizen, { params: { scope: 'openid offline_access', prompt: 'consent' } })));
    const other = await signInForTokens(app.url, bystander, citizens[0]!, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    // A code issued just before the suspension, not yet redeemed.
    const pending = await (async () => {
      const { url, verifier } = authorizeUrl(app.url, client);
      const result = await held[0]!.flow.browser.navigate(url.href);
      assert.ok(!isPage(result), 'a silent sign-in for the ISP (the grant is remembered)');
      return { code: result.redirectedTo.searchParams.get('code')!, verifier };
    })();

    const suspended = await runCommand(app.container, ['client', 'suspend', client.client_id, '--reason', 'credentials leaked, ISP notified']);
    assert.equal(suspended.exitCode ?? 0, 0, suspended.output);
    assert.match(suspended.output, /is now suspended; 2 grant\(s\) and their tokens revoked/);

    const page = await authorizePage(client);
    assert.equal(page.status, 400);
    assert.match(page.text, /suspended/);
    const exchange = await exchangeCode(app.url, client, pending.code, pending.verifier);
    assert.equal(exchange.status, 401, JSON.stringify(exchange.body));
    assert.equal(exchange.body.error, 'invalid_client');
    for (const { tokens } of held) {
      await assertAccessTokenDead(app.url, tokens.access_token, 'an access token from before the suspension');
      const refreshed = await refresh(app.url, client, tokens.refresh_token!);
      assert.equal(refreshed.status, 401, 'a suspended ISP cannot authenticate at the token endpoint');
      assert.equal(refreshed.body.error, 'invalid_client');
    }

    const reactivated = await runCommand(app.container, ['client', 'reactivate', client.client_id, '--reason', 'new secret issued, review passed']);
    assert.equal(reactivated.exitCode ?? 0, 0, reactivated.output);
    for (const { tokens } of held) {
      await assertAccessTokenDead(app.url, tokens.access_token, 'an access token after reactivation');
      await assertRefreshTokenDead(app.url, client, tokens.refresh_token!, 'a refresh token after reactivation');
    }
    const response = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${other.tokens.access_token}` } });
    assert.equal(response.status, 200, 'another ISP is not affected');
    const again = await signInForTokens(app.url, client, citizens[1]!, { params: { scope: 'openid offline_access', prompt: 'consent' } });
    assert.ok(again.tokens.access_token, 'a reactivated ISP signs citizens in again');
  });

  it('an ISP suspended while a citizen is on its sign-in page gets no code: the resume step refuses it', async () => {
    const client = await createClient(app.container, { name: 'Suspended meanwhile' });
    const citizen = await app.container.citizens.createTestCitizen();
    const browser = new Browser(app.url, { 'accept-language': 'en' });
    const login = await browser.navigate(authorizeUrl(app.url, client).url.href);
    assert.ok(isPage(login) && login.document.querySelector('form[action$="/login"]'), 'the sign-in page');
    await app.container.clientOnboarding.suspend(client.client_id, { reason: 'test: suspended mid-sign-in', by });
    let result = await browser.submit(login, 'form[action$="/login"]', { cyberspace_id: citizen.cyberspace_id, password: citizen.password });
    if (isPage(result) && result.document.querySelector('form[action$="/confirm"]')) result = await browser.submit(result, 'form[action$="/confirm"]', {}, { name: 'decision', value: 'allow' });
    assert.ok(isPage(result), 'no redirect to the ISP with a code');
    assert.equal(result.status, 400);
    assert.match(result.document.querySelector('main')?.text ?? '', /suspended/);
  });

  it('a token the revocation missed still fails at userinfo and introspection while the ISP is not active', async () => {
    const client = await createClient(app.container, { name: 'Gate only' });
    const citizen = await app.container.citizens.createTestCitizen();
    const { tokens } = await signInForTokens(app.url, client, citizen);
    // Straight in the table: no revocation ran, only the status gate stands in the way.
    await app.container.db.knex('clients').where({ client_id: client.client_id }).update({ status: 'suspended' });
    // A write outside the client queries tells the ISP cache itself (services/client-cache.ts).
    await app.container.clientChanges.announce(client.client_id);
    const me = await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(me.status, 401);
    const introspected = await introspect(app.url, client, tokens.access_token);
    assert.equal(introspected.status, 401);
    assert.equal(introspected.body.error, 'invalid_client');
    await app.container.db.knex('clients').where({ client_id: client.client_id }).update({ status: 'active' });
    await app.container.clientChanges.announce(client.client_id);
    assert.equal((await fetch(`${app.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).status, 200, 'control: the token itself is fine');
  });

  it('audits each decision with who took it, the decision id and a digest of the reason kept with it', async () => {
    const client = await registered('Audited ISP');
    await app.container.clientOnboarding.approve(client.client_id, { reason: 'documents checked', by: { actor: 'operator', operatorId: 'op-registrar-1' } });
    const [entry] = (await auditFor(client.client_id)).filter((e) => e.type === 'client.approved');
    assert.ok(entry, 'client.approved recorded');
    assert.equal(entry.actor, 'operator');
    assert.equal(entry.details.status, 'approved');
    assert.equal(entry.details.operator_id, 'op-registrar-1');
    assert.equal(entry.details.reason_digest, createHash('sha256').update('documents checked').digest('hex'));
    const [decision] = await app.container.clientOnboarding.history(client.client_id);
    assert.deepEqual({ ...decision, decided_at: undefined }, { decision_id: entry.details.decision_id, from: 'submitted', to: 'approved', reason: 'documents checked', decided_by: 'op-registrar-1', decided_at: undefined });
  });

  describe('a decision that does not fit is refused, and nothing changes', () => {
    const invalid: Array<[string, OnboardingDecision[], OnboardingDecision]> = [
      ['submitted', [], 'activate'],
      ['submitted', [], 'suspend'],
      ['submitted', [], 'reactivate'],
      ['approved', ['approve'], 'approve'],
      ['approved', ['approve'], 'suspend'],
      ['active', ['approve', 'activate'], 'approve'],
      ['active', ['approve', 'activate'], 'reactivate'],
      ['suspended', ['approve', 'activate', 'suspend'], 'activate'],
      ['suspended', ['approve', 'activate', 'suspend'], 'suspend'],
    ];
    for (const [status, path, decision] of invalid) {
      it(`${decision} on ${/^[aeiou]/.test(status) ? 'an' : 'a'} ${status} ISP`, async () => {
        const client = await registered(`ISP ${status} ${decision}`);
        for (const step of path) await app.container.clientOnboarding.decide(step, client.client_id, { reason: 'setting up', by });
        const [auditBefore, historyBefore] = [await auditFor(client.client_id), await app.container.clientOnboarding.history(client.client_id)];
        await assert.rejects(app.container.clientOnboarding.decide(decision, client.client_id, { reason: 'should not happen', by }), (error: unknown) => {
          assert.ok(error instanceof ConflictError, String(error));
          assert.match(error.message, new RegExp(`cannot ${decision} ${client.client_id}: it is ${status}.*possible now: `));
          return true;
        });
        assert.equal(await statusOf(client.client_id), status);
        assert.deepEqual(await auditFor(client.client_id), auditBefore);
        assert.deepEqual(await app.container.clientOnboarding.history(client.client_id), historyBefore);
      });
    }

    it('a decision without a reason, or for an unknown ISP', async () => {
      const client = await registered('No reason given');
      for (const reason of ['', '   ']) {
        await assert.rejects(app.container.clientOnboarding.approve(client.client_id, { reason, by }), ValidationError);
      }
      assert.equal(await statusOf(client.client_id), 'submitted');
      assert.deepEqual(await app.container.clientOnboarding.history(client.client_id), []);
      const unknown = await runCommand(app.container, ['client', 'approve', 'isp_nobody', '--reason', 'x']);
      assert.equal(unknown.exitCode, 1, unknown.output);
    });

    it('through the CLI: exit 1 and the same message', async () => {
      const client = await registered('CLI refused');
      const result = await runCommand(app.container, ['client', 'suspend', client.client_id, '--reason', 'too early']);
      assert.equal(result.exitCode, 1, result.output);
      assert.match(result.output, /cannot suspend .*: it is submitted, and only an active ISP can be suspended; possible now: approve/);
      assert.equal(await statusOf(client.client_id), 'submitted');
    });
  });
});

describe('the onboarding migration', () => {
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('puts ISPs registered before review into service, and a disabled one into suspension', async () => {
    const { knex } = app.container.db;
    await onboardingMigration.down(knex);
    const row = (clientId: string, disabled: boolean) => ({ client_id: clientId, name: clientId, metadata: JSON.stringify({ client_id: clientId }), disabled_at: disabled ? new Date() : null });
    await knex('clients').insert([row('isp_before_review', false), row('isp_was_disabled', true)]);
    await onboardingMigration.up(knex);
    const statuses = Object.fromEntries((await knex('clients').whereIn('client_id', ['isp_before_review', 'isp_was_disabled']).select('client_id', 'status')).map((r: { client_id: string; status: string }) => [r.client_id, r.status]));
    assert.deepEqual(statuses, { isp_before_review: 'active', isp_was_disabled: 'suspended' });
    await knex('clients').insert({ client_id: 'isp_after_review', name: 'new', metadata: '{}' });
    assert.equal((await knex('clients').where({ client_id: 'isp_after_review' }).first('status')).status, 'submitted', 'a new row defaults to review');
  });
});
