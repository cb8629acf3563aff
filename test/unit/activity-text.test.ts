// The activity, notices and claim lists as plain sentences in both languages: every audit event
// type a citizen can meet has its own sentence, codes the tables do not know fall back to the
// code, and nothing but names reaches the text.
import assert from 'node:assert/strict';
import { translator } from '../../src/web/i18n.js';
import { claimNames, describeActivity, describeDisclosures, describeNotices, formatWhen } from '../../src/web/activity-text.js';
import { AUDIT_EVENT_TYPES } from '../../src/services/audit-events.js';
import type { ActivityItem } from '../../src/services/activity.js';

const en = translator('en');
const zh = translator('zh-CN');
const at = new Date('2026-11-22T03:04:05.678Z');
const item = (type: string, rest: Partial<ActivityItem> = {}): ActivityItem =>
  ({ occurredAt: at, type, actor: 'citizen', clientId: null, ispName: null, details: {}, ...rest });
const isp = { clientId: 'isp_1', ispName: 'Video ISP' };
const say = (t: typeof en, entry: ActivityItem) => describeActivity([entry], t)[0]!.text;

describe('activity sentences', () => {
  it('says when, in China Standard Time with its offset, with the exact instant for machines', () => {
    assert.equal(formatWhen(at), '2026-11-22 11:04 UTC+8');
    assert.equal(formatWhen(new Date('2026-11-22T16:30:00Z')), '2026-11-23 00:30 UTC+8', 'the date rolls over at midnight in Beijing');
    assert.deepEqual(describeActivity([item('account.password_changed')], en), [{ when: '2026-11-22 11:04 UTC+8', at: at.toISOString(), text: 'Password changed' }]);
  });

  it('has known-answer sentences in English and Chinese', () => {
    const cases: Array<[ActivityItem, string, string]> = [
      [item('sign_in.succeeded', isp), 'Signed in to Video ISP', '登录了Video ISP'],
      [item('sign_in.succeeded', { details: { purpose: 'account' } }), 'Signed in to your account page', '登录了账户页面'],
      [item('sign_in.failed', { ...isp, details: { reason_code: 'invalid_credentials' } }), 'Failed sign-in attempt at Video ISP (wrong password)', '在Video ISP登录失败（密码错误）'],
      [item('sign_in.failed', { details: { reason_code: 'something_new' } }), 'Failed sign-in attempt on your account page', '在账户页面登录失败'],
      [item('claims.released', { ...isp, actor: 'system', details: { claims: ['age_over_18'] } }), 'Video ISP received: whether you are over 18', 'Video ISP获得了：是否年满 18 周岁'],
      [item('account.suspended'), 'Suspended by you', '您暂停了网号'],
      [item('account.suspended', { actor: 'operator' }), 'Suspended by the operator', '平台暂停了您的网号'],
      [item('identity.decrypted', { actor: 'system', details: { fields: ['birthDate'], purpose: 'claims_release' } }),
        'Identity data decrypted (birth date) for: claims release to a service', '解密了身份信息（出生日期），用途：向服务提供核验结果'],
      [item('guardian.approved', { actor: 'guardian' }), 'Your guardian approved your cyberspace ID', '您的监护人批准了您的网号'],
      [item('guardian.revoked_connection', { ...isp, actor: 'guardian' }), 'Your guardian revoked Video ISP’s access', '您的监护人撤销了Video ISP的访问权限'],
      [item('grant.revoked', isp), 'You revoked Video ISP’s access', '您撤销了Video ISP的访问权限'],
      [item('account.recovery_code_used', { ...isp, details: { count: 3, device: 'Firefox/Windows' } }),
        'A recovery code was used to sign in (3 left), from Firefox on Windows', '使用恢复码登录（剩余 3 个），来自Windows 上的 Firefox'],
      [item('account.recovery_codes_issued', { details: { count: 10 } }), 'New recovery codes were made', '生成了新的恢复码'],
    ];
    for (const [entry, english, chinese] of cases) {
      assert.equal(say(en, entry), english);
      assert.equal(say(zh, entry), chinese);
    }
  });

  it('gives every event type a citizen can meet its own sentence', () => {
    const operatorOnly = /^(client|keys|kek|lawful_access|attester|operator|database)\./;
    for (const type of AUDIT_EVENT_TYPES.filter((t) => !operatorOnly.test(t))) {
      for (const t of [en, zh]) {
        const text = say(t, item(type, isp));
        assert.ok(!text.includes(type), `${type} has a sentence (got "${text}")`);
        assert.ok(!/\{\w+\}/.test(text), `${type}: every placeholder filled ("${text}")`);
      }
    }
  });

  it('shows unknown codes as themselves instead of failing', () => {
    assert.equal(say(en, item('identity.decrypted', { details: { fields: ['shoeSize'], purpose: 'new_purpose' } })), 'Identity data decrypted (shoeSize) for: new_purpose');
    assert.equal(say(en, item('some.future_event')), 'Other account event (some.future_event)');
    assert.equal(claimNames(en, ['sub', 'brand_new_claim']), 'its cyberspace ID for you, brand_new_claim');
    assert.equal(claimNames(zh, ['age_over_14', 'age_over_16']), '是否年满 14 周岁、是否年满 16 周岁');
  });

  it('describes notices and lawful disclosures', () => {
    const notices = describeNotices([
      { kind: 'new_connection', clientId: 'isp_1', ispName: 'Video ISP', occurredAt: at },
      { kind: 'new_device', clientId: 'isp_1', ispName: 'Video ISP', occurredAt: at },
      { kind: 'new_device', clientId: null, ispName: null, occurredAt: at },
    ], en);
    assert.match(notices[0]!, /^2026-11-22 11:04 UTC\+8: you signed in to Video ISP for the first time\./);
    assert.match(notices[1]!, /someone signed in to Video ISP with your cyberspace ID from a device not used before/);
    assert.match(notices[2]!, /your account page was opened from a device not used before/);
    assert.deepEqual(describeDisclosures([{ date: at, caseReference: 'GA-2026-17' }], en).map((d) => d.text),
      ['Your identity and authentication log were provided to an authority on a lawful request (case GA-2026-17)']);
  });
});
