// How often each running instance reloads signing keys from PostgreSQL, and so how long a new
// key must wait before anyone signs with it: every instance (and every ISP that fetched our
// JWKS meanwhile) must be publishing it first, or ID tokens signed with it fail to verify.
export const KEY_POLL_SECONDS = 15;

/** The shortest safe `--activate-after`: two reload intervals, for an instance mid-reload. */
export const MIN_KEY_ACTIVATION_SECONDS = KEY_POLL_SECONDS * 2;
