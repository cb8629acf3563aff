// The one HTTP client every benchmark request goes through, for the reference library and for
// this project alike: node:http with a keep-alive agent holding at most `connections` sockets,
// manual redirects and a per-caller cookie jar. No fetch: undici's pool would add its own
// behaviour to one side of the comparison only if the two sides were driven differently.
import http from 'node:http';

export type Reply = { status: number; headers: http.IncomingHttpHeaders; body: string };
export type Send = (method: string, url: string, headers?: Record<string, string>, body?: string) => Promise<Reply>;

export function createSender(connections: number): { send: Send; close(): void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const send: Send = (method, url, headers = {}, body) => new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
  return { send, close: () => agent.destroy() };
}

/** Cookies by name, for one origin (both servers are on 127.0.0.1; paths are ignored). */
export class Jar {
  readonly cookies: Map<string, string>;
  constructor(initial: Record<string, string> = {}) {
    this.cookies = new Map(Object.entries(initial));
  }
  header(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
  take(reply: Reply) {
    for (const line of reply.headers['set-cookie'] ?? []) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}
