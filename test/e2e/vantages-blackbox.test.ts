// Issue 19 end to end: two real blackbox_exporters on loopback vote with zonerw on the main
// server, through the built binary as cron runs it. Main's HTTP server answers 200 only to the
// Host main.example.test (what the vantages' module sends) and 404 to zonerw's own request,
// which sends none: zonerw alone would fail over; the quorum keeps main. Nameserver kind "none":
// the zone file, the output, status, history and the metrics are the evidence.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { blackboxMissing, startBlackbox, type Blackbox } from '../helpers/blackbox.js';
import { skipUnlessCI } from '../helpers/need.js';

const VHOST = 'main.example.test';
const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const BASE = '$TTL 300\n@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.example.com.\nns1 IN A 198.51.100.53\nwww IN A @IP@\n';
const MODULES = `modules:
  http_vhost:
    prober: http
    http:
      headers:
        Host: ${VHOST}
      valid_status_codes: [200]
  http_2xx:
    prober: http
`;

/** Main: 200 for its own Host, 404 for any other; `hang` accepts and never answers; stopped: refused. */
class Main {
  hang = false;
  port = 0;
  private server: Server | undefined;
  private sockets = new Set<Socket>();

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (this.hang) return; // the request is left hanging: the socket is closed by stop()
      res.writeHead(req.headers.host === VHOST ? 200 : 404, { connection: 'close' }).end('main\n');
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(this.port, '127.0.0.1', r));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise((r) => s.close(r));
  }
}

const missing = blackboxMissing();

describe('votes from blackbox_exporter vantages', { skip: skipUnlessCI(missing) }, () => {
  let root: string;
  let conf: string;
  const main = new Main();
  let fra: Blackbox;
  let ams: Blackbox;
  let minute = 0;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-vantages-'));
    for (const d of ['base', 'zones', 'bb']) mkdirSync(join(root, d));
    writeFileSync(join(root, 'base', 'example.com.base'), BASE);
    await main.start();
    fra = await startBlackbox(join(root, 'bb'), 'fra', MODULES);
    ams = await startBlackbox(join(root, 'bb'), 'ams', MODULES);
    conf = join(root, 'zonerw.toml');
    writeFileSync(conf, `base_dir = "base"
zone_dir = "zones"
state_dir = "state"
metrics_file = "zonerw.prom"
[nameserver]
kind = "none"
checkzone = "never"
[check]
timeout = "2s"
attempts = 1
fail_after = 1
recover_after = 1
[[vantage]]
name = "fra"
blackbox = "${fra.url}"
[[vantage]]
name = "ams"
blackbox = "${ams.url}"
[[server]]
name = "main"
address = "${MAIN}"
check = { url = "http://127.0.0.1:${main.port}/", module = "http_vhost" }
[[server]]
name = "backup"
address = "${BACKUP}"
`);
  });

  after(async () => {
    // every process is stopped by its pid, whatever the tests did
    await Promise.allSettled([fra?.stop(), ams?.stop(), main.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  /** One cron run, a minute after the last (a clock that moves, for hysteresis). */
  const run = (args: string[] = []): Promise<CliResult> => {
    minute++;
    const now = new Date(Date.UTC(2026, 10, 22, 10, minute)).toISOString();
    return zonerw(['--config', conf, ...args], { ZONERW_NOW: now }, { timeoutMs: 60_000 });
  };
  const published = () => /^www IN A (\S+)$/m.exec(readFileSync(join(root, 'zones', 'example.com'), 'utf8'))?.[1];
  const show = (r: CliResult) => `exit ${r.code}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`;

  it('zonerw sees 404 but both vantages see main up: three runs, no failover, status shows the three votes', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await run(['-v']);
      assert.equal(r.code, 0, show(r));
      assert.equal(published(), MAIN, show(r));
      assert.doesNotMatch(r.stdout, /favouring backup/, show(r));
      assert.match(r.stdout, /main 192\.0\.2\.1: up this run \(up by 2 of 3 votes \(quorum 2\): zonerw down \(HTTP 404\), fra up \(HTTP 200\), ams up \(HTTP 200\)/, show(r));
    }
    const text = await run(['status']);
    assert.match(text.stdout, /^ {4}votes: zonerw down \(HTTP 404\), fra up \(HTTP 200\), ams up \(HTTP 200\)$/m, show(text));
    const json = await run(['status', '--json']);
    const main = (JSON.parse(json.stdout) as { servers: { name: string; up: boolean; votes?: { votes: unknown[] } }[] }).servers.find((s) => s.name === 'main')!;
    assert.equal(main.up, true);
    assert.deepEqual(main.votes!.votes, [
      { vantage: 'zonerw', up: false, reason: 'HTTP 404' },
      { vantage: 'fra', up: true, reason: 'HTTP 200' },
      { vantage: 'ams', up: true, reason: 'HTTP 200' },
    ]);
  });

  it('zonerw check asks every vantage: all answer; a module they lack is named', async () => {
    const ok = await run(['check']);
    assert.doesNotMatch(ok.stderr, /vantage/, show(ok));
    // a key only zonerw's own probe checks: refused with the default module, warned about with one named
    const body = join(root, 'body.toml');
    writeFileSync(body, readFileSync(conf, 'utf8').replace('module = "http_vhost" }', 'module = "http_vhost", expect_body = "healthy" }'));
    const warned = await zonerw(['--config', body, 'check'], {}, { timeoutMs: 60_000 });
    assert.equal(warned.code, 0, show(warned));
    assert.match(warned.stderr, /^warning: server main: check\.expect_body is checked by zonerw's own probe only; the vantages judge by the blackbox module "http_vhost", which must check the same/m, show(warned));
    writeFileSync(body, readFileSync(conf, 'utf8').replace(', module = "http_vhost" }', ', expect_body = "healthy" }'));
    const refused = await zonerw(['--config', body, 'check'], {}, { timeoutMs: 60_000 });
    assert.equal(refused.code, 78, show(refused));
    assert.match(refused.stderr, /server\[0\]\.check\.expect_body: only zonerw's own probe checks it: the \[\[vantage\]\] tables judge server main by the blackbox module "http_2xx"/, show(refused));
    const lacking = join(root, 'lacking.toml');
    writeFileSync(lacking, readFileSync(conf, 'utf8').replace('module = "http_vhost"', 'module = "http_nope"'));
    const r = await zonerw(['--config', lacking, 'check'], {}, { timeoutMs: 60_000 });
    assert.equal(r.code, 78, show(r));
    for (const name of ['fra', 'ams']) {
      assert.match(r.stderr, new RegExp(`vantage ${name} \\(http://127\\.0\\.0\\.1:\\d+\\): has no module "http_nope" \\(for server main\\)`), show(r));
    }
  });

  it('the metrics carry the votes with vantage labels, and each vantage reachable', () => {
    const prom = readFileSync(join(root, 'zonerw.prom'), 'utf8');
    for (const line of [
      'zonerw_server_vote_up{server="main",vantage="zonerw"} 0',
      'zonerw_server_vote_up{server="main",vantage="fra"} 1',
      'zonerw_server_vote_up{server="main",vantage="ams"} 1',
      'zonerw_vantage_reachable{vantage="fra"} 1',
      'zonerw_vantage_reachable{vantage="ams"} 1',
    ]) assert.ok(prom.split('\n').includes(line), `${line} not in\n${prom}`);
  });

  it('main hangs: every vote says down, and it fails over; history --json records the votes', async () => {
    main.hang = true;
    const r = await run();
    assert.equal(r.code, 0, show(r));
    assert.equal(published(), BACKUP, show(r));
    assert.match(r.stdout, /main 192\.0\.2\.1 down \(down by 3 of 3 votes \(quorum 2\): zonerw down \(timed out after 2s\), fra down/, show(r));
    const h = await run(['history', '--json']);
    assert.equal(h.code, 0, show(h));
    const events = (JSON.parse(h.stdout) as { events: { type: string; votes?: Record<string, { vantage: string; up: boolean | null }[]> }[] }).events;
    const failover = events.find((e) => e.type === 'failover');
    assert.ok(failover, h.stdout);
    assert.deepEqual(failover.votes!.main!.map((v) => [v.vantage, v.up]), [['zonerw', false], ['fra', false], ['ams', false]]);
    main.hang = false;
    await main.stop();
    await main.start(); // the hanging requests are gone
    const back = await run();
    assert.equal(published(), MAIN, `fails back once the vantages see main again\n${show(back)}`);
  });

  it('one vantage stopped: it is named; zonerw down and the other vantage up changes nothing', async () => {
    await ams.stop();
    const r = await run(['-v']);
    assert.equal(r.code, 0, show(r));
    // no verdict is no check result: the trace keeps the last verdict and says so
    assert.match(r.stdout, /main 192\.0\.2\.1: no verdict this run \(no verdict: 1 up, 1 down, 1 silent, quorum 2: .*\); kept: counts as up since /, show(r));
    assert.doesNotMatch(r.stdout, /main 192\.0\.2\.1: (up|down) this run/, show(r));
    assert.match(r.stderr, /^vantage ams \(http:\/\/127\.0\.0\.1:\d+\) did not answer: connection refused; it has no vote this run$/m, show(r));
    assert.match(r.stdout, /^main: no verdict: 1 up, 1 down, 1 silent, quorum 2: this run changes nothing for it$/m, show(r));
    assert.equal(published(), MAIN, show(r));
    const prom = readFileSync(join(root, 'zonerw.prom'), 'utf8');
    assert.ok(prom.includes('zonerw_vantage_reachable{vantage="ams"} 0'), prom);
    // and the metrics claim no check result this run did not produce
    assert.ok(prom.includes('zonerw_server_check_undecided{server="main"} 1'), prom);
    assert.doesNotMatch(prom, /^zonerw_server_check_up\{server="main"\}/m);
    assert.doesNotMatch(prom, /^zonerw_server_consecutive_failed_runs\{server="main"\}/m);
    assert.ok(prom.includes('zonerw_server_up{server="main"} 1'), prom);
  });

  it('zonerw check names the vantage that does not answer', async () => {
    const r = await run(['check']);
    assert.notEqual(r.code, 0, show(r));
    assert.match(r.stderr, /vantage ams \(http:\/\/127\.0\.0\.1:\d+\): does not answer \(connection refused\)/, show(r));
    assert.doesNotMatch(r.stderr, /vantage fra/, show(r));
  });

  it('main really dead (zonerw and the remaining vantage down): it fails over', async () => {
    await main.stop();
    const r = await run();
    assert.equal(r.code, 0, show(r));
    assert.equal(published(), BACKUP, show(r));
    assert.match(r.stdout, /main 192\.0\.2\.1 down \(down by 2 of 2 votes \(quorum 2\): zonerw down \(connection refused\), fra down/, show(r));
  });
});
