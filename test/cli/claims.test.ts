// What --dry-run, its JSON and a run with no primary to ask may claim (issues 16 and 17): "would
// publish" only for a zone the run would publish, validated first, with the run's exit code;
// --dry-run --json keeps stdout JSON (with -v too) and carries the checker's verdict; a zone that
// cannot be loaded is worded in the command's mood, and claims no zone file that does not exist;
// with kind = "none" nothing says DNS serves anything (the hook gets ZONERW_SERVED=unknown, the
// metrics leave the served gauges out). The built binary on temp configs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zonerw } from '../helpers/cli.js';
import { labPath, needBinary } from '../lab/lab.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zonerw-claims-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const ENV = { ZONERW_NOW: '2026-11-22T10:00:00Z', PATH: labPath() };
const SOA = '@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n';

/** SOA, NS, the NS's address, www from the marker, and `hosts` more A records: 4 + hosts records; `extra` appended. */
function base(hosts: number, extra = ''): string {
  const more = Array.from({ length: hosts }, (_, i) => `h${i} IN A 203.0.113.${i + 1}\n`).join('');
  return `${SOA}@ IN NS ns1.example.com.\nns1 IN A 198.51.100.7\nwww IN A @IP@\n${more}${extra}`;
}

async function site(name: string, o: { checkzone: 'always' | 'never'; text: string; top?: string; tail?: string }): Promise<{ d: string; conf: string; baseFile: string; zoneFile: string }> {
  const d = join(dir, name);
  await mkdir(join(d, 'base'), { recursive: true });
  await mkdir(join(d, 'zones'));
  const baseFile = join(d, 'base', 'example.com.base');
  await writeFile(baseFile, o.text);
  const conf = join(d, 'zonerw.toml');
  await writeFile(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n${o.top ?? ''}\n[nameserver]\nkind = "none"\ncheckzone = "${o.checkzone}"\n[[server]]\nname = "main"\naddress = "192.0.2.1"\n${o.tail ?? ''}`);
  return { d, conf, baseFile, zoneFile: join(d, 'zones', 'example.com') };
}

const checker = needBinary('named-checkzone') || needBinary('nsd-checkzone');

test('--dry-run on a zone the checker refuses: no "would publish", the exit code of the run; --json says refuse with the verdict', { skip: !checker && 'no zone checker installed' }, async () => {
  const { conf, zoneFile } = await site('refused', { checkzone: 'always', text: base(2, 'bad IN A 999.1.1.1\n') });
  const dry = await zonerw(['--config', conf, '--dry-run'], ENV);
  assert.doesNotMatch(dry.stdout, /would publish/, dry.stdout);
  assert.match(dry.stderr, /^example\.com: would be refused by \S+checkzone/m, dry.stderr);
  const json = await zonerw(['--config', conf, '--dry-run', '--json'], ENV);
  const plan = JSON.parse(json.stdout);
  const zone = plan.zones[0];
  assert.equal(zone.action, 'refuse', json.stdout);
  assert.equal(zone.rule, 'validation');
  assert.equal(zone.validation.verdict, 'refused');
  assert.match(zone.validation.checker, /checkzone/);
  assert.match(zone.problem, /would be refused by/);
  const run = await zonerw(['--config', conf], ENV);
  assert.equal(run.code, 1, run.stderr);
  assert.equal(dry.code, run.code);
  assert.equal(json.code, run.code);
  assert.equal(existsSync(zoneFile), false);
});

test('--dry-run --force on a max_shrink zone the checker refuses: no "would publish", exit 1 as the forced run', { skip: !checker && 'no zone checker installed' }, async () => {
  const { conf, baseFile } = await site('forced', { checkzone: 'always', text: base(10) });
  const first = await zonerw(['--config', conf], ENV);
  assert.equal(first.code, 0, first.stderr);
  await writeFile(baseFile, base(0, 'bad IN A 999.1.1.1\n'));
  const dry = await zonerw(['--config', conf, '--dry-run', '--force'], ENV);
  assert.doesNotMatch(dry.stdout, /would publish/, dry.stdout);
  assert.match(dry.stderr, /would be refused by/);
  const json = await zonerw(['--config', conf, '--dry-run', '--force', '--json'], ENV);
  assert.equal(JSON.parse(json.stdout).zones[0].action, 'refuse');
  const run = await zonerw(['--config', conf, '--force'], ENV);
  assert.deepEqual([dry.code, json.code], [run.code, run.code]);
  assert.equal(run.code, 1);
});

test('a zone that passes: --dry-run --json carries the verdict, exit 0', { skip: !checker && 'no zone checker installed' }, async () => {
  const { conf } = await site('passes', { checkzone: 'always', text: base(2) });
  const json = await zonerw(['--config', conf, '--dry-run', '--json'], ENV);
  assert.equal(json.code, 0, json.stderr);
  const zone = JSON.parse(json.stdout).zones[0];
  assert.equal(zone.action, 'publish');
  assert.equal(zone.validation.verdict, 'validated');
});

test('--dry-run --json -v: stdout is the JSON alone, the trace on stderr', async () => {
  const { conf } = await site('verbose', { checkzone: 'never', text: base(2) });
  assert.equal((await zonerw(['--config', conf], ENV)).code, 0);
  const r = await zonerw(['--config', conf, '--dry-run', '--json', '-v'], ENV);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotThrow(() => JSON.parse(r.stdout), r.stdout);
  assert.match(r.stderr, /1 of 1 zones unchanged since the last run/);
});

test('a base file that cannot be loaded and no zone file yet: each command in its mood, no claim of an unchanged zone file', async () => {
  const { conf } = await site('unloaded', { checkzone: 'never', text: base(2, 'api IN A @ip@\n') });
  const dry = await zonerw(['--config', conf, '--dry-run'], ENV);
  assert.equal(dry.code, 65);
  assert.match(dry.stderr, /^example\.com: would not be published; there is no zone file yet$/m, dry.stderr);
  assert.doesNotMatch(dry.stderr, /unchanged/);
  const run = await zonerw(['--config', conf], ENV);
  assert.equal(run.code, 65);
  assert.match(run.stderr, /^example\.com: not published; there is no zone file yet$/m, run.stderr);
});

test('kind = "none": the hook gets ZONERW_SERVED=unknown and the metrics claim no served gauge (no primary is asked)', async () => {
  const hookLog = join(dir, 'none-hook.log');
  const tail = `[[hook]]\non = ["publish"]\nrun = ["/bin/sh", "-c", "echo \\"$ZONERW_EVENT served=$ZONERW_SERVED\\" >> ${hookLog}"]\n`;
  const { d, conf } = await site('none', { checkzone: 'never', text: base(2), top: 'metrics_file = "state/zonerw.prom"', tail });
  const r = await zonerw(['--config', conf], ENV);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await readFile(hookLog, 'utf8'), 'publish served=unknown\n');
  const metrics = await readFile(join(d, 'state', 'zonerw.prom'), 'utf8');
  assert.match(metrics, /^zonerw_server_favoured\{server="main"\} 1$/m);
  assert.doesNotMatch(metrics, /^zonerw_server_served\{/m);
  assert.doesNotMatch(metrics, /^zonerw_zone_served\{/m);
  const status = await zonerw(['--config', conf, 'status'], ENV);
  assert.match(status.stdout, /^served: not asked: no primary is asked/m);
  assert.doesNotMatch(status.stdout, /served: yes/);
});
