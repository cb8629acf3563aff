// A citizen's authenticator app for tests: TOTP codes (RFC 6238: SHA-1, 6 digits, 30 s) from the
// secret the enrolment page shows, each step handed out once (the server accepts each code once).
import { Secret, TOTP } from 'otpauth';
import { sleep } from './tokens.js';

const PERIOD = 30;

/** Codes for one secret; each step is handed out once (the server accepts each code once). */
export class Authenticator {
  private readonly used = new Set<number>();
  readonly totp: TOTP;
  /** `after`: the citizen's previous authenticator, whose steps the server has already seen used. */
  constructor(readonly secret: string, after?: Authenticator) {
    for (const step of after?.used ?? []) this.used.add(step);
    this.totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD });
  }
  /** A code the server will accept: this step or the next (never the previous one, which a step boundary could push out of the window). */
  async code(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 1000 / PERIOD);
      const step = [now, now + 1].find((s) => !this.used.has(s));
      if (step !== undefined) {
        this.used.add(step);
        return this.totp.generate({ timestamp: step * PERIOD * 1000 });
      }
      await sleep(((now + 1) * PERIOD * 1000 - Date.now()) + 50);
    }
  }
  /** A code accepted by no step in the window. */
  wrong(): string {
    const now = Math.floor(Date.now() / 1000 / PERIOD);
    const valid = new Set([-2, -1, 0, 1, 2].map((d) => this.totp.generate({ timestamp: (now + d) * PERIOD * 1000 })));
    for (let n = 0; ; n += 1) {
      const candidate = String(n).padStart(6, '0');
      if (!valid.has(candidate)) return candidate;
    }
  }
}

