// The admin API (docs/admin-api.md, openapi/admin-v1.json): JSON under /api/admin/v1 for the
// same operations as the console, through the same operations layer (src/operators/), so each
// call is authorised by the operator's role and audited with their id, the role and the
// request id. Around the routes: problem+json for every error (problem.ts), no caching,
// JSON-only bodies (16 kB), and 404/405 answered as problems too. Two routers: the open one
// (the OpenAPI document, the session routes — sign-in needs no token, the others name their
// guard) and the guarded one, whose every route needs a DPoP-bound token (guard.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import compose from 'koa-compose';
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from '../../logger.js';
import type { OperatorArea } from '../../operators/index.js';
import { PROJECT_ROOT } from '../../paths.js';
import type { CounterStore } from '../../storage/model-store.js';
import { createDpopVerifier } from '../../web/dpop.js';
import { createCitizenRoutes } from './citizens.js';
import { requireOperatorToken } from './guard.js';
import { createIspRoutes } from './isps.js';
import { createLawfulAccessRoutes } from './lawful-access.js';
import { createOperatorRoutes } from './operators.js';
import { problemResponses, sendProblem } from './problem.js';
import { createRecordRoutes } from './records.js';
import { createSessionRoutes } from './session.js';

export const ADMIN_API_PREFIX = '/api/admin/v1';
export const OPENAPI_FILE = path.join(PROJECT_ROOT, 'openapi', 'admin-v1.json');

type Deps = {
  operators: Pick<OperatorArea, 'authentication' | 'apiTokens' | 'operations'>;
  store: Pick<CounterStore, 'setIfAbsent'>;
  logger: Logger;
  issuer: string;
  limits: { dpopWindowSeconds: number; reauthenticationSeconds: number; windowSeconds: number };
};

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Only JSON comes in: a body of another type is refused before it is parsed (415). */
const jsonOnly: Middleware = async (ctx, next) => {
  const hasBody = Number(ctx.get('content-length') || 0) > 0 || ctx.get('transfer-encoding') !== '';
  if (WITH_BODY.has(ctx.method) && hasBody && !ctx.is('application/json')) {
    return sendProblem(ctx, 415, 'unsupported_media_type', 'send the request body as application/json');
  }
  return next();
};

export function createAdminApi({ operators, store, logger, issuer, limits }: Deps) {
  const verifyDpop = createDpopVerifier({ store, windowSeconds: limits.dpopWindowSeconds });
  const authenticate = requireOperatorToken({ tokens: operators.apiTokens, verifyDpop, issuer });
  const openapi = readFileSync(OPENAPI_FILE, 'utf8');

  const open = new Router({ prefix: ADMIN_API_PREFIX });
  open.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = openapi;
  });
  createSessionRoutes(open, { ...operators, verifyDpop, issuer, authenticate });

  const guarded = new Router({ prefix: ADMIN_API_PREFIX });
  guarded.use(authenticate);
  createOperatorRoutes(guarded, operators);
  createIspRoutes(guarded, operators);
  createCitizenRoutes(guarded, operators);
  createRecordRoutes(guarded, operators);
  createLawfulAccessRoutes(guarded, operators);

  const routers = [open, guarded];
  const api = compose<Context>([
    problemResponses(logger, limits),
    async (ctx: Context, next: Next) => {
      ctx.set('cache-control', 'no-store');
      await next();
      if (ctx.status === 405) sendProblem(ctx, 405, 'method_not_allowed', `${ctx.method} is not allowed here; allowed: ${ctx.response.get('allow')}`);
      else if (ctx.status === 501) sendProblem(ctx, 501, 'not_implemented', `${ctx.method} is not implemented`);
      else if (ctx.status === 404 && ctx.body === undefined) sendProblem(ctx, 404, 'not_found', 'no such admin API route (see /api/admin/v1/openapi.json)');
    },
    jsonOnly,
    bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', encoding: 'utf-8' }),
    ...routers.flatMap((router) => [router.routes(), router.allowedMethods()] as Middleware[]),
  ]);

  return {
    routers,
    /** Serves /api/admin/…; passes every other request on. */
    middleware: ((ctx, next) => (ctx.path === '/api/admin' || ctx.path.startsWith('/api/admin/') ? api(ctx) : next())) as Middleware,
  };
}
