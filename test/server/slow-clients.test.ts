// Slow clients are cut off (issue 9): a slowloris socket that never finishes its headers is
// closed after the headers timeout, while other clients are served meanwhile.
import assert from 'node:assert/strict';
import net from 'node:net';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('slow clients (issue 9)', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => (app = await startTestApp()));
  after(async () => app.stop());

  it('a socket trickling its headers is closed within the headers timeout; others are served', async () => {
    const { port } = new URL(app.url);
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    const opened = Date.now();
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 500);
    let answer = '';
    socket.on('data', (chunk) => (answer += String(chunk)));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    try {
      await request(app.url).get('/healthz').expect(200);
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('slowloris socket still open after 15 s')), 15_000))]);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    assert.ok(Date.now() - opened < 12_500, `closed after ${Date.now() - opened} ms`);
    assert.ok(!answer.includes('200 OK'), 'the slow request was never served');
  });
});
