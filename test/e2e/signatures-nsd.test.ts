// Signatures watched: a zone zonerw signs for NSD with 10-day signatures. `status` shows when the
// signatures the primary serves expire (asked with DO), the metrics carry it; with the clock 20
// days on (ZONERW_NOW, no run in between) `status` says EXPIRED, and the run that finds them
// expired says since when on stderr, records an error event (exit 1) and signs the zone again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { freePort, needBinary, querySoaSerial, startHttp, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { makeKeys, missingTools } from '../helpers/dnssec.js';
import { BASE, ZONE, configToml, publishedSerial, runZonerw, show } from './scenario.js';

const DAY = 86_400_000;
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const missing = ['nsd', 'nsd-control', 'nsd-checkzone'].filter((b) => !needBinary(b));
const skip = missing.length > 0 ? `${missing.join(', ')} not installed` : missingTools(['dnssec-keygen', 'dnssec-verify', 'dnssec-signzone']);

describe('signatures watched: status shows the served expiry, a metric carries it, an expired one is said loudly', { skip, timeout: 120_000 }, () => {
  let root = '';
  let conf = '';
  let metrics = '';
  let http: HttpTarget;
  let primary: NsInstance;
  const expires = Date.now() + 10 * DAY;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-signatures-'));
    const site = join(root, 'site');
    for (const d of ['base', 'zones', 'state', 'keys']) mkdirSync(join(site, d), { recursive: true });
    writeFileSync(join(site, 'base', `${ZONE}.base`), BASE);
    const keys = join(site, 'keys');
    makeKeys(keys, ZONE);
    http = await startHttp(200);
    const port = await freePort();
    primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: await freePort() });
    conf = join(site, 'zonerw.toml');
    metrics = join(site, 'state', 'zonerw.prom');
    const sign = ['dnssec-signzone', '-S', '-K', keys, '-s', stamp(Date.now() - 3_600_000), '-e', stamp(expires), '-o', '{zone}', '-f', '{out}', '{in}'];
    writeFileSync(conf, `${configToml({ kind: 'nsd', control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}`, top: 'metrics_file = "state/zonerw.prom"' })}
[dnssec]
sign          = ${JSON.stringify(sign)}
resign_before = "2d"
`);
  });

  after(async () => {
    await stopAll();
    if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
  });

  it('status shows the expiry of the signatures the primary serves; the metric carries it; 20 days on, EXPIRED', async () => {
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 0, show(r));
    publishedSerial(r);
    const json = JSON.parse((await runZonerw(conf, ['status', '--json'], root)).stdout) as { zones: { zone: string; signatures: { expires: string; expired: boolean } | null }[] };
    const sig = json.zones.find((z) => z.zone === ZONE)!.signatures;
    assert.ok(sig, `status --json has the signatures: ${JSON.stringify(json.zones)}`);
    assert.equal(sig.expired, false);
    assert.ok(Math.abs(Date.parse(sig.expires) - expires) < 2000, `expires ${sig.expires}, signed until ${new Date(expires).toISOString()}`);
    const text = await runZonerw(conf, ['status'], root);
    assert.match(text.stdout, /^ {4}signatures expire \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in (9d|10d|2\d\dh)/m, show(text));
    const metric = readFileSync(metrics, 'utf8').split('\n').find((l) => l.startsWith('zonerw_zone_signatures_expiry_timestamp_seconds{zone="example.test"}'));
    assert.ok(metric, readFileSync(metrics, 'utf8'));
    assert.ok(Math.abs(Number(metric.split(' ')[1]) * 1000 - expires) < 2000, metric);

    const later = { ZONERW_NOW: new Date(Date.now() + 20 * DAY).toISOString() };
    const expired = await runZonerw(conf, ['status'], root, undefined, later);
    assert.match(expired.stdout, /^ {4}SIGNATURES EXPIRED \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((9d|10d|2\d\dh) ago\): validating resolvers answer SERVFAIL/m, show(expired));
    const expiredJson = JSON.parse((await runZonerw(conf, ['status', '--json'], root, undefined, later)).stdout) as typeof json;
    assert.equal(expiredJson.zones.find((z) => z.zone === ZONE)!.signatures?.expired, true);

    const run = await runZonerw(conf, [], root, undefined, later);
    assert.equal(run.code, 1, show(run));
    assert.match(run.stderr, /^example\.test: the signatures of its installed zone file expired \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((9d|10d|2\d\dh) ago\): validating resolvers answer SERVFAIL/m, show(run));
    const history = readFileSync(join(root, 'site', 'state', 'history.jsonl'), 'utf8');
    assert.match(history, /"type":"error","message":"example\.test: the signatures of its installed zone file expired/);
  });

  it('a zone zonerw signs, served unsigned (the nameserver loads another file): status says NOT SIGNED', async () => {
    const zoneFile = join(root, 'site', 'zones', ZONE);
    writeFileSync(zoneFile, BASE.replace('@serial number@', '2099010100').replace(/@IP@/g, '192.0.2.1'));
    const r = spawnSync(primary.control[0]!, [...primary.control.slice(1), 'reload', ZONE], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    await waitFor(async () => ((await querySoaSerial(primary.port, ZONE)) === 2099010100 ? true : undefined), { timeoutMs: 10_000, what: 'the primary to serve the unsigned file' });
    const text = await runZonerw(conf, ['status'], root);
    assert.match(text.stdout, /^ {4}NOT SIGNED: the primary serves the zone without signatures, although zonerw signs it/m, show(text));
    const json = JSON.parse((await runZonerw(conf, ['status', '--json'], root)).stdout) as { zones: { zone: string; signatures: Record<string, unknown> }[] };
    const { expires, expired, signedBy, faults, keyTags } = json.zones.find((z) => z.zone === ZONE)!.signatures;
    assert.deepEqual({ expires, expired, signedBy, faults, keyTags }, { expires: null, expired: false, signedBy: 'zonerw', faults: ['not signed', 'no DNSKEY'], keyTags: [] });
  });
});
