// How often each running instance reloads signing keys from PostgreSQL, and so how long a new
// key must wait before anyone signs with it: every instance (and every ISP that fetched our
// JWKS meanwhile) must be publishing it first, or ID tokens signed with it fail to verify.
export const KEY_POLL_SECONDS = 15;

/** The shortest safe `--activate-after`: two reload intervals, for an instance mid-reload. */
export const MIN_KEY_ACTIVATION_SECONDS = KEY_POLL_SECONDS * 2;

/**
 * Why an activation delay is refused, or undefined when it is safe. One rule for every way a
 * rotation starts (CLI, admin API, operator console): sooner, another instance could sign with a
 * key it has not yet published (issue 9).
 */
export function activationDelayProblem(seconds: number, name = 'the activation delay'): string | undefined {
  if (Number.isInteger(seconds) && seconds >= MIN_KEY_ACTIVATION_SECONDS) return undefined;
  return `${name} must be at least ${MIN_KEY_ACTIVATION_SECONDS} seconds: every instance reloads keys every ${KEY_POLL_SECONDS} s and must publish a key in its JWKS before any instance signs with it`;
}
