// Issue 16: the run, --dry-run and `zonerw check` read one plan and one set of safety verdicts.
// A 14-record zone is published, then its base file is cut to 4 records: the run refuses it under
// max_shrink; check fails naming max_shrink; --dry-run never says "would publish" and exits as
// the run does; --dry-run --json prints the plan. The built binary on a temp config.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zonerw } from '../helpers/cli.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zonerw-plan-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const SOA = '@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n';

/** SOA, NS, the NS's address, www from the marker, and `hosts` more A records: 4 + hosts records. */
function base(hosts: number): string {
  const more = Array.from({ length: hosts }, (_, i) => `h${i} IN A 203.0.113.${i + 1}\n`).join('');
  return `${SOA}@ IN NS ns1.example.com.\nns1 IN A 198.51.100.7\nwww IN A @IP@\n${more}`;
}

async function site(name: string): Promise<{ conf: string; baseFile: string; zoneFile: string }> {
  const d = join(dir, name);
  await mkdir(join(d, 'base'), { recursive: true });
  await mkdir(join(d, 'zones'));
  const baseFile = join(d, 'base', 'example.com.base');
  await writeFile(baseFile, base(10));
  const conf = join(d, 'zonerw.toml');
  await writeFile(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "none"\ncheckzone = "never"\n[[server]]\nname = "main"\naddress = "192.0.2.1"\n`);
  return { conf, baseFile, zoneFile: join(d, 'zones', 'example.com') };
}

test('a zone cut from 14 records to 4: the run refuses it, check fails naming max_shrink, --dry-run never says "would publish" and exits as the run', async () => {
  const { conf, baseFile, zoneFile } = await site('shrink');
  const first = await zonerw(['--config', conf], NOW);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^example\.com: serial 2026112200/m);
  const published = await readFile(zoneFile, 'utf8');
  await writeFile(baseFile, base(0));

  const check = await zonerw(['--config', conf, 'check'], NOW);
  assert.notEqual(check.code, 0);
  assert.equal(check.stdout, '');
  const refusal = 'it would drop from 14 records to 4 (71% fewer; max_shrink is 50%): check base/example.com.base, or publish it anyway with zonerw --force';
  assert.equal(check.stderr, `example.com: the next run would not publish it, ${refusal}\n`);

  const dry = await zonerw(['--config', conf, '--dry-run'], NOW);
  assert.doesNotMatch(dry.stdout, /would publish/);
  assert.match(dry.stdout, /^-h0 IN A 203\.0\.113\.1$/m, 'the diff of what it would not publish');
  assert.equal(dry.stderr, `example.com: would not be published, ${refusal}\n`);

  const run = await zonerw(['--config', conf], NOW);
  assert.equal(run.stderr, `example.com: not published, ${refusal}\n`);
  assert.equal(run.stdout, '');
  assert.equal(dry.code, run.code);
  assert.equal(check.code, run.code);
  assert.equal(run.code, 1);
  assert.equal(await readFile(zoneFile, 'utf8'), published, 'the installed zone file is unchanged');

  // --force publishes it: check and --dry-run agree again
  const forced = await zonerw(['--config', conf, '--dry-run', '--force'], NOW);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /^would publish example\.com: serial 2026112201, base file changed, forced$/m);
});

test('zonerw check and --dry-run pass where the run would publish', async () => {
  const { conf, baseFile } = await site('grow');
  assert.equal((await zonerw(['--config', conf], NOW)).code, 0);
  await writeFile(baseFile, base(12));
  const check = await zonerw(['--config', conf, 'check'], NOW);
  assert.equal(check.code, 0, check.stderr);
  const dry = await zonerw(['--config', conf, '--dry-run'], NOW);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^would publish example\.com: serial 2026112201, base file changed$/m);
});

test('--dry-run --json: the plan as one JSON value on stdout, the refusal in it and on stderr', async () => {
  const { conf, baseFile } = await site('json');
  assert.equal((await zonerw(['--config', conf], NOW)).code, 0);
  await writeFile(baseFile, base(0));
  const r = await zonerw(['--config', conf, '--dry-run', '--json'], NOW);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^example\.com: would not be published, it would drop from 14 records to 4/);
  const plan = JSON.parse(r.stdout);
  assert.equal(plan.version, 1);
  assert.deepEqual(plan.groups.map((g: { group: string; favoured: { server: string } }) => [g.group, g.favoured.server]), [['default', 'main']]);
  assert.deepEqual(plan.zones, [{
    zone: 'example.com', action: 'refuse', serial: 2026112201, why: ['base'], keepCopy: false, aheadOfDate: false,
    line: 'example.com: serial 2026112201, base file changed', records: { records: 4, ns: 1, previous: 14 }, rule: 'max_shrink',
    problem: 'it would drop from 14 records to 4 (71% fewer; max_shrink is 50%)',
  }]);
  assert.deepEqual(plan.safety, [{ zone: 'example.com', rule: 'max_shrink', problem: 'it would drop from 14 records to 4 (71% fewer; max_shrink is 50%)' }]);
  const steady = await zonerw(['--config', conf, '--dry-run', '--json', '--force'], NOW);
  assert.equal(steady.code, 0, steady.stderr);
  assert.equal(JSON.parse(steady.stdout).zones[0].action, 'publish');
  const alone = await zonerw(['--config', conf, '--json'], NOW);
  assert.equal(alone.code, 64);
});
