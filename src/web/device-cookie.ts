// The long-lived device cookie (services/known-devices.ts): a random token, HttpOnly, SameSite=Lax,
// set on every successful sign-in, at an ISP or at the account pages. It carries no account
// information and is the same for every citizen who signs in from this browser.
import type { Context } from 'koa';
import type { KnownDevices } from '../services/known-devices.js';

export const DEVICE_COOKIE = 'cid_device';
const MAX_AGE_MS = 400 * 24 * 3600 * 1000; // the longest lifetime browsers honour (RFC 6265bis §5.5)

export function createDeviceCookie(devices: KnownDevices, secure: boolean) {
  return {
    /** Records the sign-in's device (a notice if it is new to the citizen) and refreshes the cookie. */
    async signedIn(ctx: Context, citizenId: string, clientId?: string): Promise<void> {
      const token = await devices.signedIn(citizenId, ctx.cookies.get(DEVICE_COOKIE), clientId);
      ctx.cookies.set(DEVICE_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, signed: false, path: '/', maxAge: MAX_AGE_MS });
    },
  };
}

export type DeviceCookie = ReturnType<typeof createDeviceCookie>;
