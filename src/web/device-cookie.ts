// The long-lived device cookie (services/known-devices.ts): a random token, HttpOnly, SameSite=Lax,
// set on every successful sign-in, at an ISP or at the account pages. It carries no account
// information and is the same for every citizen who signs in from this browser. The sign-in
// sequence (src/sign-in/) reads it (a known device passes the per-account back-off) and hands
// back the token to keep.
import type { Context } from 'koa';

export const DEVICE_COOKIE = 'cid_device';
const MAX_AGE_MS = 400 * 24 * 3600 * 1000; // the longest lifetime browsers honour (RFC 6265bis §5.5)

export const readDeviceToken = (ctx: Context): string | undefined => ctx.cookies.get(DEVICE_COOKIE);

export function writeDeviceToken(ctx: Context, token: string, secure: boolean): void {
  ctx.cookies.set(DEVICE_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, signed: false, path: '/', maxAge: MAX_AGE_MS });
}
