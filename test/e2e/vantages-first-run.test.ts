// A first run whose votes reach no quorum: nothing is remembered to keep, so main is unknown.
// It is not favoured as up on the strength of nothing, and nothing records it as up (or down):
// not the zone, history, status nor the metrics. One vantage, stopped (its blackbox_exporter
// refuses), so the default quorum is 2 of zonerw and it; zonerw's own probe finds nothing
// listening: 0 up, 1 down, 1 silent. Runs the built binary; no exporter needs to run.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/blackbox.js';

const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const BASE = '$TTL 300\n@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.example.com.\nns1 IN A 198.51.100.53\nwww IN A @IP@\n';

describe('a first run with no verdict', () => {
  let root: string;
  let conf: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-first-'));
    mkdirSync(join(root, 'base'));
    mkdirSync(join(root, 'zones'));
    writeFileSync(join(root, 'base', 'example.com.base'), BASE);
    const [stopped, nothing] = [await freePort(), await freePort()];
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
[[vantage]]
name = "fra"
blackbox = "http://127.0.0.1:${stopped}"
[[server]]
name = "main"
address = "${MAIN}"
check = { tcp = "127.0.0.1:${nothing}" }
[[server]]
name = "backup"
address = "${BACKUP}"
`);
  });

  after(() => rmSync(root, { recursive: true, force: true }));

  const at = (args: string[]): Promise<CliResult> => zonerw(['--config', conf, ...args], { ZONERW_NOW: '2026-11-22T10:00:00Z' }, { timeoutMs: 60_000 });
  const show = (r: CliResult) => `exit ${r.code}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`;

  it('main is unknown, not up: nothing says or records it up', async () => {
    const r = await at(['-v']);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^main: no verdict: 0 up, 1 down, 1 silent, quorum 2: no verdict yet, so it is not counted as up this run; nothing is recorded for it$/m, show(r));
    assert.match(r.stdout, /main 192\.0\.2\.1: no verdict this run and none before \(no verdict: .*\); not counted as up this run, nothing recorded/, show(r));
    assert.doesNotMatch(r.stdout, /main is the first server and it is up/, show(r));
    assert.match(r.stdout, /main has no verdict yet \(not counted as up\): backup is the first server that is up/, show(r));
    assert.equal(/^www IN A (\S+)$/m.exec(readFileSync(join(root, 'zones', 'example.com'), 'utf8'))?.[1], BACKUP);

    const history = await at(['history', '--json']);
    const events = (JSON.parse(history.stdout) as { events: { type: string; server?: string; up?: boolean }[] }).events;
    assert.deepEqual(events.filter((e) => e.type === 'check' && e.server === 'main'), [], history.stdout);

    const status = await at(['status']);
    assert.match(status.stdout, /^ {2}main 192\.0\.2\.1: NO VERDICT YET since .*not counted as up/m, show(status));
    assert.doesNotMatch(status.stdout, /main 192\.0\.2\.1: up since/, show(status));
    const json = await at(['status', '--json']);
    const main = (JSON.parse(json.stdout) as { servers: { name: string; up: boolean | null; unknown?: boolean; lastCheck: { up: boolean | null } }[] }).servers.find((s) => s.name === 'main')!;
    assert.equal(main.up, null);
    assert.equal(main.lastCheck.up, null, 'the last check had no result of its own');
    assert.equal(main.unknown, true);

    const prom = readFileSync(join(root, 'zonerw.prom'), 'utf8').split('\n');
    assert.ok(!prom.some((l) => l.startsWith('zonerw_server_check_up{server="main"}')), prom.join('\n'));
    for (const line of ['zonerw_server_up{server="main"} 0', 'zonerw_server_check_undecided{server="main"} 1']) assert.ok(prom.includes(line), `${line} not in\n${prom.join('\n')}`);
  });
});
