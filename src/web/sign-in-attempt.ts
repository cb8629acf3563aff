// What a route knows about a sign-in attempt, for the sign-in sequence (src/sign-in/): where it
// comes from (ctx.ip: X-Forwarded-For only with TRUST_PROXY, app.ts) and which browser (the
// known-device cookie, a rough description). The sequence never sees ctx.
import type { Context } from 'koa';
import type { Attempt } from '../sign-in/sequence.js';
import { readDeviceToken } from './device-cookie.js';
import { describeDevice } from './device-description.js';

export const attemptFrom = (ctx: Context, fields: Omit<Attempt, 'address' | 'userAgent' | 'device'>): Attempt => ({
  ...fields,
  address: ctx.ip,
  userAgent: ctx.get('user-agent') || undefined,
  device: { token: readDeviceToken(ctx), description: describeDevice(ctx.get('user-agent')) },
});
