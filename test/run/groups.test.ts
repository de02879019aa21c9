// Service groups through whole runs: real files in temp folders, a fake probe (each server's
// check up or down by name), a fake nameserver. One zone uses two groups (www @IP@ in default,
// mail @IP:mail@ in mail): each group moves on its own, the zone is rendered once per run with
// one new serial, and every word, event, hook, metric and status names the group. The upgrade of
// a state.json written before groups (test/fixtures/state/v1) publishes nothing.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { run } from '../../src/commands/run.js';
import { pin } from '../../src/commands/pin.js';
import { buildStatus, formatStatus } from '../../src/commands/status.js';
import { history } from '../../src/commands/history.js';
import type { Config } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { loadState } from '../../src/adapters/state-file.js';
import type { ProbeSpec } from '../../src/core/probe.js';
import type { Deps, RunOptions } from '../../src/run/ports.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';
import { fixturesDir } from '../helpers/paths.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const BASE = `$TTL 300
@    IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.example.com.
ns1  IN A   198.51.100.7
www  IN A   @IP@
mail IN A   192.0.2.25 ; @IP:mail@
`;

const GROUPS = {
  server: [
    { name: 'main', address: '192.0.2.1', check: 'http://192.0.2.1/' },
    { name: 'backup', address: '198.51.100.7' },
  ],
  group: [
    {
      name: 'mail',
      check: { recover_after: 1 },
      server: [
        { name: 'mx1', address: '192.0.2.25', check: { tcp: '192.0.2.25:25', expect_banner: '220 ' } },
        { name: 'mx2', address: '198.51.100.25' },
      ],
    },
  ],
};

interface Lab {
  dir: string;
  cfg: Config;
  /** the servers whose check fails, by name */
  down: Set<string>;
  now: number;
  calls: string[];
  out: string[];
  err: string[];
  deps: Deps;
  go(opts?: Partial<RunOptions>): Promise<number>;
  zone(): Promise<string>;
  serial(): Promise<number>;
  reset(): void;
}

/** The server whose check this is; `ref` for a reference host. */
function targetOf(spec: ProbeSpec, cfg: Config): string {
  return cfg.servers.find((s) => s.check?.spec === spec)?.name ?? 'ref';
}

async function lab(config: Record<string, unknown> = GROUPS, base = BASE): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-groups-'));
  dirs.push(dir);
  for (const d of ['base', 'zones', 'state']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'base', 'example.com.base'), base);
  const cfg = validateConfig({ base_dir: 'base', zone_dir: 'zones', state_dir: 'state', nameserver: { kind: 'nsd', address: false }, ...config }, join(dir, 'zonerw.toml'));
  const l: Lab = {
    dir, cfg, down: new Set(), now: Date.parse('2026-11-22T10:00:00Z'), calls: [], out: [], err: [],
    deps: undefined as unknown as Deps,
    go: (opts = {}) => run(cfg, { force: false, dryRun: false, verbose: false, quiet: false, ...opts }, l.deps),
    zone: () => readFile(join(dir, 'zones', 'example.com'), 'utf8'),
    serial: async () => Number(/\( (\d+) /.exec(await l.zone())![1]),
    reset: () => {
      l.out.length = 0;
      l.err.length = 0;
      l.calls.length = 0;
    },
  };
  const nameserver = fakeNameserver(l.calls, {
    validate: async (zone) => {
      l.calls.push(`checkzone ${zone}`);
      return { ok: true, checker: 'nsd-checkzone' };
    },
  });
  l.deps = adapterDeps({
    now: () => l.now,
    probe: async (spec) => (l.down.has(targetOf(spec, cfg)) ? { up: false, reason: spec.kind === 'tcp' ? 'connection refused' : 'HTTP 503', latencyMs: 1 } : { up: true, reason: spec.kind === 'tcp' ? 'banner "220 mx"' : 'HTTP 200', latencyMs: 1 }),
    nameserver,
    findProgram: async () => true,
    log: { out: (s) => l.out.push(s), err: (s) => l.err.push(s) },
  });
  return l;
}

const historyOf = async (l: Lab) => (await readFile(join(l.dir, 'state', 'history.jsonl'), 'utf8')).trim().split('\n').map((x) => JSON.parse(x) as Record<string, unknown>);

test('each group fails over on its own; the zone is rendered once, with one new serial however many groups moved', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112200, www -> 192.0.2.1, mail -> 192.0.2.25, zone file was missing']);
  l.reset();
  l.now += 120_000;
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err, l.calls], [[], [], []], 'steady: nothing said, nothing run');

  l.down.add('main');
  l.now += 120_000;
  l.reset();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['group default: main 192.0.2.1 down (HTTP 503, 2 attempts); favouring backup 198.51.100.7', 'example.com: serial 2026112201, www -> 198.51.100.7']);
  assert.match(await l.zone(), /^www  IN A   198\.51\.100\.7\nmail IN A   192\.0\.2\.25 ; @IP:mail@\n$/m);

  l.down.add('mx1');
  l.reset();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['group mail: mx1 192.0.2.25 down (connection refused, 2 attempts); favouring mx2 198.51.100.25', 'example.com: serial 2026112202, mail -> 198.51.100.25']);
  assert.match(await l.zone(), /^www  IN A   198\.51\.100\.7\nmail IN A   198\.51\.100\.25 ; @IP:mail@\n$/m);

  // both back in one run (mail recovers after 1 run, default after 2): then both at once
  l.down.clear();
  l.reset();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['group mail: mx1 192.0.2.25 up (banner "220 mx"); favouring mx1 192.0.2.25', 'example.com: serial 2026112203, mail -> 192.0.2.25']);
  l.down.add('main').add('mx1');
  await l.go(); // main needs 2 good runs to come back: it was never counted up since; mail moves now
  l.down.clear();
  await l.go();
  l.reset();
  assert.equal(await l.go(), 0);
  const serials = l.out.filter((x) => x.startsWith('example.com: serial'));
  assert.equal(serials.length, 1, `one zone line, one serial: ${JSON.stringify(l.out)}`);
  assert.deepEqual(l.calls, ['reload example.com', 'notify example.com'], 'one reload (this content was validated before)');
});

test('two groups moving in the same run: two group lines, one zone line, one serial', async () => {
  const l = await lab();
  await l.go();
  l.down.add('main').add('mx1');
  l.reset();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, [
    'group default: main 192.0.2.1 down (HTTP 503, 2 attempts); favouring backup 198.51.100.7',
    'group mail: mx1 192.0.2.25 down (connection refused, 2 attempts); favouring mx2 198.51.100.25',
    'example.com: serial 2026112201, www -> 198.51.100.7, mail -> 198.51.100.25',
  ]);
  assert.equal(await l.serial(), 2026112201);
  assert.deepEqual(l.calls, ['checkzone example.com', 'reload example.com', 'notify example.com']);
});

test('-v and --dry-run name the group', async () => {
  const l = await lab();
  await l.go();
  l.down.add('mx1');
  l.reset();
  assert.equal(await l.go({ dryRun: true, verbose: true }), 0);
  assert.deepEqual(l.out.slice(0, 7), [
    'group default: check: main 192.0.2.1: up this run (HTTP 200, 1 attempt, 1 ms); counts as up since 2026-11-22T10:00:00.000Z',
    'group default: check: backup 198.51.100.7: no check, always up',
    'group default: decision: main is the first server and it is up',
    'group mail: check: mx1 192.0.2.25: down this run (connection refused, 2 attempts, 1 ms); counts as down since 2026-11-22T10:00:00.000Z',
    'group mail: check: mx2 198.51.100.25: no check, always up',
    'group mail: decision: mx1 down: mx2 is the first server that is up',
    'group mail: mx1 192.0.2.25 down (connection refused, 2 attempts); favouring mx2 198.51.100.25',
  ]);
  assert.ok(l.out.includes('would publish example.com: serial 2026112201, mail -> 198.51.100.25'), l.out.join('\n'));
  assert.equal(await l.serial(), 2026112200, 'a dry run writes nothing');
});

test('pin within a group: only that group moves; status, history, hooks and metrics name the group', async () => {
  const l = await lab({ ...GROUPS, metrics_file: 'metrics.prom' });
  const log = join(l.dir, 'hook.log');
  const script = join(l.dir, 'hook.sh');
  await writeFile(script, `#!/bin/sh\nprintf '%s|%s|%s|%s\\n' "$ZONERW_EVENT" "$ZONERW_GROUP" "$ZONERW_FROM" "$ZONERW_TO" >> ${log}\n`, { mode: 0o755 });
  l.cfg.hooks = [{ on: ['failover', 'failback', 'publish'], run: [script], timeoutMs: 5000 }];
  await l.go();
  l.reset();
  l.now += 60_000;
  assert.equal(await pin(l.cfg, { clear: false, server: 'mx2', forMs: 3_600_000, reason: 'mx1 disk swap', by: 'alice' }, l.deps), 0);
  assert.deepEqual(l.out, ['group mail: pinned to mx2 by alice at 2026-11-22 10:01:00 UTC, until 2026-11-22 11:01:00 UTC: mx1 disk swap; the next run publishes it (run zonerw now to apply it at once)']);
  l.reset();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['group mail: favouring mx2 198.51.100.25 (pinned)', 'example.com: serial 2026112201, mail -> 198.51.100.25']);
  assert.match(await l.zone(), /^www  IN A   192\.0\.2\.1$/m, 'www stays on main');
  assert.deepEqual((await readFile(log, 'utf8')).trim().split('\n'), [
    'publish|||main 192.0.2.1',
    'failover|mail|mx1 192.0.2.25|mx2 198.51.100.25',
    'publish||main 192.0.2.1|main 192.0.2.1',
  ]);

  const report = await buildStatus(l.cfg, l.deps, l.now);
  assert.deepEqual(report.groups!.map((g) => [g.name, g.favoured?.server, g.pin?.server ?? null, g.servers.map((s) => [s.name, s.up, s.check])]), [
    ['default', 'main', null, [['main', true, 'http://192.0.2.1/'], ['backup', true, null]]],
    ['mail', 'mx2', 'mx2', [['mx1', true, 'tcp://192.0.2.25:25'], ['mx2', true, null]]],
  ]);
  assert.deepEqual([report.favoured?.server, report.pin, report.servers.map((s) => s.name)], ['main', null, ['main', 'backup']], 'the top level is the default group, as before groups');
  const text = formatStatus(report, l.now);
  assert.deepEqual(text.slice(0, 4), ['group default:', '  favoured: main 192.0.2.1 since 2026-11-22 10:00:00 UTC (60s ago)', '  served: not asked: no primary is asked, zonerw cannot tell whether DNS serves it', '    why: main is the first server and it is up']);
  assert.ok(text.includes('group mail:'), text.join('\n'));
  assert.ok(text.includes('  PINNED: mx2, set by alice 2026-11-22 10:01:00 UTC (0s ago), until 2026-11-22 11:01:00 UTC (in 60m): mx1 disk swap'), text.join('\n'));

  const metrics = await readFile(join(l.dir, 'metrics.prom'), 'utf8');
  assert.deepEqual(metrics.split('\n').filter((x) => /^zonerw_server_favoured\{.*\} 1$/.test(x)), ['zonerw_server_favoured{group="default",server="main"} 1', 'zonerw_server_favoured{group="mail",server="mx2"} 1']);
  assert.match(metrics, /^zonerw_pin_active\{group="mail"\} 1$/m);

  const events = await historyOf(l);
  assert.deepEqual(events.filter((e) => e.type === 'pin').map((e) => [e.group, e.server]), [['mail', 'mx2']]);
  assert.deepEqual(events.filter((e) => e.type === 'failover' || e.type === 'change').map((e) => [e.type, e.group ?? 'default', e.from, e.to]), [['change', 'default', null, 'main'], ['change', 'mail', null, 'mx1'], ['failover', 'mail', 'mx1', 'mx2']]);
  assert.deepEqual(events.filter((e) => e.type === 'hook' && e.on === 'failover').map((e) => e.group), ['mail']);

  l.reset();
  l.now += 60_000;
  assert.equal(await history(l.cfg, { sinceMs: 86_400_000, json: true, color: false }, l.deps), 0);
  const json = JSON.parse(l.out.join('\n')) as { servers: { server: string }[]; groups: { name: string; servers: { server: string; failovers: number }[] }[]; events: { group?: string }[] };
  assert.deepEqual(json.servers.map((s) => s.server), ['main', 'backup']);
  assert.deepEqual(json.groups.map((g) => [g.name, g.servers.map((s) => [s.server, s.failovers])]), [['default', [['main', 0], ['backup', 0]]], ['mail', [['mx1', 1], ['mx2', 0]]]]);
  l.reset();
  await history(l.cfg, { sinceMs: 86_400_000, json: false, color: false }, l.deps);
  assert.ok(l.out.some((x) => x.endsWith('group mail: failover: favouring mx2 198.51.100.25 instead of mx1: favouring mx2 198.51.100.25 (pinned)')), l.out.join('\n'));
  assert.ok(l.out.includes('  group mail:'), l.out.join('\n'));
  assert.ok(l.out.some((x) => /^ {4}mx1 {5}\|/.test(x)), l.out.join('\n'));

  // clearing: one group, or all
  l.reset();
  assert.equal(await pin(l.cfg, { clear: true, group: 'default', by: 'bob' }, l.deps), 0);
  assert.deepEqual(l.out, ['group default: no pin was set; the servers are favoured by their checks']);
  l.reset();
  assert.equal(await pin(l.cfg, { clear: true, by: 'bob' }, l.deps), 0);
  assert.deepEqual(l.out, ['group mail: pin on mx2 cleared by bob; the next run favours the servers by their checks']);
  await assert.rejects(pin(l.cfg, { clear: true, group: 'web', by: 'bob' }, l.deps), /no group named "web"; the groups are default, mail/);
  l.reset();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['group mail: favouring mx1 192.0.2.25', 'example.com: serial 2026112202, mail -> 192.0.2.25']);
});

test('reference hosts are global: main down with no reference answering changes nothing in mail either', async () => {
  const l = await lab({ ...GROUPS, reference: ['http://203.0.113.80/'] });
  await l.go();
  l.down.add('main').add('mx1').add('ref');
  l.reset();
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.out, []);
  assert.deepEqual(l.err, ["main (HTTP 503), mx1 (connection refused) look down, and no reference host answers either: zonerw's own network seems down, so nothing was changed"]);
  assert.equal(await l.serial(), 2026112200);
});

test('a group removed from the config is forgotten, with one line; a zone still naming it is a base-file error', async () => {
  const l = await lab();
  await l.go();
  const without = await lab({ server: GROUPS.server });
  await copyFile(join(l.dir, 'state', 'state.json'), join(without.dir, 'state', 'state.json'));
  await copyFile(join(l.dir, 'zones', 'example.com'), join(without.dir, 'zones', 'example.com'));
  assert.equal(await without.go(), 65);
  assert.deepEqual(without.out, ['group mail: no longer in the config; zonerw forgets it (it favoured mx1 192.0.2.25)']);
  assert.deepEqual(without.err, ['base/example.com.base:6: unknown group "mail" in @IP:mail@; the groups are default', 'example.com: not published; the installed zone file is unchanged']);
  assert.deepEqual(Object.keys((await loadState(without.cfg.stateDir)).state.groups), ['default']);
  without.reset();
  assert.equal(await without.go(), 65);
  assert.deepEqual(without.out, [], 'said once');
});

test('a config of [[group]] tables alone: its markers name their groups; a plain marker is a base-file error naming the groups', async () => {
  const only = { group: [GROUPS.group[0], { name: 'web', server: [{ name: 'web1', address: '192.0.2.80' }] }] };
  const l = await lab(only, BASE.replace('@IP@', '@IP:web@'));
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112200, mail -> 192.0.2.25, www -> 192.0.2.80, zone file was missing'], 'in the order of the groups in the config');
  const plain = await lab(only);
  assert.equal(await plain.go(), 65);
  assert.deepEqual(plain.err[0], 'base/example.com.base:5: @IP@ is for the default group, and the config has none (no top-level [[server]]): name a group, like @IP:mail@; the groups are mail, web');
});

test('a state.json written before groups upgrades in place: no output, no publish, no new serial; the decision is the default group\'s', async () => {
  const fixture = join(fixturesDir, 'state', 'v1');
  const raw = parse(await readFile(join(fixture, 'zonerw.toml'), 'utf8')) as Record<string, unknown>;
  const l = await lab(raw, await readFile(join(fixture, 'example.com.base'), 'latin1'));
  for (const f of ['state.json', 'history.jsonl']) await copyFile(join(fixture, f), join(l.dir, 'state', f));
  await copyFile(join(fixture, 'example.com'), join(l.dir, 'zones', 'example.com'));
  const before = await stat(join(l.dir, 'zones', 'example.com'));
  const old = JSON.parse(await readFile(join(fixture, 'state.json'), 'utf8')) as Record<string, unknown>;
  l.now = Date.parse('2026-11-22T10:06:00Z'); // within the pin the old release recorded
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err, l.calls], [[], [], []], 'nothing to say, nothing to publish');
  const after = await stat(join(l.dir, 'zones', 'example.com'));
  assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs], 'the zone file untouched');
  const { state } = await loadState(l.cfg.stateDir);
  assert.equal(JSON.parse(await readFile(join(l.dir, 'state', 'state.json'), 'utf8')).version, 2, 'written back as version 2');
  assert.deepEqual(state.groups.default!.favoured, old.favoured);
  assert.deepEqual(state.groups.default!.pin, old.pin);
  assert.equal(state.zones['example.com']!.serial, 2026112201);
  const events = await historyOf(l);
  assert.equal(events.length, 6, 'no event added: no check changed, nothing moved');
  // the pin the old release set runs out as it would have
  l.now = Date.parse('2026-11-22T12:04:00Z');
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['pin on backup expired; favouring the servers by their checks again', 'favouring main 192.0.2.1', 'example.com: serial 2026112202, www mail -> 192.0.2.1, pool -> 192.0.2.1 198.51.100.7']);
});
