// Security headers. Our own pages get a strict CSP: no script at all, except that the pages
// with a passkey form allow the one passkey script by its hash (src/web/passkey-script.ts;
// they set ctx.state.passkeyScript), and every page works without it; oidc-provider's responses keep their own headers (form_post needs its script).
import type { Middleware } from 'koa';
import { PASSKEY_SCRIPT_INTEGRITY } from './passkey-script.js';

const pageCsp = (scripts: string) => [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  `script-src ${scripts}`,
  "base-uri 'none'",
  "frame-ancestors 'none'",
  // No form-action: Chromium applies it to the redirect after a form post, which must reach
  // the ISP's redirect_uri.
].join('; ');
const PAGE_CSP = pageCsp("'none'");
const PASSKEY_PAGE_CSP = pageCsp(`'${PASSKEY_SCRIPT_INTEGRITY}'`);

export function securityHeaders(https: boolean): Middleware {
  return async (ctx, next) => {
    await next();
    ctx.set('x-content-type-options', 'nosniff');
    // same-origin: nothing reaches ISPs or other sites, and our own form posts carry our Origin
    // (under no-referrer browsers send "Origin: null", which the CSRF origin check refuses).
    ctx.set('referrer-policy', 'same-origin');
    ctx.set('x-frame-options', 'DENY');
    ctx.set('cross-origin-opener-policy', 'same-origin');
    if (https) ctx.set('strict-transport-security', 'max-age=63072000; includeSubDomains');
    if (ctx.state.renderedPage === true) ctx.set('content-security-policy', ctx.state.passkeyScript === true ? PASSKEY_PAGE_CSP : PAGE_CSP);
  };
}
