// The operator console (/admin, issue 11): server-rendered pages in both languages, working
// without JavaScript, every action a CSRF-checked form post through the operations layer.
import Router from '@koa/router';
import type { OperatorArea } from '../../operators/index.js';
import type { RenderView } from '../../web/views.js';
import { createAdminSignInRouter } from './sign-in.js';
import { createAdminOperatorsRouter } from './operators.js';
import { createAdminIspsRouter } from './isps.js';
import { createAdminCitizensRouter } from './citizens.js';
import { createAdminRecordsRouter } from './records.js';
import { createAdminLawfulAccessRouter } from './lawful-access.js';
import { createConsolePage, roleRefusals } from './page.js';

type Deps = { operators: OperatorArea; render: RenderView; issuer: string; secureCookies: boolean };

export function createAdminRouters({ operators, render, issuer, secureCookies }: Deps): Router[] {
  const page = createConsolePage(render);
  const area = { operations: operators.operations, authentication: operators.authentication, page };
  const refusals = roleRefusals(page);
  const areas = [
    createAdminOperatorsRouter({ ...area, issuer }),
    createAdminIspsRouter(area),
    createAdminCitizensRouter(area),
    createAdminRecordsRouter(area),
    createAdminLawfulAccessRouter(area),
  ];
  // Ahead of the areas' own middleware, so it sees a refusal from any of their handlers.
  const guarded = new Router();
  guarded.use(refusals);
  for (const router of areas) guarded.use(router.routes());
  return [
    createAdminSignInRouter({ accounts: operators.accounts, authentication: operators.authentication, render, secureCookies }),
    guarded,
  ];
}
