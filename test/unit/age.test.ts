// Age in China Standard Time and the leap-day rule (docs/minors-and-guardians.md): known
// answers at the exact instants where a birthday begins in Beijing, wherever the server runs.
import assert from 'node:assert/strict';
import { ageBand, ageInChina, todayInChina } from '../../src/identity/age.js';

/** The instant midnight begins on a calendar day in Beijing (UTC+8, no daylight saving). */
const beijingMidnight = (day: string) => new Date(Date.parse(`${day}T00:00:00+08:00`));
const justBefore = (instant: Date) => new Date(instant.getTime() - 1);

describe('age in China Standard Time', () => {
  it('knows which calendar day it is in Beijing', () => {
    assert.deepEqual(todayInChina(new Date('2026-05-16T15:59:59.999Z')), { year: 2026, month: 5, day: 16 });
    assert.deepEqual(todayInChina(new Date('2026-05-16T16:00:00.000Z')), { year: 2026, month: 5, day: 17 });
    assert.deepEqual(todayInChina(new Date('2026-12-31T16:30:00Z')), { year: 2027, month: 1, day: 1 });
  });

  it('counts a birthday from midnight in Beijing, not in UTC', () => {
    // 2026-05-16T16:30Z is 00:30 on 17 May in Beijing: someone born 2008-05-17 is already 18.
    assert.equal(ageInChina('2008-05-17', new Date('2026-05-16T16:30:00Z')), 18);
    assert.equal(ageInChina('2008-05-17', new Date('2026-05-16T16:00:00Z')), 18);
    assert.equal(ageInChina('2008-05-17', new Date('2026-05-16T15:59:59.999Z')), 17, 'still 16 May in Beijing');
    // And the other way round: late evening UTC of the birthday is already the next day there,
    // early UTC morning of the day after the birthday is still that day.
    assert.equal(ageInChina('2012-05-17', new Date('2026-05-16T23:00:00Z')), 14);
    assert.equal(ageInChina('2012-05-17', new Date('2026-05-16T12:00:00Z')), 13);
  });

  it('gives the same answer whatever time zone the server runs in', () => {
    const saved = process.env.TZ;
    try {
      for (const zone of ['UTC', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Asia/Shanghai']) {
        process.env.TZ = zone; // Node re-reads TZ when it changes
        assert.equal(ageInChina('2008-05-17', new Date('2026-05-16T15:59:59Z')), 17, zone);
        assert.equal(ageInChina('2008-05-17', new Date('2026-05-16T16:00:00Z')), 18, zone);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('is a whole number of completed years', () => {
    const now = beijingMidnight('2026-06-01');
    assert.equal(ageInChina('2026-06-01', now), 0, 'born today');
    assert.equal(ageInChina('2025-06-02', now), 0);
    assert.equal(ageInChina('2025-06-01', now), 1);
    assert.equal(ageInChina('1980-12-31', now), 45);
    assert.equal(ageInChina('1980-01-01', now), 46);
    assert.equal(ageInChina('2010-07-01', now), 15, 'birthday later in the year not reached yet');
    assert.equal(ageInChina('2010-05-31', now), 16, 'birthday earlier in the year passed');
  });

  describe('the leap-day rule: born 29 February, a year completes when 28 February has ended', () => {
    it('turns 14 on 1 March in a common year, not on 28 February', () => {
      assert.equal(ageInChina('2012-02-29', beijingMidnight('2026-02-28')), 13);
      assert.equal(ageInChina('2012-02-29', justBefore(beijingMidnight('2026-03-01'))), 13, '23:59:59.999 on 28 Feb in Beijing');
      assert.equal(ageInChina('2012-02-29', beijingMidnight('2026-03-01')), 14);
      assert.equal(ageInChina('2012-02-29', new Date('2026-02-28T16:00:00Z')), 14, '16:00Z on 28 Feb is 1 March in Beijing');
      assert.equal(ageBand('2012-02-29', beijingMidnight('2026-02-28')), 'child');
      assert.equal(ageBand('2012-02-29', beijingMidnight('2026-03-01')), 'minor');
    });

    it('turns a year older on 29 February itself in a leap year', () => {
      assert.equal(ageInChina('2012-02-29', beijingMidnight('2028-02-28')), 15);
      assert.equal(ageInChina('2012-02-29', justBefore(beijingMidnight('2028-02-29'))), 15);
      assert.equal(ageInChina('2012-02-29', beijingMidnight('2028-02-29')), 16);
      assert.equal(ageInChina('2012-02-29', beijingMidnight('2028-03-01')), 16);
    });

    it('turns 18 on 1 March 2030 (a common year) and the century rule applies', () => {
      assert.equal(ageBand('2012-02-29', beijingMidnight('2030-02-28')), 'minor');
      assert.equal(ageBand('2012-02-29', beijingMidnight('2030-03-01')), 'adult');
      // 2100 is not a leap year (divisible by 100, not by 400); 2000 was.
      assert.equal(ageInChina('2000-02-29', beijingMidnight('2100-02-28')), 99);
      assert.equal(ageInChina('2000-02-29', beijingMidnight('2100-03-01')), 100);
      assert.equal(ageInChina('1996-02-29', beijingMidnight('2000-02-29')), 4);
    });

    it('leaves every other birthday alone (28 February and 1 March births)', () => {
      assert.equal(ageInChina('2012-02-28', beijingMidnight('2026-02-28')), 14);
      assert.equal(ageInChina('2012-03-01', beijingMidnight('2026-02-28')), 13);
      assert.equal(ageInChina('2012-03-01', beijingMidnight('2028-02-29')), 15);
      assert.equal(ageInChina('2012-03-01', beijingMidnight('2028-03-01')), 16);
    });
  });

  describe('age bands', () => {
    const now = beijingMidnight('2026-05-17');
    it('under 14 is a child, 14 to 17 a minor, 18 and over an adult — each from the birthday', () => {
      assert.equal(ageBand('2012-05-18', now), 'child', '13, turns 14 tomorrow');
      assert.equal(ageBand('2012-05-17', now), 'minor', '14 today');
      assert.equal(ageBand('2008-05-18', now), 'minor', '17, turns 18 tomorrow');
      assert.equal(ageBand('2008-05-17', now), 'adult', '18 today');
      assert.equal(ageBand('1960-01-01', now), 'adult');
      assert.equal(ageBand('2026-05-17', now), 'child', 'born today');
    });
    it('uses the Beijing day at the band boundaries', () => {
      assert.equal(ageBand('2008-05-17', new Date('2026-05-16T15:59:59Z')), 'minor');
      assert.equal(ageBand('2008-05-17', new Date('2026-05-16T16:00:00Z')), 'adult');
      assert.equal(ageBand('2012-05-17', new Date('2026-05-16T15:59:59Z')), 'child');
      assert.equal(ageBand('2012-05-17', new Date('2026-05-16T16:00:00Z')), 'minor');
    });
  });

  it('refuses a birth date that is not YYYY-MM-DD', () => {
    for (const bad of ['2012-2-29', '29/02/2012', '', '20120229']) {
      assert.throws(() => ageInChina(bad, new Date()), RangeError, bad);
    }
  });
});
