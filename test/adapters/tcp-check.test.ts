import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { probeTcp } from '../../src/adapters/tcp-check.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('probeTcp', () => {
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const intervals = new Set<NodeJS.Timeout>();
  const ports: Record<string, number> = {};

  /** A loopback listener whose accepted sockets `onSocket` drives; tracked for after(). */
  async function serve(name: string, onSocket: (s: Socket) => void): Promise<void> {
    const server = createServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
      onSocket(s);
    });
    servers.push(server);
    ports[name] = await listen(server);
  }

  function drip(s: Socket, text: string, everyMs: number): void {
    let i = 0;
    const t = setInterval(() => {
      if (i < text.length && !s.destroyed) s.write(text[i++]!);
    }, everyMs);
    intervals.add(t);
    s.on('close', () => {
      clearInterval(t);
      intervals.delete(t);
    });
  }

  before(async () => {
    await serve('smtp', (s) => s.write('220 mail.example.com ESMTP Postfix\r\n'));
    await serve('ssh', (s) => s.write('SSH-2.0-x\r\n'));
    await serve('silent', () => {}); // accepts and never sends a byte
    await serve('long', (s) => s.write(`220 ${'x'.repeat(200)}\r\n`));
    await serve('split', (s) => {
      s.write('2');
      const t = setTimeout(() => s.write('20 late but fine\r\n'), 50);
      s.on('close', () => clearTimeout(t));
    });
    await serve('hangup', (s) => s.end());
    await serve('drip', (s) => drip(s, `220 ${'y'.repeat(100)}\r\n`, 100));
  });

  after(async () => {
    for (const t of intervals) clearInterval(t);
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map(close));
  });

  const at = (name: string) => ({ host: '127.0.0.1', port: ports[name]! });

  test('a listener is up: TCP connected', async () => {
    const r = await probeTcp({ ...at('silent'), timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason], [true, 'TCP connected']);
    assert.ok(r.latencyMs >= 0);
  });

  test('a plain connect does not wait for a banner', async () => {
    // The silent listener never sends one: waiting for it would end in "timed out".
    const r = await probeTcp({ ...at('silent'), timeoutMs: 60_000 });
    assert.deepEqual([r.up, r.reason], [true, 'TCP connected']);
  });

  test('banner matching the prefix is up, and shows the first line', async () => {
    const r = await probeTcp({ ...at('smtp'), timeoutMs: 2000, expectBanner: '220' });
    assert.deepEqual([r.up, r.reason], [true, 'banner "220 mail.example.com ESMTP Postfix"']);
  });

  test('a banner is shown at most 60 characters long', async () => {
    const r = await probeTcp({ ...at('long'), timeoutMs: 2000, expectBanner: '220 ' });
    assert.equal(r.up, true);
    assert.equal(r.reason, `banner "220 ${'x'.repeat(53)}..."`);
  });

  test('a banner split over two packets is still matched', async () => {
    const r = await probeTcp({ ...at('split'), timeoutMs: 2000, expectBanner: '220 late' });
    assert.deepEqual([r.up, r.reason], [true, 'banner "220 late but fine"']);
  });

  test('a wrong banner is down', async () => {
    const r = await probeTcp({ ...at('ssh'), timeoutMs: 2000, expectBanner: '220' });
    assert.deepEqual([r.up, r.reason], [false, 'banner "SSH-2.0-x" does not start with "220"']);
    assert.equal(r.status, undefined);
  });

  test('accepts and never sends: timed out waiting for the banner, within the deadline', async () => {
    const t0 = Date.now();
    const r = await probeTcp({ ...at('silent'), timeoutMs: 500, expectBanner: '220' });
    const took = Date.now() - t0;
    assert.deepEqual([r.up, r.reason], [false, 'timed out after 500ms waiting for the banner']);
    // no upper bound on a loaded machine: the silent listener never sends, so only the deadline ends it
    assert.ok(took >= 450, `took ${took} ms`);
  });

  test('no timer and no socket is left behind, whatever the outcome', async () => {
    const count = (kind: string) => process.getActiveResourcesInfo().filter((k) => k === kind).length;
    const timers = count('Timeout');
    const conns = count('TCPSocketWrap');
    await probeTcp({ ...at('silent'), timeoutMs: 2000 });
    await probeTcp({ ...at('smtp'), timeoutMs: 2000, expectBanner: '220' });
    await probeTcp({ ...at('ssh'), timeoutMs: 2000, expectBanner: '220' });
    await probeTcp({ ...at('silent'), timeoutMs: 200, expectBanner: '220' });
    // Let the listener's side of each connection see the close too.
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(count('Timeout'), timers);
    assert.ok(count('TCPSocketWrap') <= conns, `${count('TCPSocketWrap')} client sockets, was ${conns}`);
  });

  test('a server that hangs up without a banner is down', async () => {
    const r = await probeTcp({ ...at('hangup'), timeoutMs: 2000, expectBanner: '220' });
    assert.deepEqual([r.up, r.reason], [false, 'connection closed without a banner']);
  });

  test('a banner dripping one byte per 100 ms is cut by the deadline', async () => {
    const r = await probeTcp({ ...at('drip'), timeoutMs: 700, expectBanner: `220 ${'y'.repeat(100)}` });
    assert.equal(r.up, false);
    // cut before the whole banner (10 s of dripping) came: the deadline ended it
    assert.match(r.reason, /^timed out after 700ms waiting for the banner \(got "220 y*"\)$/);
  });

  test('a banner dripping one byte per 100 ms is cut by maxBytes', async () => {
    const r = await probeTcp({ ...at('drip'), timeoutMs: 10_000, maxBytes: 5, expectBanner: `220 ${'y'.repeat(100)}` });
    // judged on 5 bytes, not timed out after 10 s: maxBytes ended it
    assert.deepEqual([r.up, r.reason], [false, `banner "220 y" does not start with "220 ${'y'.repeat(53)}..."`]);
  });

  test('a refused port is down: connection refused', async () => {
    const s = createServer();
    const p = await listen(s);
    await close(s);
    const r = await probeTcp({ host: '127.0.0.1', port: p, timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason], [false, 'connection refused']);
  });

  test('bad targets are down with a reason, never a throw', async () => {
    const a = await probeTcp({ host: '127.0.0.1', port: 0, timeoutMs: 1000 });
    assert.deepEqual([a.up, a.reason], [false, 'invalid port: 0']);
    const b = await probeTcp({ host: '', port: 25, timeoutMs: 1000 });
    assert.deepEqual([b.up, b.reason], [false, 'no host to connect to']);
    const c = await probeTcp({ host: 'no-such-host.invalid', port: 25, timeoutMs: 3000 });
    assert.equal(c.up, false);
    assert.match(c.reason, /^(name not found: no-such-host\.invalid|name lookup failed.*|timed out after 3s)$/);
  });

  test('latency comes from the injected clock', async () => {
    let t = 1000;
    const r = await probeTcp({ ...at('smtp'), timeoutMs: 2000, expectBanner: '220' }, () => (t += 5));
    assert.equal(r.up, true);
    assert.equal(r.latencyMs, 5);
  });
});
