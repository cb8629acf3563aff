// A rough, location-free description of the browser behind a request ("Firefox on Windows"),
// for the owner's activity and notices about attempts on their account. Only families, never
// versions or the raw User-Agent, so it identifies nobody and fingerprints nothing.
const BROWSERS: Array<[RegExp, string]> = [
  [/Edg\//, 'Edge'], [/OPR\/|Opera/, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrome\/|Chromium\/|CriOS\//, 'Chrome'], [/Safari\//, 'Safari'],
];
const SYSTEMS: Array<[RegExp, string]> = [
  [/Android/, 'Android'], [/iPhone|iPad|iPod/, 'iOS'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
];

const first = (table: Array<[RegExp, string]>, ua: string) => table.find(([pattern]) => pattern.test(ua))?.[1] ?? 'other';

/** Browser and system families, each a fixed code ("other" when unknown). */
export function describeDevice(userAgent: string | undefined): string {
  const ua = (userAgent ?? '').slice(0, 512);
  return `${first(BROWSERS, ua)}/${first(SYSTEMS, ua)}`;
}
