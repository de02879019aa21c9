// Issue 17: what counts is what the world resolves. Against a real NSD primary and a real BIND
// secondary (which, unlike NSD, waits for its SOA refresh when it missed a NOTIFY): a reload that
// loads nothing, a failover refused by the checker, a secondary left behind and a secondary ahead
// of the primary, each seen through stdout, `status` (text and JSON), `check`, the metrics, the
// hooks and the history. Every server is stopped by pid (lab.stopAll).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, needBinary, queryA, querySoaSerial, startBind, startHttp, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance, type NsOptions } from '../lab/lab.js';
import { BACKUP, BASE, configToml, lines, MAIN, publishedSerial, runZonerw, show, statusJson, ZONE } from './scenario.js';

const BINS = ['nsd', 'nsd-control', 'nsd-checkzone', 'named', 'rndc', 'rndc-confgen'];
const missing = BINS.filter((b) => !needBinary(b));
const skip = missing.length > 0 ? `${missing.join(', ')} not installed` : false;
// an hour's refresh, as real zones have: a secondary that missed a NOTIFY would wait that long
const BASE_HOUR = BASE.replace('@serial number@ 300 60', '@serial number@ 3600 3600');

interface Site {
  root: string;
  conf: string;
  baseFile: string;
  zoneFile: string;
  stateDir: string;
  metrics: string;
  hookLog: string;
  /** the publish hook's log: `publish served=...` */
  publishLog: string;
  http: HttpTarget;
  primary: NsInstance;
  primaryOptions: NsOptions;
  secondary: NsInstance;
  secondaryOptions: NsOptions;
  control: (argv: string[]) => void;
}

/** An NSD primary, a BIND secondary, a main server over HTTP, and a config with metrics, a hook and recover_after = 1. */
async function site(name: string, before?: (s: { zoneDir: string }) => void): Promise<Site> {
  const root = mkdtempSync(join(tmpdir(), `zonerw-e2e-served-${name}-`));
  const dir = join(root, 'site');
  for (const d of ['base', 'zones', 'state']) mkdirSync(join(dir, d), { recursive: true });
  const baseFile = join(dir, 'base', `${ZONE}.base`);
  writeFileSync(baseFile, BASE_HOUR);
  before?.({ zoneDir: join(dir, 'zones') });
  const http = await startHttp(200);
  const [pp, sp] = [await freePort(), await freePort()];
  const primaryOptions: NsOptions = { dir: join(root, 'primary'), role: 'primary', port: pp, zones: [ZONE], zoneDir: join(dir, 'zones'), peerPort: sp };
  const primary = await startNsd(primaryOptions);
  const secondaryOptions: NsOptions = { dir: join(root, 'secondary'), role: 'secondary', port: sp, zones: [ZONE], peerPort: pp };
  const secondary = await startBind(secondaryOptions);
  const conf = join(dir, 'zonerw.toml');
  const metrics = join(dir, 'state', 'zonerw.prom');
  const hookLog = join(root, 'hooks.log');
  const top = `secondaries = ["127.0.0.1:${sp}"]\nsecondary_wait = "3s"\nmetrics_file = "state/zonerw.prom"`;
  const publishLog = join(root, 'publish.log');
  const hook = `\n[[hook]]\non  = ["failover", "failback"]\nrun = ["/bin/sh", "-c", "echo \\"$ZONERW_EVENT $ZONERW_TO served=$ZONERW_SERVED\\" >> ${hookLog}"]\n` +
    `\n[[hook]]\non  = ["publish"]\nrun = ["/bin/sh", "-c", "echo \\"$ZONERW_EVENT served=$ZONERW_SERVED\\" >> ${publishLog}"]\n`;
  const control = (argv: string[]) =>
    writeFileSync(conf, configToml({ kind: 'nsd', control: argv, checkUrl: http.url, address: `127.0.0.1:${pp}`, top }).replace('attempts = 1', 'attempts = 1\nrecover_after = 1') + hook);
  control(primary.control);
  return { root, conf, baseFile, zoneFile: join(dir, 'zones', ZONE), stateDir: join(dir, 'state'), metrics, hookLog, publishLog, http, primary, primaryOptions, secondary, secondaryOptions, control };
}

const metric = (s: Site, name: string) => readFileSync(s.metrics, 'utf8').split('\n').find((l) => l.startsWith(name))?.split(' ').at(-1);
const publishes = (s: Site) => (existsSync(s.publishLog) ? lines(readFileSync(s.publishLog, 'utf8')) : []);
const history = (s: Site) => readFileSync(join(s.stateDir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('served: every output says what DNS serves (NSD primary, BIND secondary)', { skip, timeout: 180_000 }, () => {
  let s: Site;
  before(async () => {
    s = await site('story');
  });
  after(async () => {
    await stopAll();
    if (s && !process.env.ZONERW_E2E_KEEP) rmSync(s.root, { recursive: true, force: true });
  });

  it('1. main up: published, served, the secondary follows', async () => {
    const r = await runZonerw(s.conf, [], s.root);
    assert.equal(r.code, 0, show(r));
    const serial = publishedSerial(r);
    await waitFor(async () => ((await querySoaSerial(s.secondary.port, ZONE)) === serial ? true : undefined), { timeoutMs: 10_000, what: 'the secondary to transfer' });
    assert.equal(metric(s, 'zonerw_zone_served{zone="example.test"}'), '1');
    assert.equal(metric(s, 'zonerw_server_served{server="main"}'), '1');
  });

  it('2. a reload that does nothing (control = ["true"]): stdout claims no change; check says the primary does not serve what is installed; fixed, the next run says it is now served', async () => {
    const before = await querySoaSerial(s.primary.port, ZONE);
    const published = publishes(s).length;
    s.control(['true']);
    s.http.setStatus(503);
    const r = await runZonerw(s.conf, [], s.root);
    assert.equal(r.code, 1, show(r));
    assert.doesNotMatch(r.stdout, /^example\.test: serial/m, `no change claimed that DNS does not serve\n${show(r)}`);
    assert.match(r.stdout, /^example\.test: waiting: serial \d{10}, www mail -> 198\.51\.100\.7: installed, but the primary does not serve it yet/m, show(r));
    assert.match(r.stderr, /^example\.test: not published: the primary 127\.0\.0\.1:\d+ serves serial/m, show(r));
    assert.equal(await querySoaSerial(s.primary.port, ZONE), before, 'the primary still serves the old zone');
    assert.match(readFileSync(s.hookLog, 'utf8'), /^failover backup 198\.51\.100\.7 served=no$/m, 'the failover hook says it is not served');
    assert.equal(history(s).find((e) => e.type === 'failover')?.served, false, 'the history says the failover is not served');
    assert.equal(metric(s, 'zonerw_server_favoured{server="backup"}'), '1', 'the decision');
    assert.equal(metric(s, 'zonerw_server_served{server="backup"}'), '0', 'not the service');
    assert.equal(metric(s, 'zonerw_zone_served{zone="example.test"}'), '0');
    assert.equal(publishes(s).length, published, 'no publish hook for a zone DNS does not serve');

    const check = await runZonerw(s.conf, ['check'], s.root);
    assert.notEqual(check.code, 0, show(check));
    // the secondary serves what the primary serves: the primary's reload is what is wrong, not the transfers
    assert.doesNotMatch(check.stderr, /secondary 127\.0\.0\.1:\d+ .*provide-xfr/, show(check));
    assert.match(check.stderr, /^example\.test: the primary 127\.0\.0\.1:\d+ does not serve what is installed \(a reload is pending from the last run, serial \d+\): it serves serial/m, show(check));

    s.control(s.primary.control);
    const fixed = await runZonerw(s.conf, [], s.root);
    assert.equal(fixed.code, 0, show(fixed));
    assert.deepEqual(lines(fixed.stdout).filter((l) => l.startsWith(`${ZONE}: now served`)).length, 1, show(fixed));
    assert.match(fixed.stdout, /^example\.test: now served by the primary: serial \d{10}, www mail -> 198\.51\.100\.7$/m, show(fixed));
    assert.deepEqual(await queryA(s.primary.port, `www.${ZONE}`), [BACKUP]);
    const served = history(s).filter((e) => e.type === 'served');
    assert.equal(served.length, 1, 'one served event');
    assert.deepEqual(publishes(s).slice(published), ['publish served=yes'], 'the publish hook runs once DNS serves it');
    assert.equal(metric(s, 'zonerw_server_served{server="backup"}'), '1');
    const again = await runZonerw(s.conf, [], s.root);
    assert.deepEqual([again.code, again.stdout], [0, ''], `said once\n${show(again)}`);
  });

  it('3. main back, then down again with the failover refused by the checker: exit 1; status, status --json and the metrics say DNS does not serve backup', async () => {
    s.http.setStatus(200);
    const back = await runZonerw(s.conf, [], s.root);
    assert.equal(back.code, 0, show(back));
    assert.match(back.stdout, /^example\.test: serial \d{10}, www mail -> 192\.0\.2\.1$/m, show(back));
    const installed = readFileSync(s.zoneFile);
    writeFileSync(s.baseFile, BASE_HOUR.replace('ns1  IN A   127.0.0.1', 'ns1  IN A   127.0.0.300'));
    s.http.setStatus(503);
    const r = await runZonerw(s.conf, [], s.root);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /refused by nsd-checkzone/, show(r));
    assert.deepEqual(readFileSync(s.zoneFile), installed, 'the installed zone is untouched');
    assert.deepEqual(await queryA(s.primary.port, `www.${ZONE}`), [MAIN], 'DNS serves the dead main');

    const text = await runZonerw(s.conf, ['status'], s.root);
    assert.match(text.stdout, /^favoured: backup 198\.51\.100\.7 since .*DNS DOES NOT SERVE IT YET/m, show(text));
    assert.match(text.stdout, /^served: NO: DNS does not serve backup for example\.test$/m, show(text));
    assert.match(text.stdout, /NOT SERVING THE DECISION: the installed file carries @IP@ 192\.0\.2\.1, not 198\.51\.100\.7/, show(text));
    assert.doesNotMatch(text.stdout, /addresses match/, show(text));
    const { json, zone } = await statusJson(s.conf);
    assert.deepEqual(json.favoured?.notServedBy, [ZONE]);
    assert.equal(zone.served?.current, false);
    assert.equal(metric(s, 'zonerw_server_served{server="backup"}'), '0');
    assert.equal(metric(s, 'zonerw_zone_served{zone="example.test"}'), '0');
    assert.match(readFileSync(s.metrics, 'utf8'), /# HELP zonerw_server_favoured Whether zonerw's decision favours this server/);
    assert.match(readFileSync(s.hookLog, 'utf8').trim().split('\n').at(-1)!, /^failover backup 198\.51\.100\.7 served=no$/);
    const events = history(s).filter((e) => e.type === 'failover');
    assert.equal(events.at(-1)?.served, false);

    const check = await runZonerw(s.conf, ['check'], s.root);
    assert.equal(check.code, 1, show(check));
    assert.match(check.stderr, /^example\.test: DNS does not serve the favoured server: the installed zones\/example\.test carries @IP@ 192\.0\.2\.1, not 198\.51\.100\.7/m, show(check));

    writeFileSync(s.baseFile, BASE_HOUR);
    const fixed = await runZonerw(s.conf, [], s.root);
    assert.equal(fixed.code, 0, show(fixed));
    assert.match(fixed.stdout, /^example\.test: serial \d{10}, www mail -> 198\.51\.100\.7$/m, show(fixed));
    assert.equal(lines(fixed.stdout).length, 1, `one line: the change, now that it is served\n${show(fixed)}`);
    assert.equal(history(s).filter((e) => e.type === 'served').length, 2, 'the run that gets the refused failover served records it');
    assert.equal((await statusJson(s.conf)).json.favoured?.notServedBy?.length, 0);
    assert.equal(metric(s, 'zonerw_server_served{server="backup"}'), '1');
  });

  it('4. a secondary left behind (down during the failover) serves the backup within seconds of the next run, not at its refresh', async () => {
    s.http.setStatus(200);
    const back = await runZonerw(s.conf, [], s.root);
    assert.equal(back.code, 0, show(back));
    const failback = publishedSerial(back);
    await waitFor(async () => ((await querySoaSerial(s.secondary.port, ZONE)) === failback ? true : undefined), { timeoutMs: 10_000, what: 'the secondary to transfer the failback' });
    await s.secondary.stop();
    s.http.setStatus(503);
    const r = await runZonerw(s.conf, [], s.root);
    assert.equal(r.code, 0, show(r));
    const serial = publishedSerial(r);
    assert.match(r.stderr, /secondaries behind: example\.test: 127\.0\.0\.1:\d+ does not answer/, show(r));
    s.secondary = await startBind(s.secondaryOptions); // it loads the copy it had: the old serial, and waits an hour to refresh
    const stale = await querySoaSerial(s.secondary.port, ZONE);
    assert.ok(stale !== serial, `the restarted secondary serves its old copy (${stale})`);
    const next = await runZonerw(s.conf, [], s.root);
    assert.equal(next.code, 0, show(next));
    assert.match(next.stdout, new RegExp(`^example\\.test: secondary 127\\.0\\.0\\.1:\\d+ now serves serial ${serial} \\(notified again\\)$`, 'm'), show(next));
    assert.equal(next.stderr, '', show(next));
    assert.equal(await querySoaSerial(s.secondary.port, ZONE), serial);
    assert.deepEqual(await queryA(s.secondary.port, `www.${ZONE}`), [BACKUP]);
  });
});

describe('served: a secondary serving a serial above the primary\'s gets the failover above it', { skip, timeout: 120_000 }, () => {
  let s: Site;
  const HIGH = 2099010100;
  before(async () => {
    // a zone the primary once served at a high serial (a signer's, a restore), transferred by the secondary
    s = await site('ahead', ({ zoneDir }) => writeFileSync(join(zoneDir, ZONE), BASE_HOUR.replace('@serial number@', String(HIGH)).replace('@IP@', MAIN)));
    await waitFor(async () => ((await querySoaSerial(s.secondary.port, ZONE)) === HIGH ? true : undefined), { timeoutMs: 10_000, what: 'the secondary to transfer the high serial' });
    // then the primary serves a lower one (restarted from an older file)
    writeFileSync(s.zoneFile, BASE_HOUR.replace('@serial number@', '2026010100').replace('@IP@', MAIN));
    const r = spawnSync(s.primary.control[0]!, [...s.primary.control.slice(1), 'reload', ZONE], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    await waitFor(async () => ((await querySoaSerial(s.primary.port, ZONE)) === 2026010100 ? true : undefined), { timeoutMs: 10_000, what: 'the primary to serve the lower serial' });
  });
  after(async () => {
    await stopAll();
    if (s && !process.env.ZONERW_E2E_KEEP) rmSync(s.root, { recursive: true, force: true });
  });

  it('the failover goes above the secondary\'s serial, says so, and the secondary transfers it', async () => {
    assert.equal(await querySoaSerial(s.secondary.port, ZONE), HIGH, 'the secondary keeps the higher serial');
    s.http.setStatus(503);
    const r = await runZonerw(s.conf, [], s.root);
    assert.equal(r.code, 0, show(r));
    const serial = publishedSerial(r);
    assert.equal(serial, HIGH + 1, show(r));
    assert.match(r.stderr, new RegExp(`example\\.test: secondary 127\\.0\\.0\\.1:\\d+ serves serial ${HIGH}, above the primary's 2026010100: the new serial goes above it`), show(r));
    assert.equal(await querySoaSerial(s.secondary.port, ZONE), serial, 'transferred within the run (secondary_wait)');
    assert.deepEqual(await queryA(s.secondary.port, `www.${ZONE}`), [BACKUP]);
  });
});
