// Zone names up to what a file name holds (issue 17): a 240-character zone (DNS allows 253) is
// published, checked and dry-run like any other; its temp and scratch files' names fit NAME_MAX.
// Real files in a temp folder, a fake probe and nameserver.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate.js';
import { run } from '../../src/commands/run.js';
import { check } from '../../src/commands/check.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const ZONE = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(48)}`;

test('a 240-character zone name: published (no ENAMETOOLONG), checked and dry-run', async () => {
  assert.equal(ZONE.length, 240);
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-long-'));
  dirs.push(dir);
  for (const d of ['base', 'zones', 'state']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'base', `${ZONE}.base`), `$TTL 300\n@ IN SOA ns1 hostmaster ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1\nns1 IN A 198.51.100.7\nwww IN A @IP@\n`);
  const cfg = validateConfig(
    { base_dir: 'base', zone_dir: 'zones', state_dir: 'state', zones: [ZONE], nameserver: { kind: 'nsd', control: ['true'], address: false }, server: [{ name: 'main', address: '192.0.2.1' }] },
    join(dir, 'zonerw.toml'),
  );
  const out: string[] = [];
  const err: string[] = [];
  const calls: string[] = [];
  const deps = adapterDeps({
    now: () => Date.parse('2026-11-22T10:00:00Z'),
    probe: async () => ({ up: true, reason: 'HTTP 200', latencyMs: 1 }),
    nameserver: fakeNameserver(calls),
    log: { out: (s) => out.push(s), err: (s) => err.push(s) },
  });
  assert.equal(await check(cfg, {}, deps), 0, err.join('\n'));
  assert.equal(await run(cfg, { force: false, dryRun: true, verbose: false, quiet: false }, deps), 0, err.join('\n'));
  assert.equal(await run(cfg, { force: false, dryRun: false, verbose: false, quiet: false }, deps), 0, err.join('\n'));
  assert.deepEqual(err, []);
  assert.deepEqual(await readdir(join(dir, 'zones')), [ZONE], 'installed, no temp left');
  assert.match(await readFile(join(dir, 'zones', ZONE), 'utf8'), /www IN A 192\.0\.2\.1/);
});
