// "Security": how the citizen signs in (password, two-step verification, passkeys), how strongly
// their identity was checked, and the devices they signed in from. Each item links to its own
// page (account-password.ts, account-two-factor.ts, account-passkeys.ts, account-assurance.ts).
import Router from '@koa/router';
import type { Container } from '../container.js';
import { translator, type Locale } from '../web/i18n.js';
import { deviceName, formatWhen } from '../web/activity-text.js';
import { readDeviceToken } from '../web/device-cookie.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';

type Deps = Pick<Container, 'citizens' | 'accountSessions' | 'twoFactor' | 'passkeys' | 'recoveryCodes' | 'knownDevices' | 'contacts' | 'render'>;

export function createAccountSecurityRouter(deps: Deps): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);

  router.get('/account/security', loadCitizen, async (ctx) => {
    const citizen = signedInCitizen(ctx);
    const t = translator(ctx.state.locale as Locale);
    await deps.render(ctx, 'account-security', {
      titleKey: 'account.security.title',
      data: {
        twoFactorEnabled: deps.twoFactor.isEnabled(citizen),
        passkeyCount: (await deps.passkeys.list(citizen.id)).length,
        recoveryCodes: await deps.recoveryCodes.summary(citizen.id),
        confirmedContacts: (await deps.contacts.list(citizen.id)).filter((c) => c.confirmed).length,
        identityAssurance: citizen.identity_assurance,
        devices: (await deps.knownDevices.list(citizen.id, readDeviceToken(ctx))).map((d) => ({ ...d, name: deviceName(t, d.description) })),
        when: formatWhen,
      },
    });
  });

  return router;
}
