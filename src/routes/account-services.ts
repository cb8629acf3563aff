// "Connected services": every ISP the citizen signed in to, the cyberspace ID it knows them by,
// what it actually received (from the record of issued tokens, not the scopes it asked for), and
// a way to revoke it.
import Router from '@koa/router';
import type { Container } from '../container.js';
import { translator, type Locale } from '../web/i18n.js';
import { claimNames, formatWhen } from '../web/activity-text.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';
import { redirectWithFlash } from './account-nav.js';

type Deps = Pick<Container, 'citizens' | 'accountSessions' | 'connections' | 'audit' | 'render'>;

export function createAccountServicesRouter(deps: Deps): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);

  router.get('/account/services', loadCitizen, async (ctx) => {
    const locale = ctx.state.locale as Locale;
    const t = translator(locale);
    const connections = await deps.connections.list(signedInCitizen(ctx), locale);
    await deps.render(ctx, 'account-services', {
      titleKey: 'account.connections.title',
      data: { connections: connections.map((c) => ({ ...c, received: claimNames(t, c.claims) })), when: formatWhen },
    });
  });

  router.post('/account/connections/:clientId/revoke', loadCitizen, async (ctx) => {
    const citizen = signedInCitizen(ctx);
    await deps.connections.revoke(citizen, ctx.params.clientId!);
    await deps.audit.record({ type: 'grant.revoked', citizenId: citizen.id, clientId: ctx.params.clientId!, actor: 'citizen' });
    redirectWithFlash(ctx, 'revoked');
  });

  return router;
}
