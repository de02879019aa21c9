// Issue 17: served means served. Against a real NSD primary that already serves a 14-record zone
// zonerw never published: a fresh run that refuses it under max_shrink must not let `status`, its
// JSON, the metrics or the history say the decision is served (an empty set of published zones is
// not "every zone served"); and a failback refused under max_shrink makes `status` say what the
// last run refused, not promise that the next run publishes it. Every server is stopped by pid.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary, queryA, startHttp, startNsd, stopAll, freePort, type HttpTarget } from '../lab/lab.js';
import { BASE, configToml, MAIN, runZonerw, show, statusJson, ZONE } from './scenario.js';

const BINS = ['nsd', 'nsd-control', 'nsd-checkzone'];
const missing = BINS.filter((b) => !needBinary(b));
const skip = missing.length > 0 ? `${missing.join(', ')} not installed` : false;
/** the scenario's 5 records and 9 more: 14 */
const BIG = BASE + Array.from({ length: 9 }, (_, i) => `h${i}   IN A   203.0.113.${i + 1}\n`).join('');

describe('served claims: nothing published is nothing served; status says what the last run refused (NSD primary)', { skip, timeout: 120_000 }, () => {
  let root: string;
  let conf: string;
  let baseFile: string;
  let stateDir: string;
  let http: HttpTarget;
  const metric = (name: string) => readFileSync(join(stateDir, 'zonerw.prom'), 'utf8').split('\n').find((l) => l.startsWith(name))?.split(' ').at(-1);
  const history = () => readFileSync(join(stateDir, 'history.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-claims-'));
    const dir = join(root, 'site');
    for (const d of ['base', 'zones', 'state']) mkdirSync(join(dir, d), { recursive: true });
    // the primary already serves the zone, 14 records, www -> main: zonerw has never published it
    writeFileSync(join(dir, 'zones', ZONE), BIG.replace('@serial number@', '2026010100').replaceAll('@IP@', MAIN));
    baseFile = join(dir, 'base', `${ZONE}.base`);
    writeFileSync(baseFile, BASE); // cut to 5 records
    stateDir = join(dir, 'state');
    http = await startHttp(200);
    const port = await freePort();
    // no secondary: its NOTIFY goes to a port nothing listens on
    const primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(dir, 'zones'), peerPort: await freePort() });
    conf = join(dir, 'zonerw.toml');
    const toml = configToml({ kind: 'nsd', control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}`, top: 'metrics_file = "state/zonerw.prom"' });
    writeFileSync(conf, toml.replace('attempts = 1', 'attempts = 1\nrecover_after = 1'));
  });
  after(async () => {
    await stopAll();
    if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
  });

  it('1. a fresh state whose only zone is refused: status, its JSON, the metrics and the history do not say served', async () => {
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /^example\.test: not published, it would drop from 14 records to 5/m, show(r));
    const text = await runZonerw(conf, ['status'], root);
    assert.doesNotMatch(text.stdout, /served: yes/, show(text));
    assert.match(text.stdout, /^served: NO: DNS does not serve main for example\.test$/m, show(text));
    assert.match(text.stdout, /^ {4}NOT SERVING THE DECISION: zonerw has not published it; the last run that tried \(.*\) said: example\.test: not published, it would drop from 14 records to 5/m, show(text));
    const { json } = await statusJson(conf);
    assert.deepEqual(json.favoured?.notServedBy, [ZONE]);
    assert.equal(metric('zonerw_server_served{server="main"}'), '0');
    for (const e of history().filter((x) => ['failover', 'failback', 'change'].includes(String(x.type)))) assert.notEqual(e.served, true, JSON.stringify(e));
  });

  it('2. failed over, base cut 14 -> 5, main back: each run refuses the failback; status says what the last run refused, no promise', async () => {
    writeFileSync(baseFile, BIG);
    const full = await runZonerw(conf, [], root);
    assert.equal(full.code, 0, show(full));
    http.setStatus(503);
    const over = await runZonerw(conf, [], root);
    assert.equal(over.code, 0, show(over));
    assert.match(over.stdout, /^example\.test: serial \d{10}, www mail -> 198\.51\.100\.7$/m, show(over));
    writeFileSync(baseFile, BASE);
    http.setStatus(200);
    for (let i = 0; i < 2; i++) {
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /^example\.test: not published, it would drop from 14 records to 5/m, show(r));
    }
    const text = await runZonerw(conf, ['status'], root);
    assert.doesNotMatch(text.stdout, /the next run publishes it/, show(text));
    assert.match(text.stdout, /^ {4}NOT SERVING THE DECISION: the installed file carries @IP@ 198\.51\.100\.7, not 192\.0\.2\.1 \(the favoured\); its publish was refused or failed: the last run that tried \(.*\) said: example\.test: not published, it would drop from 14 records to 5/m, show(text));
    assert.equal(metric('zonerw_server_served{server="main"}'), '0');
    assert.deepEqual(await queryA(Number(/127\.0\.0\.1:(\d+)/.exec(readFileSync(conf, 'utf8'))![1]), `www.${ZONE}`), ['198.51.100.7'], 'DNS serves the backup still');
  });
});
