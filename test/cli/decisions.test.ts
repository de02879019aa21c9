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
import { zonerw, type CliResult } from '../helpers/cli.js';

let root: string;
const servers: { server: Server | TcpServer }[] = [];

/** An HTTP server on loopback whose status the test sets; 0 = closed (connection refused). */
interface Target {
  url: string;
  status: number;
  /** requests received */
  hits: number;
}

async function httpTarget(status = 200): Promise<Target> {
  const t: Target = { url: '', status, hits: 0 };
  const server = createServer((_req, res) => {
    t.hits++;
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

  test('fail_after as a time: status says the streak as time held of time needed, not runs', async () => {
    const main = await httpTarget();
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\nfail_after = "5s"\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await s.run([], '2026-11-22T10:00:00Z');
    main.status = 503;
    await s.run([], '2026-11-22T10:00:01Z');
    await s.run([], '2026-11-22T10:00:03Z');
    const text = (await s.run(['status'], '2026-11-22T10:00:04Z')).stdout;
    assert.match(text, /^ {2}main 192\.0\.2\.1: up since .* \(down for 2s of 5s needed to change, 2 runs\);/m, text);
    assert.doesNotMatch(text, /runs needed to change/, text);
    const status = JSON.parse((await s.run(['status', '--json'], '2026-11-22T10:00:04Z')).stdout);
    assert.deepEqual(status.servers[0].streak, { up: false, runs: 2, needed: 2, neededMs: 5000, heldMs: 2000 });
  });
});

describe('servers without a check in status', () => {
  test('only the last server, when it has no check, is the last resort; an earlier one is said as what it is', async () => {
    const checked = await httpTarget();
    const two = await site(`[[server]]\nname = "main"\naddress = "192.0.2.1"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await two.run();
    const text = (await two.run(['status'])).stdout;
    assert.match(text, /^ {2}main 192\.0\.2\.1: no check \(counted as up: favoured whenever no server before it is up; the servers after it only by a pin\)$/m, text);
    assert.match(text, /^ {2}backup 198\.51\.100\.7: no check \(counted as up; never favoured while a server before it has no check either, unless pinned\)$/m, text);
    assert.doesNotMatch(text, /last resort/, text);
    const usual = await site(`[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${checked.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await usual.run();
    assert.match((await usual.run(['status'])).stdout, /^ {2}backup 198\.51\.100\.7: no check \(taken as up; the last resort\)$/m);
  });
});

describe('checking the checker and the target', () => {
  test('main down and no reference host answering: nothing changes, stderr says why, exit 1', async () => {
    const main = await httpTarget();
    const ref = await httpTarget();
    const s = await site(`reference = ["${ref.url}", "tcp://127.0.0.1:1"]\n[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await s.run();
    assert.equal(ref.hits, 0, 'with every server up, the reference hosts are not asked');
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

describe('round robin, IPv6 and pins', () => {
  const three = async (extra = '') => {
    const t = [await httpTarget(), await httpTarget(), await httpTarget()];
    const config = `${extra}[check]\ntimeout = "1s"\nattempts = 1\nrecover_after = 1\n${t
      .map((x, i) => `[[server]]\nname = "s${i + 1}"\naddress = "192.0.2.${i + 1}"\naddress6 = "2001:db8::${i + 1}"\ncheck = "${x.url}"\n`)
      .join('')}`;
    return { t, config };
  };

  test('@IPS@ expands to every server that is up, in config order; never to zero records', async () => {
    const { t, config } = await three('all_down = "keep"\n');
    const s = await site(config, `${SOA}www IN A @IPS@\nwww IN AAAA @IPS6@\n`);
    await s.run();
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    assert.match(await s.zone(), /^www IN AAAA 2001:db8::1\nwww IN AAAA 2001:db8::2\nwww IN AAAA 2001:db8::3\n$/m);
    t[1]!.status = 503;
    const r = await s.run();
    assert.match(r.stdout, /^example\.com: serial 2026112201, www -> 192\.0\.2\.1 192\.0\.2\.3, www -> 2001:db8::1 2001:db8::3$/m);
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.1', '192.0.2.3']);
    t[0]!.status = 503;
    await s.run();
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.3']);
    t[2]!.status = 503;
    const none = await s.run();
    assert.equal(none.code, 0);
    assert.deepEqual(addresses(await s.zone()), ['192.0.2.3'], 'all_down = "keep": the last published pool stays');
  });

  test('@IP6@ fills AAAA with the favoured server; a server without address6 is a config error naming both', async () => {
    const { t, config } = await three();
    const s = await site(config, `${SOA}www IN AAAA @IP6@\nwww IN A @IP@\n`);
    await s.run();
    assert.match(await s.zone(), /^www IN AAAA 2001:db8::1$/m);
    t[0]!.status = 503;
    await s.run();
    assert.match(await s.zone(), /^www IN AAAA 2001:db8::2$/m);

    const main = await httpTarget();
    const lacking = await site(`[[server]]\nname = "main"\naddress = "192.0.2.1"\naddress6 = "2001:db8::1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN AAAA @IP6@\n`);
    const r = await lacking.run();
    assert.equal(r.code, 78);
    assert.equal(
      r.stderr,
      'base/example.com.base:4: uses @IP6@, but server "backup" has no address6; add address6 to every [[server]], or use IPv6 markers nowhere\nexample.com: not published; there is no zone file yet\n',
    );
  });

  test('a pin overrides a healthy main, is shown by status, and expires by itself', async () => {
    const main = await httpTarget();
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await s.run();
    const pin = await zonerw(['--config', s.conf, 'pin', 'backup', '--for', '2h', '--reason', 'disk swap on main'], { ZONERW_NOW: '2026-11-22T10:05:00Z', USER: 'alice' });
    assert.equal(pin.code, 0, pin.stderr);
    assert.equal(pin.stdout, 'pinned to backup by alice at 2026-11-22 10:05:00 UTC, until 2026-11-22 12:05:00 UTC: disk swap on main; the next run publishes it (run zonerw now to apply it at once)\n');
    const pinned = await s.run([], '2026-11-22T10:06:00Z');
    assert.equal(pinned.stdout, 'favouring backup 198.51.100.7 (pinned)\nexample.com: serial 2026112201, www -> 198.51.100.7\n');
    const status = await s.run(['status'], '2026-11-22T11:00:00Z');
    assert.match(status.stdout, /^PINNED: backup, set by alice 2026-11-22 10:05:00 UTC \(55m ago\), until 2026-11-22 12:05:00 UTC \(in 65m\): disk swap on main$/m);
    assert.match(status.stdout, /^ {2}why: pinned to backup until 2026-11-22T12:05:00\.000Z \(disk swap on main\)$/m);
    assert.match(status.stdout, /^ {2}main 192\.0\.2\.1: up since/m, 'checks still run while pinned');
    assert.equal((await s.run([], '2026-11-22T11:00:00Z')).stdout, '', 'still pinned: nothing new');
    const expired = await s.run([], '2026-11-22T12:05:00Z');
    assert.equal(expired.stdout, 'pin on backup expired; favouring the servers by their checks again\nfavouring main 192.0.2.1\nexample.com: serial 2026112202, www -> 192.0.2.1\n');
    assert.equal(JSON.parse((await s.run(['status', '--json'], '2026-11-22T12:06:00Z')).stdout).pin, null);
  });

  test('pin --clear, pin auto, and an unknown server', async () => {
    const main = await httpTarget();
    const s = await site(`[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    const unknown = await zonerw(['--config', s.conf, 'pin', 'bakup']);
    assert.deepEqual([unknown.code, unknown.stderr], [64, 'zonerw: no server named "bakup"; the servers are main, backup\n']);
    await zonerw(['--config', s.conf, 'pin', 'backup']);
    assert.match(JSON.parse((await s.run(['status', '--json'])).stdout).pin.server, /^backup$/);
    const cleared = await zonerw(['--config', s.conf, 'pin', 'auto'], { USER: 'bob' });
    assert.equal(cleared.stdout, 'pin on backup cleared by bob; the next run favours the servers by their checks\n');
    assert.equal(JSON.parse((await s.run(['status', '--json'])).stdout).pin, null);
    assert.equal((await zonerw(['--config', s.conf, 'pin', '--clear'])).stdout, 'no pin was set; the servers are favoured by their checks\n');
  });
});

describe('history', () => {
  test('history shows the events newest last, per server stats, and a timeline', async () => {
    const main = await httpTarget();
    const s = await site(`[check]\ntimeout = "1s"\nattempts = 1\nrecover_after = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`, `${SOA}www IN A @IP@\n`);
    await s.run([], '2026-11-21T00:00:00Z');
    main.status = 503;
    await s.run([], '2026-11-21T06:00:00Z');
    main.status = 200;
    await s.run([], '2026-11-21T09:00:00Z');
    await zonerw(['--config', s.conf, 'pin', 'backup', '--reason', 'test'], { ZONERW_NOW: '2026-11-21T12:00:00Z', USER: 'carol' });
    const text = await s.run(['history', '--since', '1d'], '2026-11-22T00:00:00Z');
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    assert.equal(lines[0], 'history from 2026-11-21 00:00:00 to 2026-11-22 00:00:00 UTC');
    assert.deepEqual(lines.slice(2, 11), [
      '  2026-11-21 00:00:00  main check up (HTTP 200)',
      '  2026-11-21 00:00:00  start: favouring main 192.0.2.1: main is the first server and it is up',
      '  2026-11-21 00:00:00  example.com published, serial 2026112100 (missing)',
      '  2026-11-21 06:00:00  main check down (HTTP 503)',
      '  2026-11-21 06:00:00  failover: favouring backup 198.51.100.7 instead of main: main 192.0.2.1 down (HTTP 503, 1 attempt); favouring backup 198.51.100.7',
      '  2026-11-21 06:00:00  example.com published, serial 2026112101 (values)',
      '  2026-11-21 09:00:00  main check up (HTTP 200)',
      '  2026-11-21 09:00:00  failback: favouring main 192.0.2.1 instead of backup: main 192.0.2.1 up (HTTP 200); favouring main 192.0.2.1',
      '  2026-11-21 09:00:00  example.com published, serial 2026112102 (values)',
    ]);
    assert.equal(lines[11], '  2026-11-21 12:00:00  pinned to backup by carol: test');
    const timeline = lines.find((l) => l.startsWith('  main '))!;
    assert.match(timeline, /^ {2}main {4}\|(#+)(_+)(#+)\| {2}87\.50% up, favoured 21h, 1 failover, longest outage 3h$/);
    const json = JSON.parse((await s.run(['history', '--since', '1d', '--json'], '2026-11-22T00:00:00Z')).stdout);
    assert.equal(json.servers[0].failovers, 1);
    assert.equal(json.servers[0].longestOutageMs, 3 * 3_600_000);
    assert.equal(json.events.length, 10);
    const bad = await s.run(['history', '--since', 'last week']);
    assert.deepEqual([bad.code, bad.stderr], [64, 'zonerw: --since: not a duration like 24h or 7d: "last week"\n']);
  });
});
