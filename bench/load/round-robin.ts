// Instances behind one issuer, without a proxy in the way: each request meant for the issuer's
// origin goes to the next backend in turn (per request, not per connection, so one sign-in's
// authorize, interaction and token steps land on different instances), with the issuer's Host
// header, as a round-robin load balancer would send it. Other URLs pass through unchanged.
import type { Send } from './http.js';

export function roundRobin(send: Send, issuer: string, backends: string[]): Send {
  const { origin, host } = new URL(issuer);
  let next = 0;
  return (method, url, headers = {}, body) => {
    if (!url.startsWith(origin)) return send(method, url, headers, body);
    const backend = backends[next++ % backends.length]!;
    return send(method, `${backend}${url.slice(origin.length)}`, { ...headers, host }, body);
  };
}
