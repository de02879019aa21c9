// Issue 3's failover rules, driven through the built binary as cron runs it, against real HTTP
// and TCP servers on loopback: hysteresis across runs, reference hosts, all_down, N servers,
// round robin (@IPS@), IPv6 markers, pins. Nameserver kind "none": the zone files are the
// evidence here (test/e2e has the real NSD and BIND runs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { zonerw, type CliResult } from './helpers/cli.js';

let root: string;
const servers: { server: Server | TcpServer }[] = [];

/** An HTTP server on loopback whose status the test sets; 0 = closed (connection refused). */
interface Target {
  url: string;
  status: number;
}

async function httpTarget(status = 200): Promise<Target> {
  const t: Target = { url: '', status };
  const server = createServer((_req, res) => {
    if (t.status === 0) res.socket?.destroy();
    else res.writeHead(t.status).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({ server });
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return t;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'zonerw-decide-'));
});
after(async () => {
  for (const { server } of servers) {
    if ('closeAllConnections' in server) server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  await rm(root, { recursive: true, force: true });
});

let n = 0;
interface Site {
  conf: string;
  zone(): Promise<string>;
  run(args?: string[], now?: string): Promise<CliResult>;
}

async function site(config: string, base: string): Promise<Site> {
  const dir = join(root, `site${n++}`);
  await mkdir(join(dir, 'base'), { recursive: true });
  await mkdir(join(dir, 'zones'));
  await writeFile(join(dir, 'base', 'example.com.base'), base);
  const conf = join(dir, 'zonerw.toml');
  // the test's top-level keys first, the tables after them
  await writeFile(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n${config}\n[nameserver]\nkind = "none"\ncheckzone = "never"\n`);
  return {
    conf,
    zone: () => readFile(join(dir, 'zones', 'example.com'), 'utf8'),
    run: (args = [], now = '2026-11-22T10:00:00Z') => zonerw(['--config', conf, ...args], { ZONERW_NOW: now }),
  };
}

const SOA = '@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.example.com.\nns1 IN A 198.51.100.53\n';
const serialOf = (text: string) => Number(/\( (\d{10}) /.exec(text)![1]);
const addresses = (text: string, owner = 'www') => [...text.matchAll(new RegExp(`^${owner} IN A (\\S+)`, 'gm'))].map((m) => m[1]);

describe('hysteresis across cron runs', () => {
  test('a flapping main bumps the serial once per recover_after, not on every flap', async () => {
    const main = await httpTarget();
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\nrecover_after = 2\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    assert.equal((await s.run()).code, 0);
    const serials = new Set([serialOf(await s.zone())]);
    const mail: string[] = [];
    for (let i = 0; i < 11; i++) {
      main.status = i % 2 === 0 ? 503 : 200; // down, up, down, up ..., down
      const r = await s.run();
      assert.equal(r.code, 0, r.stderr);
      if (r.stdout) mail.push(r.stdout);
      serials.add(serialOf(await s.zone()));
    }
    assert.equal(serials.size, 2, `one failover, no flapping back: ${[...serials].join(' ')}`);
    assert.deepEqual(mail, ['main 192.0.2.1 down (HTTP 503, 1 attempt); favouring backup 198.51.100.7\nexample.com: serial 2026112201, www -> 198.51.100.7\n']);
    main.status = 200;
    assert.equal((await s.run()).stdout, '', 'up once after the flapping: 1 of 2');
    assert.match((await s.run()).stdout, /^main 192\.0\.2\.1 up \(HTTP 200\); favouring main 192\.0\.2\.1\nexample\.com: serial 2026112202, www -> 192\.0\.2\.1\n$/);
  });

  test('fail_after: a single failed run does not fail over', async () => {
    const main = await httpTarget();
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\nfail_after = 3\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await s.run();
    main.status = 503;
    assert.equal((await s.run()).stdout, '');
    const v = await s.run(['-v']);
    assert.match(v.stdout, /^check: main 192\.0\.2\.1: down this run \(HTTP 503, 1 attempt, \d+ ms\), 2 of 3 runs needed to change; counts as up/m);
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.1']);
    assert.match((await s.run()).stdout, /^main 192\.0\.2\.1 down \(HTTP 503, 1 attempt\); favouring backup/);
    const status = JSON.parse((await s.run(['status', '--json'])).stdout);
    assert.deepEqual(status.servers[0].streak, { up: false, runs: 3, needed: 2 });
    assert.equal(status.servers[0].up, false);
  });
});

describe('checking the checker and the target', () => {
  test('main down and no reference host answering: nothing changes, stderr says why, exit 1', async () => {
    const main = await httpTarget();
    const ref = await httpTarget();
    const s = await site(`reference = ["${ref.url}", "tcp://127.0.0.1:1"]\n[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await s.run();
    const before = await s.zone();
    main.status = 0;
    ref.status = 0;
    const r = await s.run();
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^main \(connection closed without an answer\) looks down, and no reference host answers either: zonerw's own network seems down, so nothing was changed\n$/);
    assert.equal(await s.zone(), before);
    ref.status = 200; // the world answers: main really is down
    const real = await s.run();
    assert.equal(real.code, 0);
    assert.deepEqual(addresses(await s.zone()), ['198.51.100.7']);
  });

  for (const [policy, expected, code] of [['keep', '192.0.2.1', 0], ['last', '198.51.100.7', 0], ['first', '192.0.2.1', 0]] as const) {
    test(`every server down with all_down = "${policy}"`, async () => {
      const main = await httpTarget();
      const backup = await httpTarget();
      const s = await site(`all_down = "${policy}"\n[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\ncheck = "${backup.url}"\n`, `${SOA}www IN A @IP@\n`);
      await s.run();
      main.status = 503;
      backup.status = 503;
      const r = await s.run();
      assert.equal(r.code, code, r.stderr);
      assert.deepEqual(addresses(await s.zone()), [expected]);
      assert.match(r.stdout, /^main 192\.0\.2\.1 down \(HTTP 503, 1 attempt\); backup 198\.51\.100\.7 down \(HTTP 503, 1 attempt\)/);
      const status = JSON.parse((await s.run(['status', '--json'])).stdout);
      assert.match(status.rule, new RegExp(`no server is up.*all_down = "${policy}"`));
    });
  }

  test('a backup with a check that is down is not switched to', async () => {
    const main = await httpTarget();
    const backup = await httpTarget(503);
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\ncheck = "${backup.url}"\n`, `${SOA}www IN A @IP@\n`);
    await s.run();
    main.status = 503;
    await s.run();
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.1'], 'all_down = keep by default');
  });

  test('three servers, the first two down: the third is favoured', async () => {
    const a = await httpTarget(503);
    const b = await httpTarget(0);
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "a"\naddress = "192.0.2.1"\ncheck = "${a.url}"\n[[server]]\nname = "b"\naddress = "192.0.2.2"\ncheck = "${b.url}"\n[[server]]\nname = "c"\naddress = "192.0.2.3"\n`, `${SOA}www IN A @IP@\n`);
    const r = await s.run(['-v']);
    assert.match(r.stdout, /^decision: a, b down: c is the first server that is up$/m);
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.3']);
  });

  test('a TCP check with a banner', async () => {
    let banner = '220 mail.example.com ESMTP\r\n';
    const tcp = createTcpServer((sock) => sock.end(banner));
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    servers.push({ server: tcp });
    const port = (tcp.address() as AddressInfo).port;
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = { tcp = "127.0.0.1:${port}", expect_banner = "220 " }\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}mail IN A @IP@\n`);
    await s.run();
    assert.deepEqual(addresses(await s.zone(), 'mail'), ['192.0.2.1']);
    banner = 'SSH-2.0-OpenSSH\r\n';
    const r = await s.run();
    assert.match(r.stdout, /^main 192\.0\.2\.1 down \(banner "SSH-2\.0-OpenSSH" does not start with "220 ", 1 attempt\); favouring backup/);
  });
});
