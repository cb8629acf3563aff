// "Notices by email and text message": the citizen adds an address, confirms it with the code sent
// there, or removes it with the password (notifications/contacts.ts holds the rules). Each form
// posts and redirects back; a refused one re-shows the page with the message by its field.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Container } from '../container.js';
import { FormError } from '../errors.js';
import type { Locale } from '../web/i18n.js';
import { formBody } from '../web/form-body.js';
import { requireCitizen, signedInCitizen } from './account-guard.js';
import { redirectWithFlash } from './account-nav.js';
import type { ChannelName } from '../notifications/port.js';

const CHANNELS: readonly ChannelName[] = ['email', 'sms'];

/** Field problems by channel, e.g. { email: { address: 'invalid_email' } }. */
type Problems = Partial<Record<ChannelName, Record<string, string>>>;

export function createAccountContactsRouter(deps: Pick<Container, 'contacts' | 'accountSessions' | 'citizens' | 'render'>): Router {
  const router = new Router();
  const loadCitizen = requireCitizen(deps);
  const channelOf = (ctx: Context): ChannelName | undefined => {
    const channel = formBody(ctx).channel;
    return channel === 'email' || channel === 'sms' ? channel : undefined;
  };

  async function show(ctx: Context, status = 200, problems: Problems = {}, typed: Partial<Record<ChannelName, string>> = {}) {
    const citizen = signedInCitizen(ctx);
    const contacts = await deps.contacts.list(citizen.id);
    const available = deps.contacts.available();
    await deps.render(ctx, 'account-contacts', {
      titleKey: 'account.contacts.title',
      status,
      data: {
        channels: CHANNELS.map((channel) => ({
          channel,
          available: available.includes(channel),
          contact: contacts.find((c) => c.channel === channel),
          problems: problems[channel] ?? {},
          typed: typed[channel] ?? '',
        })),
      },
    });
  }

  /** Runs a form's action; a FormError re-shows the page (400) with the problem by its field. */
  async function act(ctx: Context, action: (channel: ChannelName) => Promise<void>, typed?: string) {
    const channel = channelOf(ctx);
    if (!channel) return show(ctx, 400);
    try {
      await action(channel);
    } catch (error) {
      if (!(error instanceof FormError)) throw error;
      return show(ctx, error.fields.address === 'throttled' ? 429 : 400, { [channel]: error.fields }, typed === undefined ? {} : { [channel]: typed });
    }
    return undefined;
  }

  router.get('/account/contacts', loadCitizen, (ctx) => show(ctx));

  router.post('/account/contacts', loadCitizen, async (ctx) => {
    const address = String(formBody(ctx).address ?? '').slice(0, 300);
    let done = false;
    await act(ctx, async (channel) => {
      await deps.contacts.start(signedInCitizen(ctx), channel, address, ctx.state.locale as Locale);
      done = true;
    }, address);
    if (done) redirectWithFlash(ctx, 'contact_code_sent');
  });

  router.post('/account/contacts/confirm', loadCitizen, async (ctx) => {
    let done = false;
    await act(ctx, async (channel) => {
      await deps.contacts.confirm(signedInCitizen(ctx), channel, String(formBody(ctx).code ?? '').slice(0, 20));
      done = true;
    });
    if (done) redirectWithFlash(ctx, 'contact_confirmed');
  });

  router.post('/account/contacts/remove', loadCitizen, async (ctx) => {
    let done = false;
    await act(ctx, async (channel) => {
      await deps.contacts.remove(signedInCitizen(ctx), channel, String(formBody(ctx).password ?? '').slice(0, 1024));
      done = true;
    });
    if (done) redirectWithFlash(ctx, 'contact_removed');
  });

  return router;
}
