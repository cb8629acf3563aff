// Our forms' body, after @koa/bodyparser has read it: re-parsed flat and strict from the raw
// text (src/web/hostile-input.ts), so a polluting, bracketed or repeated field is a 400 before
// the CSRF check or any handler runs, and nothing is changed.
import type { Middleware } from 'koa';
import { ValidationError } from '../errors.js';
import { parseStrictUrlencoded } from './hostile-input.js';

/** The only fields a form may send more than once: the consent screen's scope checkboxes. */
const MULTI_VALUED = new Set(['scope']);

export function strictFormBody(): Middleware {
  return async (ctx, next) => {
    const raw = (ctx.request as { rawBody?: unknown }).rawBody;
    if (typeof raw === 'string') {
      const { fields, problems } = parseStrictUrlencoded(raw, MULTI_VALUED);
      if (problems.length) throw new ValidationError(problems);
      (ctx.request as { body?: unknown }).body = fields;
    }
    await next();
  };
}
