// One read of a citizen per request. A refresh needs the citizen twice — oidc-provider's
// findAccount (is the account usable?) and then the authentication log (whose entry is it?) —
// and a sign-in several times; each asked PostgreSQL again. The memo hangs on the request's Koa
// context (oidc-provider runs inside ours and shares it), so it dies with the request: a
// suspension or cancellation is seen by the very next request, as before. The row is kept
// whatever its status: findAccount refuses a citizen who is not active, but the log still
// records the refused refresh against them.
import type { CitizenRow } from '../queries/citizens.js';

export type CitizenOfRequest = (ctx: object | undefined, cyberspaceId: string) => Promise<CitizenRow | undefined>;

export function requestScopedCitizens(find: (cyberspaceId: string) => Promise<CitizenRow | undefined>): CitizenOfRequest {
  const byRequest = new WeakMap<object, Map<string, Promise<CitizenRow | undefined>>>();
  return (ctx, cyberspaceId) => {
    if (!ctx) return find(cyberspaceId);
    const memo = byRequest.get(ctx) ?? new Map<string, Promise<CitizenRow | undefined>>();
    byRequest.set(ctx, memo);
    let citizen = memo.get(cyberspaceId);
    if (!citizen) {
      // Promise.resolve: a knex query builder runs again on every then/catch.
      citizen = Promise.resolve(find(cyberspaceId));
      memo.set(cyberspaceId, citizen);
      // A failed read is not remembered: a later step in the same request may try again.
      citizen.catch(() => memo.delete(cyberspaceId));
    }
    return citizen;
  };
}
