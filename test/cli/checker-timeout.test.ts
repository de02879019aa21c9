// A zone checker that hangs past nameserver.timeout (an outage can make one wait on a resolver)
// is reported as a timeout of that command, in one line, and never as a refusal quoting what it
// printed before it was killed. The built binary with kind "none" and a fake named-checkzone
// first on PATH that prints a little, then sleeps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { zonerw } from '../helpers/cli.js';

let dir = '';
let conf = '';
let env: NodeJS.ProcessEnv = {};

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zonerw-checker-timeout-'));
  for (const d of ['base', 'zones', 'bin']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'base', 'example.com.base'), '@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.example.net.\nwww IN A @IP@\n');
  // `exec`: the sleep is the process the timeout kills, so nothing outlives the test
  const fake = join(dir, 'bin', 'named-checkzone');
  await writeFile(fake, '#!/bin/sh\necho "zone example.com/IN: loaded serial 2026112200"\necho "example.com: checking MX ns1.example.net" >&2\nexec sleep 30\n');
  await chmod(fake, 0o755);
  conf = join(dir, 'zonerw.toml');
  await writeFile(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "none"\ncheckzone = "always"\ntimeout = "1s"\n[[server]]\nname = "main"\naddress = "192.0.2.1"\n`);
  env = { PATH: [join(dir, 'bin'), process.env.PATH].join(delimiter), ZONERW_NOW: '2026-11-22T10:00:00Z' };
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('a run: exactly one line, the timeout of that command; nothing installed; exit 1', async () => {
  const started = Date.now();
  const r = await zonerw(['--config', conf], env, { timeoutMs: 20_000 });
  // The bound the test knows: a run that waited for the checker cannot end before its sleep 30 does.
  assert.ok(Date.now() - started < 30_000, 'killed at the timeout, not waited for');
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'example.com: named-checkzone timed out after 1s; the zone was not installed\n']);
  assert.deepEqual(await readdir(join(dir, 'zones')), [], 'no zone file, no temp file');
});

test('--dry-run and check say it the same way, once', async () => {
  const dry = await zonerw(['--config', conf, '--dry-run'], env, { timeoutMs: 20_000 });
  assert.equal(dry.code, 1);
  assert.equal(dry.stderr, 'example.com: named-checkzone timed out after 1s; the zone would not be installed\n');
  const check = await zonerw(['--config', conf, 'check'], env, { timeoutMs: 20_000 });
  assert.deepEqual([check.code, check.stdout, check.stderr], [1, '', 'example.com: named-checkzone timed out after 1s; not validated\n']);
});
