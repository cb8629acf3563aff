// Age from a birth date, in China Standard Time (UTC+8, no daylight saving): the day a person
// turns N is the calendar day in Beijing, wherever the server runs.
// Leap-day rule: someone born on 29 February has their birthday on 1 March in common years
// (they complete a full year only once 28 February has ended), so a child born 2012-02-29
// turns 14 on 2026-03-01, not on 2026-02-28.
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;

export function todayInChina(now: Date = new Date()): { year: number; month: number; day: number } {
  const shifted = new Date(now.getTime() + CST_OFFSET_MS);
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

export function ageInChina(birthDate: string, now: Date = new Date()): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) throw new RangeError(`birth date must be YYYY-MM-DD, got ${birthDate}`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const today = todayInChina(now);
  let age = today.year - y;
  // Birthday this year; 29 February moves to 1 March when this year has no 29 February.
  const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const [bm, bd] = m === 2 && d === 29 && !leap(today.year) ? [3, 1] : [m, d];
  if (today.month < bm || (today.month === bm && today.day < bd)) age -= 1;
  return age;
}

export type AgeBand = 'child' | 'minor' | 'adult';

/** Under 14: a guardian applies. 14–17: applies under a guardian's supervision. 18+: adult. */
export function ageBand(birthDate: string, now: Date = new Date()): AgeBand {
  const age = ageInChina(birthDate, now);
  return age < 14 ? 'child' : age < 18 ? 'minor' : 'adult';
}
