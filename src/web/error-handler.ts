// The one error middleware for our routes: an HTML page or JSON depending on what the client
// accepts; 4xx errors we raised on purpose show their (personal-data-free) message, 5xx never
// show anything but a reference id; every error is logged with the request id.
import type { Middleware, Context } from 'koa';
import { AppError, CsrfError, HasherBusyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RenderView } from './views.js';
import { translator, type Locale } from './i18n.js';
import { isStoreFault, STORE_RETRY_AFTER_SECONDS } from '../storage/store-fault.js';

function statusOf(error: unknown): number {
  if (isStoreFault(error)) return 503;
  const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function safeMessage(ctx: Context, error: unknown, status: number): string {
  const t = translator((ctx.state.locale as Locale) ?? 'zh-CN');
  if (error instanceof CsrfError) return t('error.csrf');
  if (error instanceof HasherBusyError) return t('error.busy');
  if (isStoreFault(error)) return t('error.unavailable');
  if (status === 404) return t('error.not_found');
  const name = (error as { name?: string }).name;
  if (name === 'SessionNotFound' || name === 'InvalidRequest') return t('error.session');
  if (status < 500 && (error instanceof AppError ? error.expose : (error as { expose?: boolean }).expose)) return t('error.invalid_request');
  return t('error.lead');
}

export function errorHandler(logger: Logger, render: RenderView): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) ctx.throw(404);
    } catch (error) {
      const status = statusOf(error);
      const requestId = ctx.state.requestId as string | undefined;
      const log = { requestId, status, err: { name: (error as Error).name, message: status >= 500 ? (error as Error).message : undefined, stack: status >= 500 ? (error as Error).stack : undefined } };
      if (status >= 500) logger.error(log, 'request failed');
      else logger.info(log, 'request rejected');
      const message = safeMessage(ctx, error, status);
      const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === 'number') ctx.set('retry-after', String(retryAfter));
      else if (status === 503) ctx.set('retry-after', String(STORE_RETRY_AFTER_SECONDS));
      if (ctx.accepts('html', 'json') === 'json') {
        ctx.status = status;
        ctx.body = { error: error instanceof AppError ? error.code : status === 503 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request', error_description: message, request_id: requestId };
        return;
      }
      await render(ctx, 'error', { titleKey: 'error.title', status, data: { message, requestId } });
    }
  };
}
