// A stub identity authority over real HTTP, started by the test: `reply` decides each answer
// (by default: verified, or confirmed for the relationship endpoint); `requests` records what
// arrived. Its URL is the verification endpoint, like IDENTITY_AUTHORITY_URL.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Reply = { status: number; body?: string; delayMs?: number; headers?: Record<string, string> };
export type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: string };

export const answer = (outcome: string): Reply => ({ status: 200, body: JSON.stringify({ outcome }) });

export async function startAuthorityStub() {
  const requests: Seen[] = [];
  const stub = {
    requests,
    reply: (request: Seen): Reply => answer(request.url.endsWith('/guardianship') ? 'confirmed' : 'verified'),
    url: '',
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const seen = { method: req.method!, url: req.url!, headers: req.headers, body };
      requests.push(seen);
      const reply = stub.reply(seen);
      if (reply.delayMs) await sleep(reply.delayMs);
      if (res.destroyed) return;
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/verify`;
  return stub;
}

export type AuthorityStub = Awaited<ReturnType<typeof startAuthorityStub>>;
