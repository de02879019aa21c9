import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { certExpiryReason, probeHttp } from '../../src/adapters/http-check.js';
import { skipOrFail } from '../helpers/need.js';

function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: { close(cb: () => void): unknown; closeAllConnections?: () => void }): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('probeHttp over http', () => {
  let server: Server;
  let raw: ReturnType<typeof createNetServer>;
  let port: number;
  let rawPort: number;
  const seen: { path: string; host: string | undefined }[] = [];
  const sockets = new Set<Socket>();
  const intervals = new Set<NodeJS.Timeout>();

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push({ path: req.url ?? '', host: req.headers.host });
      switch (req.url) {
        case '/ok':
          res.end('hello, this is the main server\n');
          return;
        case '/503':
          res.writeHead(503).end('busy');
          return;
        case '/redirect':
          res.writeHead(301, { Location: '/target' }).end();
          return;
        case '/loop':
          res.writeHead(302, { Location: '/loop' }).end();
          return;
        case '/target':
          res.end('target');
          return;
        case '/host':
          res.end(`host=${req.headers.host}`);
          return;
        case '/hang':
          return; // accepts, reads the request, never answers
        case '/drip': {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.flushHeaders();
          const t = setInterval(() => res.write('x'), 100);
          intervals.add(t);
          res.on('close', () => {
            clearInterval(t);
            intervals.delete(t);
          });
          return;
        }
        case '/endless': {
          res.writeHead(200);
          const chunk = Buffer.alloc(16 * 1024, 'a');
          const pump = () => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
        case '/split':
          res.write('abc NEED');
          setTimeout(() => res.end('LE def'), 20);
          return;
        case '/204':
          res.writeHead(204).end();
          return;
        default:
          res.writeHead(404).end('not here');
      }
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    port = await listen(server);

    // A raw TCP server that drips the status line itself, one byte per 100 ms.
    raw = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      const text = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
      let i = 0;
      const t = setInterval(() => {
        if (i < text.length && !socket.destroyed) socket.write(text[i++]!);
      }, 100);
      intervals.add(t);
      socket.on('close', () => {
        clearInterval(t);
        intervals.delete(t);
        sockets.delete(socket);
      });
    });
    rawPort = await listen(raw);
  });

  after(async () => {
    for (const t of intervals) clearInterval(t);
    for (const s of sockets) s.destroy();
    await Promise.all([close(server), close(raw)]);
  });

  const url = (path: string) => `http://127.0.0.1:${port}${path}`;

  test('200 is up', async () => {
    const r = await probeHttp({ url: url('/ok'), timeoutMs: 2000 });
    assert.equal(r.up, true);
    assert.equal(r.reason, 'HTTP 200');
    assert.equal(r.status, 200);
    assert.ok(r.latencyMs >= 0);
  });

  test('503 is down', async () => {
    const r = await probeHttp({ url: url('/503'), timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason, r.status], [false, 'HTTP 503', 503]);
  });

  test('404 is down by default', async () => {
    const r = await probeHttp({ url: url('/nothing'), timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason], [false, 'HTTP 404']);
  });

  test('a 301 is an answer: up, and the redirect is not followed', async () => {
    const before = seen.filter((s) => s.path === '/target').length;
    const r = await probeHttp({ url: url('/redirect'), timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason, r.status], [true, 'HTTP 301', 301]);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(seen.filter((s) => s.path === '/target').length, before);
  });

  test('a redirect loop is one answer: up, asked once, not followed', async () => {
    const count = () => seen.filter((s) => s.path === '/loop').length;
    const before = count();
    const r = await probeHttp({ url: url('/loop'), timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason, r.status], [true, 'HTTP 302', 302]);
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(count(), before + 1);
  });

  test('the server sees the Host header from spec.host', async () => {
    const r = await probeHttp({ url: url('/host'), host: 'example.com', timeoutMs: 2000, expectBody: 'host=example.com' });
    assert.equal(r.up, true, r.reason);
    assert.equal(seen.filter((s) => s.path === '/host').at(-1)?.host, 'example.com');
  });

  test('without spec.host the Host header is the URL authority', async () => {
    await probeHttp({ url: url('/host'), timeoutMs: 2000 });
    assert.equal(seen.filter((s) => s.path === '/host').at(-1)?.host, `127.0.0.1:${port}`);
  });

  test('accepts and never answers: down, timed out, within the deadline', async () => {
    const t0 = Date.now();
    const r = await probeHttp({ url: url('/hang'), timeoutMs: 500 });
    const took = Date.now() - t0;
    assert.deepEqual([r.up, r.reason], [false, 'timed out after 500ms']);
    // no upper bound on a loaded machine: the server never answers, so only the deadline ends it
    assert.ok(took >= 450, `took ${took} ms`);
  });

  test('a body dripping one byte per 100 ms past the deadline times out', async () => {
    const r = await probeHttp({ url: url('/drip'), timeoutMs: 700, expectBody: 'never there' });
    // the reason is the deadline's, not the body's judgement at its end
    assert.deepEqual([r.up, r.reason], [false, 'timed out after 700ms']);
  });

  test('a status line dripping one byte per 100 ms times out', async () => {
    const r = await probeHttp({ url: `http://127.0.0.1:${rawPort}/`, timeoutMs: 1000 });
    assert.deepEqual([r.up, r.reason], [false, 'timed out after 1s']);
  });

  test('an endless body with expectBody stops at maxBytes', async () => {
    const r = await probeHttp({ url: url('/endless'), timeoutMs: 60_000, maxBytes: 100_000, expectBody: 'zzz' });
    // judged on what it read, not timed out: maxBytes stopped it (the body never ends)
    assert.deepEqual([r.up, r.reason, r.status], [false, 'body does not contain "zzz"', 200]);
  });

  test('an endless body without expectBody is up at the headers', async () => {
    const r = await probeHttp({ url: url('/endless'), timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason], [true, 'HTTP 200']);
  });

  test('a refused port is down: connection refused', async () => {
    const s = createServer();
    const p = await listen(s);
    await close(s);
    const r = await probeHttp({ url: `http://127.0.0.1:${p}/`, timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason], [false, 'connection refused']);
  });

  test('expectBody found', async () => {
    const r = await probeHttp({ url: url('/ok'), timeoutMs: 2000, expectBody: 'main server' });
    assert.deepEqual([r.up, r.reason], [true, 'HTTP 200']);
  });

  test('expectBody found across two chunks', async () => {
    const r = await probeHttp({ url: url('/split'), timeoutMs: 2000, expectBody: 'NEEDLE' });
    assert.deepEqual([r.up, r.reason], [true, 'HTTP 200']);
  });

  test('expectBody not found', async () => {
    const r = await probeHttp({ url: url('/ok'), timeoutMs: 2000, expectBody: 'maintenance' });
    assert.deepEqual([r.up, r.reason, r.status], [false, 'body does not contain "maintenance"', 200]);
  });

  test('expectBody beyond maxBytes is not found', async () => {
    const r = await probeHttp({ url: url('/ok'), timeoutMs: 2000, expectBody: 'main server', maxBytes: 10 });
    assert.equal(r.up, false);
    assert.equal(r.reason, 'body does not contain "main server"');
  });

  test('custom expectStatus', async () => {
    const a = await probeHttp({ url: url('/503'), timeoutMs: 2000, expectStatus: [503] });
    assert.deepEqual([a.up, a.reason], [true, 'HTTP 503']);
    const b = await probeHttp({ url: url('/ok'), timeoutMs: 2000, expectStatus: [204] });
    assert.deepEqual([b.up, b.reason], [false, 'HTTP 200']);
    const c = await probeHttp({ url: url('/204'), timeoutMs: 2000, expectStatus: [200, 204] });
    assert.deepEqual([c.up, c.reason], [true, 'HTTP 204']);
  });

  test('bad URLs and names are down with a reason, never a throw', async () => {
    const a = await probeHttp({ url: 'not a url', timeoutMs: 1000 });
    assert.deepEqual([a.up, a.reason], [false, 'invalid URL: not a url']);
    const b = await probeHttp({ url: 'ftp://127.0.0.1/', timeoutMs: 1000 });
    assert.deepEqual([b.up, b.reason], [false, 'unsupported URL scheme: ftp:']);
    const c = await probeHttp({ url: 'http://no-such-host.invalid/', timeoutMs: 3000 });
    assert.equal(c.up, false);
    assert.match(c.reason, /^(name not found: no-such-host\.invalid|name lookup failed.*|timed out after 3s)$/);
  });

  test('latency comes from the injected clock', async () => {
    let t = 1000;
    const r = await probeHttp({ url: url('/ok'), timeoutMs: 2000 }, () => (t += 7));
    assert.equal(r.up, true);
    assert.equal(r.latencyMs, 7);
  });
});

describe('probeHttp over https', () => {
  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  let dir: string;
  let cert = '';
  let server: ReturnType<typeof createHttpsServer> | undefined;
  let port = 0;
  const hosts: (string | undefined)[] = [];

  before(async () => {
    if (!hasOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'zonerw-tls-'));
    const r = spawnSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
        '-subj', '/CN=www.example.test',
        '-addext', 'subjectAltName=DNS:www.example.test',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      hosts.push(req.headers.host);
      res.end('secure hello');
    });
    port = await listen(server as unknown as Server);
  });

  after(async () => {
    if (server) await close(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('self-signed cert: valid with ca + host, TLS error without ca, up with insecure', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    const url = `https://127.0.0.1:${port}/`;

    const good = await probeHttp({ url, host: 'www.example.test', ca: cert, timeoutMs: 3000, expectBody: 'secure' });
    assert.deepEqual([good.up, good.reason], [true, 'HTTP 200']);
    assert.equal(hosts.at(-1), 'www.example.test');

    const noCa = await probeHttp({ url, host: 'www.example.test', timeoutMs: 3000 });
    assert.equal(noCa.up, false);
    assert.match(noCa.reason, /^TLS: /);

    const wrongName = await probeHttp({ url, host: 'other.example.test', ca: cert, timeoutMs: 3000 });
    assert.equal(wrongName.up, false);
    assert.match(wrongName.reason, /^TLS: .*other\.example\.test/);

    const insecure = await probeHttp({ url, host: 'www.example.test', insecure: true, timeoutMs: 3000 });
    assert.deepEqual([insecure.up, insecure.reason], [true, 'HTTP 200']);
  });
});

describe('certExpiryReason', () => {
  const DAY = 86_400_000;
  const notAfter = Date.parse('2030-05-17T12:00:00Z');
  test('whole days left, rounded down, and the date', () => {
    assert.equal(certExpiryReason(notAfter, notAfter - 30 * DAY, 14), undefined);
    assert.equal(certExpiryReason(notAfter, notAfter - 14 * DAY, 14), undefined);
    assert.equal(certExpiryReason(notAfter, notAfter - 14 * DAY + 1, 14), 'certificate expires in 13 days (2030-05-17)');
    assert.equal(certExpiryReason(notAfter, notAfter - 1.5 * DAY, 7), 'certificate expires in 1 day (2030-05-17)');
    assert.equal(certExpiryReason(notAfter, notAfter - 3600_000, 1), 'certificate expires in 0 days (2030-05-17)');
    assert.equal(certExpiryReason(notAfter, notAfter, 1), 'certificate expired on 2030-05-17');
    assert.equal(certExpiryReason(notAfter, notAfter + 2 * DAY, 0), 'certificate expired on 2030-05-17');
    assert.equal(certExpiryReason(Number.NaN, 0, 7), 'certificate has no readable expiry date');
  });
});

describe('probeHttp: certificate name and expiry', () => {
  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  const DAY = 86_400_000;
  let dir: string;
  let cert = '';
  let notAfter = 0;
  let server: ReturnType<typeof createHttpsServer> | undefined;
  let port = 0;

  before(async () => {
    if (!hasOpenssl) return;
    dir = mkdtempSync(join(tmpdir(), 'zonerw-tls-'));
    const r = spawnSync(
      'openssl',
      [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3',
        '-subj', '/CN=main.example.test',
        '-addext', 'subjectAltName=DNS:main.example.test',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    notAfter = Date.parse(new X509Certificate(cert).validTo);
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => res.end('main'));
    port = await listen(server as unknown as Server);
  });

  after(async () => {
    if (server) await close(server);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const spec = () => ({ url: `https://127.0.0.1:${port}/`, host: 'main.example.test', ca: cert, timeoutMs: 3000 });
  const date = () => new Date(notAfter).toISOString().slice(0, 10);

  test('a cert that expires in 3 days, with certMinDays 7: down, with the days and the date', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    // Pinned wall clock: 3 days and an hour before notAfter.
    const r = await probeHttp({ ...spec(), certMinDays: 7, now: () => notAfter - 3 * DAY - 3600_000 });
    assert.deepEqual([r.up, r.reason, r.status], [false, `certificate expires in 3 days (${date()})`, undefined]);
    // The real clock: a little less than 3 days left.
    const real = await probeHttp({ ...spec(), certMinDays: 7 });
    assert.equal(real.up, false);
    assert.equal(real.reason, `certificate expires in 2 days (${date()})`);
  });

  test('the same cert with certMinDays 2 is up; without certMinDays expiry is not checked', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    const r = await probeHttp({ ...spec(), certMinDays: 2, expectBody: 'main' });
    assert.deepEqual([r.up, r.reason], [true, 'HTTP 200']);
    const none = await probeHttp({ ...spec(), now: () => notAfter + DAY });
    assert.deepEqual([none.up, none.reason], [true, 'HTTP 200']);
  });

  test('an expired cert with insecure and certMinDays: down, expired on the date', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    const r = await probeHttp({ url: `https://127.0.0.1:${port}/`, insecure: true, timeoutMs: 3000, certMinDays: 1, now: () => notAfter + DAY });
    assert.deepEqual([r.up, r.reason], [false, `certificate expired on ${date()}`]);
  });

  test('a cert for another name: TLS error naming the mismatch', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    const r = await probeHttp({ ...spec(), host: 'www.example.test', certMinDays: 1 });
    assert.equal(r.up, false);
    assert.match(r.reason, /^TLS: .*www\.example\.test.*main\.example\.test/);
  });

  test('a self-signed cert without ca is a TLS error, before any expiry check', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    const r = await probeHttp({ url: `https://127.0.0.1:${port}/`, host: 'main.example.test', timeoutMs: 3000, certMinDays: 7 });
    assert.equal(r.up, false);
    assert.match(r.reason, /^TLS: self[- ]signed certificate/);
  });
});
