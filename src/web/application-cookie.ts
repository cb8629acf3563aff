// The browser's application (issue 8, "applying is atomic"): the details form gives the browser a
// random token in a cookie; the new account keeps only its keyed hash, for an hour. If the answer
// with the new cyberspace ID never arrives (a dropped connection after the commit), opening /apply
// again in the same browser shows that ID once more. Document facts alone never reveal an ID.
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Context } from 'koa';

export const APPLICATION_COOKIE = 'cid_application';
/** How long the same browser can be shown its new ID again. */
export const APPLICATION_WINDOW_SECONDS = 3600;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function createApplicationTokens(blindIndexSecret: Buffer, secure: boolean) {
  const key = Buffer.from(hkdfSync('sha256', blindIndexSecret, 'cyberspace-id', 'application-token', 32));
  const options = { httpOnly: true, sameSite: 'lax' as const, secure, signed: false, path: '/apply', maxAge: APPLICATION_WINDOW_SECONDS * 1000 };
  const read = (ctx: Context) => {
    const token = ctx.cookies.get(APPLICATION_COOKIE);
    return token && TOKEN.test(token) ? token : undefined;
  };
  return {
    /** Gives the browser its application token (keeps one it already has). */
    issue(ctx: Context): void {
      if (!read(ctx)) ctx.cookies.set(APPLICATION_COOKIE, randomBytes(32).toString('base64url'), options);
    },
    /** The keyed hash of this browser's token, to store with the account it creates. */
    hashOf(ctx: Context): string | undefined {
      const token = read(ctx);
      return token ? createHmac('sha256', key).update(token).digest('hex') : undefined;
    },
    /** Forgets the token in the browser (its ID was shown). */
    clear(ctx: Context): void {
      ctx.cookies.set(APPLICATION_COOKIE, null, options);
    },
  };
}

export type ApplicationTokens = ReturnType<typeof createApplicationTokens>;
