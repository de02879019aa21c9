import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { probe } from '../../src/adapters/probe.js';
import type { ProbeSpec as CheckSpec } from '../../src/core/probe.js';

describe('probe dispatches on kind', () => {
  let server: Server;
  let port = 0;

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') res.end('dispatched');
      else res.writeHead(404).end();
    });
    port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('http: an HTTP answer', async () => {
    const r = await probe({ kind: 'http', url: `http://127.0.0.1:${port}/ok`, timeoutMs: 2000, expectBody: 'dispatched' });
    assert.deepEqual([r.up, r.reason, r.status], [true, 'HTTP 200', 200]);
    const d = await probe({ kind: 'http', url: `http://127.0.0.1:${port}/missing`, timeoutMs: 2000 });
    assert.deepEqual([d.up, d.reason], [false, 'HTTP 404']);
  });

  test('tcp: a connection, no HTTP', async () => {
    const r = await probe({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 });
    assert.deepEqual([r.up, r.reason, r.status], [true, 'TCP connected', undefined]);
  });

  test('the clock reaches the probe', async () => {
    let t = 0;
    const r = await probe({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 }, () => (t += 3));
    assert.equal(r.latencyMs, 3);
  });

  // In a child process, so that nothing else has loaded the modules; asynchronously, so that
  // this process's server can answer it.
  test('a tcp check loads neither node:http nor node:tls; an http check loads node:http only', async () => {
    const probeJs = new URL('../../src/adapters/probe.js', import.meta.url).href;
    const run = async (spec: CheckSpec): Promise<string[]> => {
      const script = `
        const { probe } = await import(${JSON.stringify(probeJs)});
        const r = await probe(${JSON.stringify(spec)});
        const mods = process.moduleLoadList.filter((m) => /^NativeModule (http|https|tls|_http_client)$/.test(m));
        console.log(JSON.stringify({ up: r.up, mods }));`;
      const out = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
      const parsed = JSON.parse(out.stdout) as { up: boolean; mods: string[] };
      assert.equal(parsed.up, true);
      return parsed.mods.map((m) => m.replace('NativeModule ', '')).sort();
    };
    assert.deepEqual(await run({ kind: 'tcp', host: '127.0.0.1', port, timeoutMs: 2000 }), []);
    const http = await run({ kind: 'http', url: `http://127.0.0.1:${port}/ok`, timeoutMs: 2000 });
    assert.ok(http.includes('http'), http.join(' '));
    assert.ok(!http.includes('https') && !http.includes('tls'), http.join(' '));
  });

  test('an unknown kind is down, not a throw', async () => {
    const r = await probe({ kind: 'icmp', host: '127.0.0.1' } as unknown as CheckSpec);
    assert.deepEqual([r.up, r.reason], [false, 'unknown check kind: icmp']);
  });
});
