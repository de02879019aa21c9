// The TTL told: `zonerw check` warns about a marked record cached longer than ttl_warn_above,
// naming the file and line, and still exits 0; a failover says until when resolvers may still
// send users to the old address, the history records it and status shows it while it holds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check } from '../../src/commands/check.js';
import { run } from '../../src/commands/run.js';
import { status } from '../../src/commands/status.js';
import { validateConfig } from '../../src/config/validate.js';
import type { Config } from '../../src/config/types.js';
import type { Deps } from '../../src/run/ports.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const base = (ttl: string) => `$TTL ${ttl}
@    IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.example.com.
ns1  IN A   198.51.100.7
www  IN A   @IP@
`;

async function site(ttl: string, extra: Record<string, unknown> = {}): Promise<{ cfg: Config; deps: (down: boolean, now: number) => Deps; out: string[]; err: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-ttl-'));
  dirs.push(dir);
  for (const d of ['base', 'zones', 'state']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'base', 'example.com.base'), base(ttl));
  const cfg = validateConfig(
    {
      base_dir: 'base', zone_dir: 'zones', state_dir: 'state', nameserver: { kind: 'nsd', address: false, checkzone: 'never' }, ...extra,
      server: [{ name: 'main', address: '192.0.2.1', check: 'http://192.0.2.1/' }, { name: 'backup', address: '198.51.100.7' }],
    },
    join(dir, 'zonerw.toml'),
  );
  const out: string[] = [];
  const err: string[] = [];
  const deps = (down: boolean, now: number) =>
    adapterDeps({
      now: () => now,
      probe: async () => (down ? { up: false, reason: 'connection refused', latencyMs: 1 } : { up: true, reason: 'HTTP 200', latencyMs: 1 }),
      nameserver: fakeNameserver([]),
      findProgram: async () => true,
      log: { out: (l) => out.push(l), err: (l) => err.push(l) },
    });
  return { cfg, deps, out, err };
}

const opts = { force: false, dryRun: false, verbose: false, quiet: false };
const T0 = Date.parse('2026-12-05T10:00:00Z');

test('check warns about a marked record with TTL 86400, naming file and line; the exit status stays 0', async () => {
  const s = await site('86400');
  assert.equal(await check(s.cfg, {}, s.deps(false, T0)), 0, s.err.join('\n'));
  assert.deepEqual(s.err, [
    'warning: base/example.com.base:5: www is cached for 86400 s (24h, TTL from $TTL): after a failover, resolvers may send users to the old address that long; lower it to 300 or less (or raise ttl_warn_above)',
  ]);
  assert.match(s.out.join('\n'), /^ok: /);
});

test('check says nothing of TTLs at or below ttl_warn_above', async () => {
  for (const [ttl, extra] of [['300', {}], ['3600', { ttl_warn_above: '1h' }]] as const) {
    const s = await site(ttl, extra);
    assert.equal(await check(s.cfg, {}, s.deps(false, T0)), 0);
    assert.deepEqual(s.err, [], ttl);
  }
});

test('a failover says until when resolvers may still send users to the old address; history and status carry it while it holds', async () => {
  const s = await site('1d');
  assert.equal(await run(s.cfg, opts, s.deps(false, T0)), 0);
  s.out.length = 0;
  assert.equal(await run(s.cfg, opts, s.deps(true, T0 + 60_000)), 0);
  assert.deepEqual(s.out, [
    'main 192.0.2.1 down (connection refused, 2 attempts); favouring backup 198.51.100.7',
    'example.com: serial 2026120501, www -> 198.51.100.7',
    'example.com: resolvers may still send users to main 192.0.2.1 until 2026-12-06 10:01:00 UTC (www is cached for 24h, base/example.com.base:5)',
  ]);
  const shown = async (now: number) => {
    s.out.length = 0;
    await status(s.cfg, { json: true }, s.deps(false, now));
    return (JSON.parse(s.out.join('\n')) as { resolversHold: { until: string } | null }).resolversHold;
  };
  assert.equal((await shown(T0 + 3_600_000))?.until, '2026-12-06T10:01:00.000Z');
  assert.equal(await shown(T0 + 2 * 86_400_000), null, 'gone once the TTL has passed');
});
