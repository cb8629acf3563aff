// The citizen's activity, page by page (the newest few lines are also on the overview), and
// "Download my data". activityView() and noticesView() are shared with the overview (account.ts).
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { Container } from '../container.js';
import type { LawfulDisclosure } from '../services/activity.js';
import { translator, type Locale } from '../web/i18n.js';
import { describeActivity, describeDisclosures, describeNotices } from '../web/activity-text.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';

/**
 * Lawful-access requests revealed to their subject once past the embargo. Optional until the
 * lawful-access service is wired into the container under this name.
 */
export type LawfulDisclosureSource = { lawfulDisclosures?: (citizenId: string) => Promise<LawfulDisclosure[]> };

export type ActivityDeps = Pick<Container, 'activity' | 'accountNotices' | 'clientName' | 'render'> & LawfulDisclosureSource;

const t = (ctx: Context) => translator(ctx.state.locale as Locale);

/** One page of activity as sentences; disclosures to authorities head the newest page. */
export async function activityView(deps: ActivityDeps, ctx: Context, citizenId: string, cursor?: string) {
  const page = await deps.activity.page(citizenId, cursor, ctx.state.locale as Locale);
  const disclosures = cursor ? [] : (await deps.lawfulDisclosures?.(citizenId)) ?? [];
  return {
    lines: describeActivity(page.items, t(ctx)),
    disclosures: describeDisclosures(disclosures, t(ctx)),
    olderUrl: page.older ? `/account/activity?before=${encodeURIComponent(page.older)}` : undefined,
  };
}

/** The notices not yet dismissed, as sentences with the id their dismiss button sends. */
export async function noticesView(deps: ActivityDeps, ctx: Context, citizenId: string): Promise<Array<{ id: string; text: string }>> {
  const notices = await deps.accountNotices.pending(citizenId);
  const named = await Promise.all(notices.map(async (n) => ({ ...n, ispName: n.clientId ? (await deps.clientName(n.clientId, ctx.state.locale as Locale)) ?? n.clientId : null })));
  const texts = describeNotices(named, t(ctx));
  return notices.map((n, i) => ({ id: n.id, text: texts[i]! }));
}

const activityQuery = z.object({ before: z.string().max(80).optional() });

export function createAccountActivityRouter(deps: ActivityDeps & Pick<Container, 'dataExport' | 'accountSessions' | 'citizens'>): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);

  router.get('/account/activity', loadCitizen, async (ctx) => {
    const query = activityQuery.safeParse(ctx.query);
    const before = query.success ? query.data.before : undefined;
    await deps.render(ctx, 'account-activity', {
      titleKey: 'account.activity.title',
      data: { activity: await activityView(deps, ctx, signedInCitizen(ctx).id, before), olderPage: before !== undefined },
    });
  });

  router.get('/account/export', loadCitizen, async (ctx) => {
    const citizen = signedInCitizen(ctx);
    const disclosures = (await deps.lawfulDisclosures?.(citizen.id)) ?? [];
    const data = await deps.dataExport.build(citizen, { disclosures });
    ctx.set('cache-control', 'no-store');
    ctx.set('content-disposition', `attachment; filename="cyberspace-id-${citizen.cyberspace_id}.json"`);
    ctx.type = 'application/json; charset=utf-8';
    ctx.body = `${JSON.stringify(data, null, 2)}\n`;
  });

  return router;
}
