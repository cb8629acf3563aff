// The identity authority over HTTP (protocol in docs/identity-authority.md): a claim, or a
// guardian and ward pair, is POSTed as JSON with a bearer token to its endpoint (the pair to
// `guardianship`, resolved against the verification URL), and the authority answers
// {"outcome":"verified"|"not_verified"} or {"outcome":"confirmed"|"not_confirmed"}.
// - Each attempt has its own timeout; network errors, timeouts and 5xx are retried at most
//   `retries` times with a short, jittered exponential backoff.
// - A definite answer is never retried: 200, or a refusal (3xx/4xx: wrong token, bad request,
//   a redirect we will not follow with personal data). A refusal means 'unavailable' and a
//   warning for the operator; 408/429 ask us to back off, so they are not retried either.
// - One circuit breaker for both endpoints (one authority) fails fast while it is down, so
//   applicants hear "try again later" at once instead of waiting on a dead service.
// Personal data travels only in the request body: never in the URL, a log line or an error.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logger.js';
import { createCircuitBreaker, CircuitOpenError } from './circuit-breaker.js';
import type { DocumentRef, IdentityAuthority } from './port.js';

export type HttpAuthorityOptions = {
  url: string;
  /** Sent as `Authorization: Bearer …`; omitted when undefined (local stubs). */
  credentials: { bearerToken: string | undefined };
  /** Per attempt, including reading the answer. */
  timeoutMs: number;
  /** Extra attempts after the first, for transient failures only. */
  retries: number;
  /** First backoff; doubles per retry, with jitter. */
  backoffMs?: number;
  breaker: { failureThreshold: number; resetAfterMs: number };
  fetch?: typeof globalThis.fetch;
  logger?: Pick<Logger, 'warn'>;
};

/** The authority gave no usable answer. `retryable` for transient causes. */
class AuthorityFailure extends Error {
  constructor(reason: string, readonly retryable: boolean) {
    super(reason);
    this.name = 'AuthorityFailure';
  }
}

const isTimeout = (error: unknown) => ['TimeoutError', 'AbortError'].includes((error as Error)?.name);

/** The endpoint's two definite answers; anything else is a malformed answer. */
function outcomeReader<T extends string>(...definite: T[]) {
  return (body: unknown): T => {
    const outcome = (body as { outcome?: unknown } | null)?.outcome;
    if (definite.includes(outcome as T)) return outcome as T;
    throw new AuthorityFailure('malformed answer', false);
  };
}

const readVerification = outcomeReader('verified', 'not_verified');
const readGuardianship = outcomeReader('confirmed', 'not_confirmed');

/** The relationship endpoint: a sibling of the verification endpoint (RFC 3986 §5.2). */
export const guardianshipUrl = (verifyUrl: string) => new URL('guardianship', verifyUrl).href;

const documentJson = (person: DocumentRef) => ({ document_type: person.documentType, document_number: person.documentNumber });

export function createHttpAuthority(options: HttpAuthorityOptions): IdentityAuthority {
  const { url, credentials, timeoutMs, retries, backoffMs = 100, logger } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const breaker = createCircuitBreaker({
    ...options.breaker,
    onStateChange: (state) => logger?.warn({ circuit: state }, `identity authority circuit ${state}`),
  });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (credentials.bearerToken) headers.authorization = `Bearer ${credentials.bearerToken}`;

  async function attempt<T extends string>(endpoint: string, body: string, read: (body: unknown) => T): Promise<T | 'unavailable'> {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(endpoint, { method: 'POST', headers, body, redirect: 'manual', signal });
    } catch (error) {
      throw new AuthorityFailure(isTimeout(error) ? 'timeout' : 'network error', true);
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new AuthorityFailure(`status ${response.status}`, true);
    }
    if (response.status === 408 || response.status === 429) {
      await response.body?.cancel();
      throw new AuthorityFailure(`status ${response.status}`, false);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      logger?.warn({ status: response.status }, 'identity authority refused the request; check IDENTITY_AUTHORITY_URL and IDENTITY_AUTHORITY_TOKEN');
      return 'unavailable';
    }
    try {
      return read(await response.json());
    } catch (error) {
      if (error instanceof AuthorityFailure) throw error;
      throw new AuthorityFailure(isTimeout(error) ? 'timeout' : 'malformed answer', isTimeout(error));
    }
  }

  async function withRetries<T extends string>(endpoint: string, body: string, read: (body: unknown) => T): Promise<T | 'unavailable'> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(endpoint, body, read);
      } catch (error) {
        if (!(error instanceof AuthorityFailure) || !error.retryable || retry >= retries) throw error;
        await sleep(backoffMs * 2 ** retry * (0.5 + Math.random() / 2));
      }
    }
  }

  /** One question to the authority: its definite answer, or 'unavailable'. */
  async function ask<T extends string>(endpoint: string, payload: unknown, read: (body: unknown) => T): Promise<{ outcome: T | 'unavailable' }> {
    const body = JSON.stringify(payload);
    try {
      return { outcome: await breaker.run(() => withRetries(endpoint, body, read)) };
    } catch (error) {
      if (error instanceof CircuitOpenError) return { outcome: 'unavailable' };
      if (error instanceof AuthorityFailure) {
        logger?.warn({ reason: error.message }, 'identity authority unavailable');
        return { outcome: 'unavailable' };
      }
      throw error;
    }
  }

  const relationshipUrl = guardianshipUrl(url);
  return {
    verify: (claim) => ask(url, {
      document_type: claim.documentType,
      document_number: claim.documentNumber,
      name: claim.name,
      birth_date: claim.birthDate,
    }, readVerification),
    confirmGuardian: ({ guardian, ward }) => ask(relationshipUrl, { guardian: documentJson(guardian), ward: documentJson(ward) }, readGuardianship),
  };
}
