// Slow and greedy clients are cut off without affecting others (issue 9), with real sockets:
// slowloris (headers trickled), a 1-byte-per-interval body, and one address opening more
// connections than MAX_CONNECTIONS_PER_ADDRESS — while a normal client from another loopback
// address (127.0.0.2) is served meanwhile. Small timeouts keep the test to seconds.
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTestApp, type TestApp } from '../support/test-app.js';

const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const MAX_PER_ADDRESS = 8;
// Node checks both timeouts once a second (connectionsCheckingInterval), plus a shared machine.
const SLACK_MS = 2_500;

type Trickler = { socket: net.Socket; closedAfterMs: Promise<number> };

function open(port: number, localAddress = '127.0.0.1'): Promise<Trickler> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve({ socket, closedAfterMs }));
    const closedAfterMs = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
    socket.on('data', () => {});
    socket.once('error', reject);
  });
}

/** Writes `chunks` one at a time every `everyMs` until the socket closes. */
function trickle(socket: net.Socket, chunks: () => string, everyMs: number): void {
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return clearInterval(timer);
    socket.write(chunks());
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

async function normalRequest(app: TestApp): Promise<number> {
  const { port } = new URL(app.url);
  // From another address, so the per-address bound on 127.0.0.1 is not this client's.
  const { socket } = await open(Number(port), '127.0.0.2');
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('"issuer"')) { socket.destroy(); resolve(Number(text.split(' ')[1])); }
    });
    socket.once('close', () => reject(new Error(`closed: ${text.slice(0, 100)}`)));
    socket.write(`GET /.well-known/openid-configuration HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`);
  });
}

describe('slow and greedy clients are cut off, others are served (issue 9)', function () {
  this.timeout(30_000);
  let app: TestApp;
  let port: number;
  before(async () => {
    app = await startTestApp({ env: {
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      MAX_CONNECTIONS_PER_ADDRESS: String(MAX_PER_ADDRESS),
    } });
    port = Number(new URL(app.url).port);
  });
  after(async () => app?.stop());

  it('slowloris sockets are closed by the headers timeout; a normal client is served meanwhile', async () => {
    const sockets = await Promise.all(Array.from({ length: 4 }, () => open(port)));
    let header = 0;
    for (const { socket } of sockets) {
      socket.write(`GET /.well-known/openid-configuration HTTP/1.1\r\nHost: localhost:${port}\r\n`);
      trickle(socket, () => `x-slow-${(header += 1)}: 1\r\n`, 200);
    }
    assert.equal(await normalRequest(app), 200);
    const closed = await Promise.all(sockets.map((s) => s.closedAfterMs));
    for (const ms of closed) assert.ok(ms < HEADERS_TIMEOUT_MS + SLACK_MS, `slowloris socket held ${ms} ms`);
    assert.equal(await normalRequest(app), 200);
  });

  it('a body sent a byte at a time is closed by the request timeout; a normal client is served meanwhile', async () => {
    const sockets = await Promise.all(Array.from({ length: 3 }, () => open(port)));
    for (const { socket } of sockets) {
      socket.write(`POST /token HTTP/1.1\r\nHost: localhost:${port}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\n`);
      trickle(socket, () => 'a', 250);
    }
    assert.equal(await normalRequest(app), 200);
    const closed = await Promise.all(sockets.map((s) => s.closedAfterMs));
    for (const ms of closed) {
      assert.ok(ms >= HEADERS_TIMEOUT_MS, `closed after ${ms} ms: before the body had its time`);
      assert.ok(ms < REQUEST_TIMEOUT_MS + SLACK_MS, `trickled body held ${ms} ms`);
    }
    assert.equal(await normalRequest(app), 200);
  });

  it('connections beyond the per-address bound are closed at once; other addresses are served', async () => {
    const held = await Promise.all(Array.from({ length: MAX_PER_ADDRESS }, () => open(port)));
    // Each held socket sends part of a request, as a flood of idle connections would.
    for (const { socket } of held) socket.write('GET / HTTP/1.1\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const extra = await open(port);
    const extraClosed = await Promise.race([extra.closedAfterMs, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 500))]);
    assert.ok(extraClosed >= 0, 'a connection beyond the bound is closed at once');
    assert.equal(await normalRequest(app), 200);
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map((s) => s.closedAfterMs));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server sees them close too
    // Once they close, the address may connect again.
    const again = await open(port);
    const againClosed = await Promise.race([again.closedAfterMs, new Promise<number>((resolve) => setTimeout(() => resolve(-1), 300))]);
    assert.equal(againClosed, -1, 'a connection within the bound stays open');
    again.socket.destroy();
  });
});
