// The parsed urlencoded body of a form post (set by @koa/bodyparser), as plain data.
import type { Context } from 'koa';

export function formBody(ctx: Context): Record<string, unknown> {
  const body = (ctx.request as { body?: unknown }).body;
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}
