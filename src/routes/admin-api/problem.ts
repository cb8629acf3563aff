// The admin API's errors as RFC 9457 problem details (application/problem+json): a type URI
// per kind of problem, the HTTP status, a title and a detail safe to show (never personal
// data, never a 5xx's internals), the request id, and for some problems one extension member
// (`errors` for invalid input, `required_role` for a role refusal). A 401 carries the DPoP
// challenge of RFC 9449 §7.1 (with RFC 6750 §3's error codes, and RFC 9470's step-up code
// when a fresh authenticator code is needed).
import type { Context, Middleware } from 'koa';
import { AppError, FormError, HasherBusyError, UnauthorizedError, ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { RoleRequiredError } from '../../operators/operations.js';
import { isStoreFault, STORE_RETRY_AFTER_SECONDS } from '../../storage/store-fault.js';
import { DPOP_ALGORITHMS } from '../../web/dpop.js';

export const PROBLEM_TYPE = 'urn:cyberspace-id:problem:';
const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Content Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

export type Problem = { type: string; title: string; status: number; detail: string; code: string; request_id?: string; errors?: string[]; required_role?: string };

type Shaped = { status: number; code: string; detail: string; extra?: Partial<Problem>; challenge?: UnauthorizedError; retryAfter?: number };

const quoted = (value: string) => `"${value.replace(/["\\]/g, "'")}"`;

/** WWW-Authenticate for a 401: the DPoP scheme and the algorithms we accept, with the error when there is one. */
export function challengeOf(error: UnauthorizedError): string {
  const params = [`algs=${quoted(DPOP_ALGORITHMS.join(' '))}`];
  if (error.code !== 'credentials_required') params.push(`error=${quoted(error.code)}`, `error_description=${quoted(error.message)}`);
  if (error.maxAge !== undefined) params.push(`max_age=${error.maxAge}`);
  return `DPoP ${params.join(', ')}`;
}

function shape(error: unknown, reauthenticationSeconds: number, windowSeconds: number): Shaped {
  if (isStoreFault(error)) return { status: 503, code: 'temporarily_unavailable', detail: 'a store is unavailable; try again shortly', retryAfter: STORE_RETRY_AFTER_SECONDS };
  if (error instanceof HasherBusyError) return { status: 503, code: 'temporarily_unavailable', detail: 'sign-in is busy; try again shortly', retryAfter: error.retryAfterSeconds };
  if (error instanceof UnauthorizedError) return { status: 401, code: error.code, detail: error.message, challenge: error };
  if (error instanceof RoleRequiredError) return { status: 403, code: 'role_required', detail: error.message, extra: { required_role: error.role } };
  if (error instanceof FormError) {
    const [field, reason] = Object.entries(error.fields)[0] ?? ['', ''];
    if (reason === 'throttled') return { status: 429, code: 'throttled', detail: 'too many attempts; wait and try again', retryAfter: windowSeconds };
    if (field === 'reauth_code' && reason === 'required') {
      const challenge = new UnauthorizedError('insufficient_user_authentication', 'this operation needs a fresh authenticator code: POST /api/admin/v1/session/reauthentication with one, then retry', reauthenticationSeconds);
      return { status: 401, code: challenge.code, detail: challenge.message, challenge };
    }
    if (field === 'reauth_code') return { status: 400, code: reason, detail: 'the authenticator code is not correct, or was used already' };
    if (field === 'sign_in') return { status: 400, code: 'sign_in_refused', detail: 'the handle, password or authenticator code is not correct' };
    return { status: 400, code: 'invalid_input', detail: `invalid ${field}: ${reason}`, extra: { errors: [`${field}: ${reason}`] } };
  }
  if (error instanceof ValidationError) return { status: 400, code: 'invalid_input', detail: error.message, extra: { errors: error.problems } };
  if (error instanceof AppError && error.expose) return { status: error.status, code: error.code, detail: error.message };
  const status = (error as { status?: unknown }).status;
  // Koa's and the body parser's own errors (malformed JSON, too large) carry a safe status.
  if (typeof status === 'number' && status >= 400 && status < 500) return { status, code: 'invalid_request', detail: (error as { expose?: boolean }).expose ? (error as Error).message : TITLES[status] ?? 'invalid request' };
  return { status: 500, code: 'server_error', detail: 'the request failed; quote the request id when reporting it' };
}

export function sendProblem(ctx: Context, status: number, code: string, detail: string, extra: Partial<Problem> = {}): void {
  const body: Problem = { type: `${PROBLEM_TYPE}${code}`, title: TITLES[status] ?? 'Error', status, detail, code, request_id: ctx.state.requestId as string, ...extra };
  ctx.status = status;
  ctx.type = 'application/problem+json';
  ctx.body = body;
}

/** Catches every error of the admin API and answers with a problem; logs like the site's error handler. */
export function problemResponses(logger: Logger, limits: { reauthenticationSeconds: number; windowSeconds: number }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const shaped = shape(error, limits.reauthenticationSeconds, limits.windowSeconds);
      const log = { requestId: ctx.state.requestId, status: shaped.status, code: shaped.code, err: { name: (error as Error).name, message: shaped.status >= 500 ? (error as Error).message : undefined, stack: shaped.status >= 500 ? (error as Error).stack : undefined } };
      if (shaped.status >= 500) logger.error(log, 'admin API request failed');
      else logger.info(log, 'admin API request refused');
      if (shaped.challenge) ctx.set('www-authenticate', challengeOf(shaped.challenge));
      if (shaped.retryAfter !== undefined) ctx.set('retry-after', String(shaped.retryAfter));
      sendProblem(ctx, shaped.status, shaped.code, shaped.detail, shaped.extra);
    }
  };
}
