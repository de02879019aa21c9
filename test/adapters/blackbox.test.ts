// The blackbox_exporter client: a real exporter on loopback for votes, an unknown module and a
// module whose proxy is dead; node:http stand-ins for what an exporter never does (hang, answer
// without probe_success), and to see the request zonerw sends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { askBlackbox, readAnswer } from '../../src/adapters/blackbox.js';
import { blackboxMissing, freePort, startBlackbox, type Blackbox } from '../helpers/blackbox.js';
import { skipUnlessCI } from '../helpers/need.js';

const servers: Server[] = [];
async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}
after(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

test('readAnswer: probe_success is the vote; anything else is no vote, with why', () => {
  assert.deepEqual(readAnswer(200, 'probe_http_status_code 404\nprobe_success 0\n', 'm'), { up: false, reason: 'HTTP 404' });
  assert.deepEqual(readAnswer(200, '# HELP probe_success x\nprobe_success 1\n', 'm'), { up: true, reason: 'probe succeeded' });
  assert.deepEqual(readAnswer(200, 'probe_success 0\n', 'm'), { up: false, reason: 'probe failed' });
  assert.deepEqual(readAnswer(400, 'Unknown module "nope"\n', 'nope'), { error: 'unknown module "nope"' });
  assert.deepEqual(readAnswer(503, 'busy\n', 'm'), { error: 'HTTP 503: busy' });
  assert.deepEqual(readAnswer(200, '<html>hello</html>', 'm'), { error: 'no probe_success in the answer' });
});

test('the request: /probe with target and module, and the scrape timeout header', async () => {
  let seen: { url?: string; headers?: IncomingHttpHeaders } = {};
  const url = await serve((req, res) => {
    seen = { url: req.url!, headers: req.headers };
    res.end('probe_success 1\n');
  });
  assert.deepEqual(await askBlackbox(`${url}/prefix/`, 'http://192.0.2.1:8080/a?b=c', 'http_vhost', 2500), { up: true, reason: 'probe succeeded' });
  assert.equal(seen.url, '/prefix/probe?target=http%3A%2F%2F192.0.2.1%3A8080%2Fa%3Fb%3Dc&module=http_vhost');
  assert.equal(seen.headers!['x-prometheus-scrape-timeout-seconds'], '2.500');
});

test('no vote: refused, timed out, no probe_success', async () => {
  const port = await freePort();
  assert.deepEqual(await askBlackbox(`http://127.0.0.1:${port}`, '127.0.0.1:25', 'tcp_connect', 1000), { error: 'connection refused' });
  const hangs = await serve(() => {});
  assert.deepEqual(await askBlackbox(hangs, '127.0.0.1:25', 'tcp_connect', 300), { error: 'timed out after 300ms' });
  const other = await serve((_req, res) => res.end('hello'));
  assert.deepEqual(await askBlackbox(other, '127.0.0.1:25', 'tcp_connect', 1000), { error: 'no probe_success in the answer' });
});

describe('a real blackbox_exporter', { skip: skipUnlessCI(blackboxMissing()) }, () => {
  let dir: string;
  let box: Blackbox;
  let target: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zonerw-blackbox-'));
    target = await serve((req, res) => res.writeHead(req.headers.host === 'www.example.test' ? 200 : 404).end('x'));
    const deadProxy = await freePort();
    box = await startBlackbox(dir, 'bb', `modules:
  http_2xx:
    prober: http
  http_vhost:
    prober: http
    http:
      headers:
        Host: www.example.test
  via_dead_proxy:
    prober: http
    http:
      proxy_url: http://127.0.0.1:${deadProxy}
  tcp_connect:
    prober: tcp
`);
  });
  after(async () => {
    await box?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('votes up and down, by module', async () => {
    assert.deepEqual(await askBlackbox(box.url, `${target}/`, 'http_vhost', 2000), { up: true, reason: 'HTTP 200' });
    assert.deepEqual(await askBlackbox(box.url, `${target}/`, 'http_2xx', 2000), { up: false, reason: 'HTTP 404' });
    assert.deepEqual(await askBlackbox(box.url, target.replace('http://', ''), 'tcp_connect', 2000), { up: true, reason: 'probe succeeded' });
  });

  test('a vantage that cannot reach the target (through a dead proxy) votes down', async () => {
    assert.deepEqual(await askBlackbox(box.url, `${target}/`, 'via_dead_proxy', 2000), { up: false, reason: 'probe failed' });
  });

  test('an unknown module is no vote', async () => {
    assert.deepEqual(await askBlackbox(box.url, `${target}/`, 'nope', 2000), { error: 'unknown module "nope"' });
  });
});
