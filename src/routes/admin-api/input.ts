// Request input at the edge: JSON bodies and query strings checked against a zod schema next
// to the route; unknown fields are refused, and a refusal lists every problem (400, nothing
// written).
import type { Context } from 'koa';
import type { z } from 'zod';
import { ValidationError } from '../../errors.js';

export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`));
}

export const bodyOf = <S extends z.ZodType>(ctx: Context, schema: S) => parseInput(schema, (ctx.request as { body?: unknown }).body);
export const queryOf = <S extends z.ZodType>(ctx: Context, schema: S) => parseInput(schema, ctx.query);
