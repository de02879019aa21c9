// Service groups end to end: the built binary, a real NSD primary and secondary on 127.0.0.1, a
// loopback HTTP "main" web server and a loopback TCP "mx1" mail host with an SMTP banner. One
// zone has www in the default group (main, backup) and mail in the group mail (mx1, mx2): each
// group fails over on its own, each change raises the serial once, a pin moves only its group,
// and status, history, metrics and hooks name the group. Bad inputs exit 65 and 78 naming groups.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, needBinary, queryA, querySoaSerial, startHttp, startNsd, startTcp, stopAll, waitFor, type HttpTarget, type NsInstance, type TcpTarget } from '../lab/lab.js';
import { fixturesDir } from '../helpers/paths.js';
import { skipOrFail } from '../helpers/need.js';
import { lines, runZonerw, show, type Run } from './scenario.js';

const ZONE = 'groups.test';
const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const MX1 = '192.0.2.25';
const MX2 = '198.51.100.25';

const BASE = `$TTL 300
@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.${ZONE}.
ns1  IN A   127.0.0.1
www  IN A   @IP@
mail IN A   @IP:mail@
`;

const have = ['nsd', 'nsd-control', 'nsd-checkzone'].every((b) => needBinary(b));

function configToml(o: { primary: number; secondary: number; control: string[]; http: string; tcp: string; hookLog: string }): string {
  return `base_dir  = "base"
zone_dir  = "zones"
state_dir = "state"
timezone  = "UTC"
secondaries    = ["127.0.0.1:${o.secondary}"]
secondary_wait = "2s"
metrics_file   = "metrics/zonerw.prom"

[nameserver]
kind       = "nsd"
control    = ${JSON.stringify(o.control)}
address    = "127.0.0.1:${o.primary}"
serve_wait = "2s"
checkzone  = "always"

[check]
timeout  = "2s"
attempts = 1

[[server]]
name    = "main"
address = "${MAIN}"
check   = { url = "${o.http}", host = "www.${ZONE}" }

[[server]]
name    = "backup"
address = "${BACKUP}"

[[group]]
name  = "mail"
check = { recover_after = 1 }

[[group.server]]
name    = "mx1"
address = "${MX1}"
check   = { tcp = "${o.tcp}", expect_banner = "220 " }

[[group.server]]
name    = "mx2"
address = "${MX2}"

[[hook]]
on  = ["failover", "failback"]
run = ["sh", "-c", "echo \\"$ZONERW_EVENT $ZONERW_GROUP $ZONERW_FROM -> $ZONERW_TO\\" >> ${o.hookLog}"]
`;
}

describe('service groups with an NSD primary and secondary', { skip: !have && 'nsd is not installed (apt-get install nsd)', timeout: 180_000 }, () => {
  let root = '';
  let site = '';
  let conf = '';
  let hookLog = '';
  let http: HttpTarget;
  let mx1: TcpTarget;
  let primary: NsInstance;
  let secondary: NsInstance;
  const serials: number[] = [];

  const serialOf = (r: Run) => {
    const m = new RegExp(`^${ZONE.replace('.', '\\.')}: serial (\\d{10})\\b`, 'm').exec(r.stdout);
    assert.ok(m, `no "${ZONE}: serial" line\n${show(r)}`);
    return Number(m[1]);
  };
  /** the secondary serves `serial`, with www and mail as given */
  const secondaryServes = async (serial: number, www: string, mail: string) => {
    await waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === serial ? true : undefined), { timeoutMs: 10_000, what: `the secondary at serial ${serial}` });
    assert.deepEqual([await queryA(secondary.port, `www.${ZONE}`), await queryA(secondary.port, `mail.${ZONE}`)], [[www], [mail]]);
  };
  /** a run that publishes: exit 0, nothing on stderr, one new serial, one above the last */
  const publishes = async (args: string[] = []): Promise<Run> => {
    const r = await runZonerw(conf, args, root);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    const serial = serialOf(r);
    assert.equal(serial, serials.at(-1)! + 1, `each change raises the serial once\n${show(r)}`);
    serials.push(serial);
    return r;
  };
  const statusJson = async () => {
    const r = await runZonerw(conf, ['status', '--json'], root);
    assert.equal(r.code, 0, show(r));
    return JSON.parse(r.stdout) as { favoured: { server: string }; groups: { name: string; favoured: { server: string }; pin: { server: string } | null; servers: { name: string; check: string | null; up: boolean; lastCheck: { reason: string } | null }[] }[] };
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-groups-'));
    site = join(root, 'site');
    for (const d of ['base', 'zones', 'state', 'metrics']) mkdirSync(join(site, d), { recursive: true });
    writeFileSync(join(site, 'base', `${ZONE}.base`), BASE);
    http = await startHttp(200);
    mx1 = await startTcp('220 mx1.groups.test ESMTP\r\n');
    const primaryPort = await freePort();
    const secondaryPort = await freePort();
    primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: secondaryPort });
    secondary = await startNsd({ dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
    conf = join(site, 'zonerw.toml');
    hookLog = join(root, 'hooks.log');
    writeFileSync(conf, configToml({ primary: primaryPort, secondary: secondaryPort, control: primary.control, http: http.url, tcp: mx1.address, hookLog }));
  });

  after(async () => {
    try {
      await stopAll();
    } finally {
      if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
    }
  });

  it('1. first run: www on main, mail on mx1, at the secondary', async () => {
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    assert.deepEqual(lines(r.stdout), [`${ZONE}: serial ${serialOf(r)}, www -> ${MAIN}, mail -> ${MX1}, zone file was missing`]);
    serials.push(serialOf(r));
    assert.ok(mx1.connections() > 0, 'mx1 was checked over TCP');
    await secondaryServes(serials[0]!, MAIN, MX1);
  });

  it('2. main stops: one run later the secondary serves backup for www and still mx1 for mail', async () => {
    await http.stop();
    const r = await publishes();
    assert.deepEqual(lines(r.stdout), [
      `group default: main ${MAIN} down (connection refused, 1 attempt); favouring backup ${BACKUP}`,
      `${ZONE}: serial ${serials.at(-1)}, www -> ${BACKUP}`,
    ]);
    await secondaryServes(serials.at(-1)!, BACKUP, MX1);
  });

  it('3. the mx1 listener stops: the next run moves mail to mx2 and leaves www alone; the hook sees ZONERW_GROUP=mail', async () => {
    await mx1.stop();
    const r = await publishes();
    assert.deepEqual(lines(r.stdout), [
      `group mail: mx1 ${MX1} down (connection refused, 1 attempt); favouring mx2 ${MX2}`,
      `${ZONE}: serial ${serials.at(-1)}, mail -> ${MX2}`,
    ]);
    await secondaryServes(serials.at(-1)!, BACKUP, MX2);
    assert.deepEqual(readFileSync(hookLog, 'utf8').trim().split('\n'), [`failover default main ${MAIN} -> backup ${BACKUP}`, `failover mail mx1 ${MX1} -> mx2 ${MX2}`]);
    const quiet = await runZonerw(conf, [], root);
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', ''], `steady: silent\n${show(quiet)}`);
  });

  it('4. mx1 back (recover_after = 1 in the group): mail fails back; www stays on backup', async () => {
    await mx1.start();
    const r = await publishes();
    assert.deepEqual(lines(r.stdout), [`group mail: mx1 ${MX1} up (banner "220 mx1.groups.test ESMTP"); favouring mx1 ${MX1}`, `${ZONE}: serial ${serials.at(-1)}, mail -> ${MX1}`]);
    await secondaryServes(serials.at(-1)!, BACKUP, MX1);
  });

  it('5. zonerw pin mx2 --for 1h moves only mail; status --json shows both groups with favoured, pin and checks', async () => {
    const p = await runZonerw(conf, ['pin', 'mx2', '--for', '1h', '--reason', 'mx1 maintenance'], root);
    assert.equal(p.code, 0, show(p));
    assert.match(p.stdout, /^group mail: pinned to mx2 by \S+ at .*: mx1 maintenance; the next run publishes it/);
    const r = await publishes();
    assert.deepEqual(lines(r.stdout), [`group mail: favouring mx2 ${MX2} (pinned)`, `${ZONE}: serial ${serials.at(-1)}, mail -> ${MX2}`]);
    await secondaryServes(serials.at(-1)!, BACKUP, MX2);
    const s = await statusJson();
    assert.equal(s.favoured.server, 'backup', 'the top level is the default group');
    assert.deepEqual(s.groups.map((g) => [g.name, g.favoured.server, g.pin?.server ?? null]), [['default', 'backup', null], ['mail', 'mx2', 'mx2']]);
    const mail = s.groups[1]!.servers;
    assert.deepEqual(mail.map((x) => [x.name, x.check, x.up, x.lastCheck?.reason ?? null]), [['mx1', `tcp://${mx1.address}`, true, 'banner "220 mx1.groups.test ESMTP"'], ['mx2', null, true, null]]);
    assert.deepEqual(s.groups[0]!.servers.map((x) => [x.name, x.up, x.lastCheck?.reason ?? null]), [['main', false, 'connection refused'], ['backup', true, null]]);
  });

  it('6. history --json: the events carry their group; the metrics file has one favoured series per group (promtool)', async (t) => {
    const h = await runZonerw(conf, ['history', '--json'], root);
    assert.equal(h.code, 0, show(h));
    const json = JSON.parse(h.stdout) as { events: { type: string; group?: string; server?: string; to?: string }[]; groups: { name: string; servers: { server: string; failovers: number; failbacks: number }[] }[] };
    const moves = json.events.filter((e) => ['failover', 'failback', 'change'].includes(e.type)).map((e) => [e.type, e.group ?? 'default', e.to]);
    assert.deepEqual(moves, [['change', 'default', 'main'], ['change', 'mail', 'mx1'], ['failover', 'default', 'backup'], ['failover', 'mail', 'mx2'], ['failback', 'mail', 'mx1'], ['failover', 'mail', 'mx2']]);
    assert.deepEqual(json.events.filter((e) => e.type === 'pin').map((e) => [e.group, e.server]), [['mail', 'mx2']]);
    assert.ok(json.events.filter((e) => e.type === 'check' && e.server?.startsWith('mx')).every((e) => e.group === 'mail'), h.stdout);
    assert.deepEqual(json.groups.map((g) => [g.name, g.servers.map((x) => [x.server, x.failovers, x.failbacks])]), [['default', [['main', 1, 0], ['backup', 0, 0]]], ['mail', [['mx1', 2, 0], ['mx2', 0, 1]]]]);

    const text = readFileSync(join(site, 'metrics', 'zonerw.prom'), 'utf8');
    const favoured = text.split('\n').filter((l) => /^zonerw_server_favoured\{/.test(l));
    assert.deepEqual(favoured, [
      'zonerw_server_favoured{group="default",server="main"} 0',
      'zonerw_server_favoured{group="default",server="backup"} 1',
      'zonerw_server_favoured{group="mail",server="mx1"} 0',
      'zonerw_server_favoured{group="mail",server="mx2"} 1',
    ]);
    assert.match(text, /^zonerw_pin_active\{group="mail"\} 1$/m);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error) return skipOrFail(t, 'promtool is not installed (the prometheus package)');
    assert.equal(promtool.status, 0, `promtool check metrics: ${promtool.stdout}${promtool.stderr}`);
    assert.equal(promtool.stdout + promtool.stderr, '', 'no lint warnings either');
  });

  it('7. bad inputs: @IP:nosuch@ exits 65 naming the groups (the zone served stays); a server name in two groups and an empty group exit 78', async () => {
    const baseFile = join(site, 'base', `${ZONE}.base`);
    const zoneFile = join(site, 'zones', ZONE);
    const before = statSync(zoneFile).mtimeMs;
    writeFileSync(baseFile, BASE.replace('@IP:mail@', '@IP:nosuch@'));
    try {
      const r = await runZonerw(conf, ['--force'], root);
      assert.equal(r.code, 65, show(r));
      assert.deepEqual(lines(r.stderr), [`base/${ZONE}.base:6: unknown group "nosuch" in @IP:nosuch@; the groups are default, mail`, `${ZONE}: not published; the installed zone file is unchanged`]);
      assert.equal(statSync(zoneFile).mtimeMs, before);
      assert.equal(await querySoaSerial(secondary.port, ZONE), serials.at(-1));
      const check = await runZonerw(conf, ['check'], root);
      assert.equal(check.code, 65, show(check));
    } finally {
      writeFileSync(baseFile, BASE);
    }
    const real = readFileSync(conf, 'utf8');
    const twice = join(site, 'twice.toml');
    writeFileSync(twice, real.replace('name    = "mx2"', 'name    = "backup"'));
    const dup = await runZonerw(twice, [], root);
    assert.equal(dup.code, 78, show(dup));
    assert.equal(dup.stderr, `zonerw: ${twice}: group[0].server[1].name: "backup" is already the name of server[1]\n`);
    const empty = join(site, 'empty.toml');
    writeFileSync(empty, `${real.slice(0, real.indexOf('[[group.server]]'))}\n[[group]]\nname = "web"\n`.replace(/\[\[group\]\]\nname {2}= "mail"\ncheck = \{ recover_after = 1 \}\n/, ''));
    const e = await runZonerw(empty, [], root);
    assert.equal(e.code, 78, show(e));
    assert.equal(e.stderr, `zonerw: ${empty}: group[0].server: group "web" has no servers: add at least one [[group.server]] with name and address, or remove the group\n`);
    const quiet = await runZonerw(conf, [], root);
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', ''], `the real config, nothing changed: silent\n${show(quiet)}`);
  });
});

describe('a state.json written by the release before groups', () => {
  it('upgrades without a publish: the built binary says nothing, changes no zone, and writes state version 2', async () => {
    const fixture = join(fixturesDir, 'state', 'v1');
    const root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-upgrade-'));
    const http = await startHttp(200);
    try {
      for (const d of ['base', 'zones', 'state']) mkdirSync(join(root, d));
      writeFileSync(join(root, 'zonerw.toml'), readFileSync(join(fixture, 'zonerw.toml'), 'utf8').replace('http://127.0.0.1:9/', http.url));
      copyFileSync(join(fixture, 'example.com.base'), join(root, 'base', 'example.com.base'));
      copyFileSync(join(fixture, 'example.com'), join(root, 'zones', 'example.com'));
      for (const f of ['state.json', 'history.jsonl']) copyFileSync(join(fixture, f), join(root, 'state', f));
      const zone = readFileSync(join(root, 'zones', 'example.com'));
      const r = await runZonerw(join(root, 'zonerw.toml'), [], root, 30_000, { ZONERW_NOW: '2026-11-22T10:06:00Z' });
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], show(r));
      assert.deepEqual(readFileSync(join(root, 'zones', 'example.com')), zone, 'no publish');
      const state = JSON.parse(readFileSync(join(root, 'state', 'state.json'), 'utf8')) as { version: number; groups: Record<string, { favoured: { server: string }; pin: { server: string } }> };
      assert.equal(state.version, 2);
      assert.deepEqual([state.groups.default!.favoured.server, state.groups.default!.pin.server], ['backup', 'backup']);
      const status = await runZonerw(join(root, 'zonerw.toml'), ['status'], root, 30_000, { ZONERW_NOW: '2026-11-22T10:06:00Z' });
      assert.match(status.stdout, /^favoured: backup 198\.51\.100\.7 since 2026-11-22 10:04:00 UTC \(2m ago\)$/m);
    } finally {
      await http.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
