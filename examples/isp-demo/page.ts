// The demo's one page: what the ISP asked for, what it received (ID token claims, userinfo, the
// pairwise ID) and what it did not, or the button to sign in.
export type Received = { idToken: Record<string, unknown>; userinfo: Record<string, unknown> };

/** The claims each requested scope can bring (docs/claims.md). */
export const ASKED: Record<string, string[]> = {
  age: ['age_over_14', 'age_over_16', 'age_over_18'],
  verified: ['real_name_verified', 'identity_assurance_level', 'verified_claims'],
};
/** What an ISP never receives by default: the person's identity data, and their citizen-level ID. */
const NEVER = ['name', 'document number', 'birth date', 'phone number', 'email address', 'the citizen\'s own cyberspace ID (you get a pairwise one)'];

const escape = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (value: unknown) => `<pre>${escape(JSON.stringify(value, null, 2))}</pre>`;

export function renderPage(issuer: string, received: Received | undefined, notice?: string): string {
  const body = received ? signedIn(received) : signedOut(issuer.replace(/\/$/, ''));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ISP demo${received ? ' · signed in' : ''}</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}pre{background:#f4f6f8;padding:.75rem;overflow-x:auto}.notice{border-left:4px solid #1d6b3a;background:#e9f5ee;padding:.5rem 1rem}</style>
</head><body><main>
<h1>ISP demo</h1>
<p>A separate relying party using <a href="https://github.com/panva/openid-client">openid-client</a>. It asks for the scopes <code>openid age verified</code>.</p>
${notice ? `<p class="notice" role="status">${escape(notice)}</p>` : ''}
${body}
</main></body></html>`;
}

function signedOut(issuer: string) {
  return `<p><a href="/login"><img src="${escape(issuer)}/static/buttons/login-with-cyberspace-id.en.svg" alt="Log in with Cyberspace ID" width="264" height="44"></a></p>`;
}

function signedIn({ idToken, userinfo }: Received) {
  const got = (claim: string) => claim in idToken || claim in userinfo;
  const missing = Object.entries(ASKED).flatMap(([scope, claims]) => claims.filter((claim) => !got(claim)).map((claim) => `<li><code>${claim}</code> (scope <code>${scope}</code>: not consented, or nothing to compute it from)</li>`));
  return `<h2>Your pairwise ID here</h2>
<p><output id="pairwise-id">${escape(idToken.sub)}</output> — this service's cyberspace ID for you: stable here, different at every other service.</p>
<p>Signed in at level <code id="acr">${escape(idToken.acr)}</code>.</p>
<h2>What the ID token carried</h2>
<div id="id-token">${json(idToken)}</div>
<h2>What userinfo returned</h2>
<div id="userinfo">${json(userinfo)}</div>
<h2>What it did not receive</h2>
<ul id="not-received">${missing.join('')}${NEVER.map((item) => `<li>${escape(item)} (never sent to a service)</li>`).join('')}</ul>
<form method="post" action="/logout"><button type="submit">Log out</button></form>`;
}
