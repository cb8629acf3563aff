// Keeps the current oidc-provider instance and swaps it when the signing key set changes
// (`cyberid keys rotate` on any machine). oidc-provider fixes its keystore at construction;
// all of its state lives in the stores, so replacing the instance between requests is safe.
// Every instance polls, so a rotated key is published everywhere before it starts signing.
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import type Provider from 'oidc-provider';
import type { JWK } from 'jose';
import type { SigningKeyService } from '../services/signing-keys.js';
import type { Logger } from '../logger.js';

type Dependencies = {
  keys: SigningKeyService;
  build: (jwks: JWK[]) => Provider;
  logger: Logger;
};

export function createProviderHolder({ keys, build, logger }: Dependencies) {
  let provider: Provider | undefined;
  let fingerprint = '';
  let middleware: Middleware | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<boolean> {
    const keySet = await keys.loadKeySet(provider ? fingerprint : undefined);
    if (!keySet) return false;
    const next = build(keySet.privateJwks);
    middleware = compose((next as unknown as { middleware: Middleware[] }).middleware);
    provider = next;
    fingerprint = keySet.fingerprint;
    logger.info({ kids: fingerprint.split(',') }, 'signing key set loaded');
    return true;
  }

  return {
    refresh,
    current(): Provider {
      if (!provider) throw new Error('provider not started: call refresh() first');
      return provider;
    },
    /** Koa middleware delegating to whichever provider is current. */
    middleware: ((ctx, next) => {
      if (!middleware) throw new Error('provider not started');
      return middleware(ctx, next);
    }) as Middleware,
    startPolling(intervalSeconds: number) {
      timer = setInterval(() => {
        refresh().catch((error: unknown) => logger.error({ err: error }, 'signing key reload failed'));
      }, intervalSeconds * 1000);
      timer.unref();
    },
    stopPolling() {
      if (timer) clearInterval(timer);
    },
  };
}

export type ProviderHolder = ReturnType<typeof createProviderHolder>;
