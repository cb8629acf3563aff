// The HTML oidc-provider shows itself (errors, logout confirmation, logged-out page), rendered
// through our views so they share the layout, the language and the no-personal-data rules.
import type { Context } from 'koa';
import type { ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import type { RenderView } from '../web/views.js';
import { translator, type Locale } from '../web/i18n.js';
import { isStoreFault } from '../storage/store-fault.js';
import { IspNotActive } from './client-status-gate.js';

export function createProviderPages(render: RenderView) {
  const asKoa = (ctx: KoaContextWithOIDC) => ctx as unknown as Context;
  return {
    async renderError(ctx: KoaContextWithOIDC, out: ErrorOut, error: Error) {
      const koa = asKoa(withDefaultState(ctx));
      const t = translator((koa.state.locale as Locale) ?? 'zh-CN');
      const storeFault = isStoreFault(error);
      const status = storeFault ? 503 : (error as { status?: number }).status ?? 500;
      const sessionProblem = ['SessionNotFound', 'InvalidRequest'].includes(error.name) && /session|interaction|cookie/i.test(String(out.error_description));
      const message = storeFault
        ? t('error.unavailable')
        : error instanceof IspNotActive
        ? t(`error.isp_${error.ispStatus}`)
        : sessionProblem
        ? t('error.session')
        : status < 500 && typeof out.error_description === 'string'
          ? `${t('error.invalid_request')} (${String(out.error)}: ${out.error_description})`
          : t('error.lead');
      await render(koa, 'error', { titleKey: 'error.title', status, data: { message, requestId: koa.state.requestId } });
    },
    async logoutSource(ctx: KoaContextWithOIDC, form: string) {
      await render(asKoa(ctx), 'logout', { titleKey: 'logout.title', status: 200, data: { form } });
    },
    async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
      await render(asKoa(ctx), 'logged-out', { titleKey: 'logout.done.title' });
    },
  };
}

// oidc-provider may call renderError before our middleware ran (never in practice, since we
// mount it behind them); default the state so the page still renders.
function withDefaultState(ctx: KoaContextWithOIDC): KoaContextWithOIDC {
  const state = (ctx as unknown as Context).state ?? {};
  state.locale ??= 'zh-CN';
  (ctx as unknown as Context).state = state;
  return ctx;
}
