// run.ts with real files in temp folders and fake probe / nameserver / lock: the decisions of
// a whole run, fast and without servers. The real binary against real NSD/BIND is in test/e2e.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate.js';
import type { Config } from '../../src/config/types.js';
import { run } from '../../src/commands/run.js';
import type { Step } from '../../src/core/nameserver.js';
import type { Deps, Nameserver, RunOptions } from '../../src/run/ports.js';
import { loadState } from '../../src/adapters/state-file.js';
import { adapterDeps } from '../helpers/deps.js';
import { skipOrFail } from '../helpers/need.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const BASE = `$TTL 300
@    IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.example.com.
ns1  IN A   198.51.100.7
www  IN A   @IP@
mail IN A   192.0.2.1 ; @IP@
`;

interface Lab {
  dir: string;
  cfg: Config;
  mainUp: boolean;
  now: number;
  calls: string[];
  failing: Set<Step>;
  checkzoneFails: boolean;
  /** what each fake secondary serves, by "host:port" */
  served: Map<string, number>;
  out: string[];
  err: string[];
  deps: Deps;
  go(opts?: Partial<RunOptions>): Promise<number>;
  zone(name?: string): Promise<string>;
  serial(name?: string): Promise<number>;
}

async function lab(extra: Record<string, unknown> = {}, bases: Record<string, string> = { 'example.com': BASE }): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-run-'));
  dirs.push(dir);
  await mkdir(join(dir, 'base'));
  await mkdir(join(dir, 'zones'));
  await mkdir(join(dir, 'state')); // the real lock creates it
  for (const [zone, text] of Object.entries(bases)) await writeFile(join(dir, 'base', `${zone}.base`), text);
  const cfg = validateConfig(
    {
      base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
      nameserver: { kind: 'nsd' },
      server: [
        { name: 'main', address: '192.0.2.1', check: 'http://127.0.0.1:9/' },
        { name: 'backup', address: '198.51.100.7' },
      ],
      ...extra,
    },
    join(dir, 'zonerw.toml'),
  );
  const l: Lab = {
    dir, cfg, mainUp: true, now: Date.parse('2026-11-22T10:00:00Z'), calls: [], failing: new Set(), checkzoneFails: false, served: new Map(), out: [], err: [],
    deps: undefined as unknown as Deps,
    go: (opts = {}) => run(cfg, { force: false, dryRun: false, verbose: false, quiet: false, ...opts }, l.deps),
    zone: (name = 'example.com') => readFile(join(dir, 'zones', name), 'utf8'),
    serial: async (name = 'example.com') => Number(/\( (\d+) /.exec(await l.zone(name))![1]),
  };
  const nameserver: Nameserver = {
    batching: 'one',
    command: (step, zones) => ['nsd-control', step, ...(typeof zones === 'string' ? [zones] : zones)],
    async run(step, zones) {
      l.calls.push([step, ...(typeof zones === 'string' ? [zones] : zones)].join(' '));
      const ok = !l.failing.has(step);
      return { ok, code: ok ? 0 : 1, stdout: '', stderr: ok ? '' : 'error: connect: Connection refused', reason: ok ? 'exit 0' : 'exit 1' };
    },
    status: async () => ({ argv: ['nsd-control', 'status'], result: { ok: true, code: 0, stdout: '', stderr: '', reason: 'exit 0' } }),
    async validate(zone, file) {
      l.calls.push(`checkzone ${zone}`);
      const text = await readFile(file, 'utf8');
      return l.checkzoneFails || text.includes('.300')
        ? { ok: false, checker: 'nsd-checkzone', message: `${file}:5: bad address` }
        : { ok: true, checker: 'nsd-checkzone' };
    },
  };
  l.deps = adapterDeps({
    now: () => l.now,
    probe: async () => (l.mainUp ? { up: true, reason: 'HTTP 200', latencyMs: 1 } : { up: false, reason: 'HTTP 503', latencyMs: 1 }),
    nameserver,
    soa: async (host, port) => {
      const serial = l.served.get(`${host}:${port}`);
      return serial === undefined ? { error: 'no answer within 1000 ms' } : { serial };
    },
    log: { out: (s) => l.out.push(s), err: (s) => l.err.push(s) },
  });
  return l;
}

function reset(l: Lab) {
  l.out.length = 0;
  l.err.length = 0;
  l.calls.length = 0;
}

test('first run publishes, validates, reloads and notifies; a steady run does and says nothing', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112200, www mail -> 192.0.2.1, zone file was missing']);
  assert.deepEqual(l.calls, ['checkzone example.com', 'reload example.com', 'notify example.com']);
  assert.match(await l.zone(), /www  IN A   192\.0\.2\.1\nmail IN A   192\.0\.2\.1 ; @IP@\n$/);
  const before = await stat(join(l.dir, 'zones', 'example.com'));

  reset(l);
  l.now += 120_000;
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err, l.calls], [[], [], []]);
  const afterStat = await stat(join(l.dir, 'zones', 'example.com'));
  assert.deepEqual([afterStat.ino, afterStat.mtimeMs], [before.ino, before.mtimeMs], 'zone file untouched');
});

test('failover and failback: one line each, higher serial each time', async () => {
  const l = await lab();
  await l.go();
  reset(l);
  l.mainUp = false;
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, [
    'main 192.0.2.1 down (HTTP 503, 2 attempts); favouring backup 198.51.100.7',
    'example.com: serial 2026112201, www mail -> 198.51.100.7',
  ]);
  assert.match(await l.zone(), /www  IN A   198\.51\.100\.7/);
  reset(l);
  assert.equal(await l.go(), 0, 'still down: nothing new');
  assert.deepEqual(l.out, []);
  l.mainUp = true;
  l.now += 86_400_000; // the next day
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, [], 'recover_after = 2: one good run is not enough');
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['main 192.0.2.1 up (HTTP 200); favouring main 192.0.2.1', 'example.com: serial 2026112300, www mail -> 192.0.2.1']);
});

test('--force publishes unchanged content with a new serial', async () => {
  const l = await lab();
  await l.go();
  reset(l);
  assert.equal(await l.go({ force: true }), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112201, forced']);
  assert.equal(await l.serial(), 2026112201);
});

test('on_base_change = "warn": a base edit waits for --force, with a reminder each run', async () => {
  const l = await lab({ on_base_change: 'warn' });
  await l.go();
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}ftp IN A 203.0.113.9\n`);
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: base/example.com.base changed; not published (on_base_change = "warn"): run zonerw --force to publish it']);
  assert.doesNotMatch(await l.zone(), /ftp/);
  reset(l);
  await l.go({ force: true });
  assert.deepEqual(l.out, ['example.com: serial 2026112201, base file changed, forced']);
  assert.match(await l.zone(), /ftp IN A 203\.0\.113\.9/);
});

test('on_base_change = "publish" (default): a base edit goes out by itself', async () => {
  const l = await lab();
  await l.go();
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}ftp IN A 203.0.113.9\n`);
  reset(l);
  await l.go();
  assert.deepEqual(l.out, ['example.com: serial 2026112201, base file changed']);
});

test('a hand-edited zone file is served as it is, noticed once, and copied before replacement', async () => {
  const l = await lab();
  await l.go();
  const path = join(l.dir, 'zones', 'example.com');
  const edited = (await l.zone()).replace('2026112200', '2026112250') + 'tmp IN A 203.0.113.1\n';
  await writeFile(path, edited);
  reset(l);
  await l.go();
  assert.deepEqual(l.out, ['example.com: zones/example.com was edited by hand; it is served as it is, and a copy is kept when zonerw next replaces it']);
  reset(l);
  await l.go();
  assert.deepEqual(l.out, [], 'said once');
  l.mainUp = false;
  reset(l);
  await l.go();
  assert.equal(l.out.length, 3);
  assert.match(l.out[1]!, /^example\.com: zones\/example\.com was not zonerw's output; kept a copy as zones\/example\.com\.edited-20261122T100000Z$/);
  assert.equal(l.out[2], 'example.com: serial 2026112251, www mail -> 198.51.100.7', 'above the hand-edited serial');
  assert.equal(await readFile(`${path}.edited-20261122T100000Z`, 'utf8'), edited);
});

test('a failed reload is reported, kept pending, and retried by the next run even with nothing changed', async () => {
  const l = await lab();
  l.failing.add('reload');
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['example.com: nsd-control reload example.com failed (exit 1): error: connect: Connection refused; will retry on the next run']);
  assert.deepEqual(l.calls, ['checkzone example.com', 'reload example.com'], 'no NOTIFY for data not loaded');
  assert.deepEqual((await loadState(l.cfg.stateDir)).state.zones['example.com']!.pending, ['reload', 'notify']);
  l.failing.clear();
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.calls], [[], ['reload example.com', 'notify example.com']]);
  assert.deepEqual((await loadState(l.cfg.stateDir)).state.zones['example.com']!.pending, []);
});

test('a zone the checker refuses is not installed; the old file stays; exit 1', async () => {
  const l = await lab();
  await l.go();
  const good = await l.zone();
  await writeFile(join(l.dir, 'base', 'example.com.base'), BASE.replace('198.51.100.7', '192.0.2.300'));
  reset(l);
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['example.com: refused by nsd-checkzone, not installed (the old zone stays): base/example.com.base:5: bad address']);
  assert.equal(await l.zone(), good);
  assert.deepEqual(await readdir(join(l.dir, 'zones')), ['example.com'], 'no temp left');
  assert.deepEqual(l.calls, ['checkzone example.com']);
});

test('a wrong base file names file:line, exits 65, and the other zones still publish', async () => {
  const l = await lab({}, { 'a.example': BASE.replace('www  IN A   @IP@', 'www  IN A   @ip@'), 'b.example': BASE });
  assert.equal(await l.go(), 65);
  assert.deepEqual(l.err, [
    'base/a.example.base:5: unknown marker @ip@ (did you mean @IP@?)',
    'a.example: not published; the installed zone file is unchanged',
  ]);
  assert.deepEqual(l.out, ['b.example: serial 2026112200, www mail -> 192.0.2.1, zone file was missing']);
  await assert.rejects(l.zone('a.example'));
});

test('a run killed between install and state save: no false alarm, no extra serial, reload still done', async () => {
  const l = await lab();
  await l.go();
  l.mainUp = false;
  let saves = 0;
  const real = l.deps.saveState;
  l.deps.saveState = async (dir, state) => {
    if (++saves === 2) throw new Error('killed'); // the save after the install
    return real(dir, state);
  };
  l.failing.add('reload'); // (the run dies before the nameserver steps anyway)
  await assert.rejects(l.go(), /killed/);
  assert.match(await l.zone(), /198\.51\.100\.7/, 'the install happened');
  l.deps.saveState = real;
  l.failing.clear();
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, [], 'the transition was said (and saved with the intents) by the killed run');
  assert.deepEqual(l.calls, ['reload example.com', 'notify example.com'], 'the owed reload, nothing republished');
  assert.equal(await l.serial(), 2026112201);
});

test('a corrupt state is moved aside and rebuilt from the zone files without lowering a serial', async () => {
  const l = await lab();
  await l.go();
  await l.go({ force: true });
  await l.go({ force: true }); // serial 2026112202
  await writeFile(join(l.dir, 'state', 'state.json'), '{"version": 1, "zones": {"exa');
  reset(l);
  assert.equal(await l.go(), 0);
  assert.match(l.err[0]!, /state\.json: not valid JSON .*; moved to .*state\.json\.corrupt, rebuilding from the installed zone files/);
  assert.deepEqual(l.out, [], 'the installed file is up to date: adopted, not republished');
  l.mainUp = false;
  reset(l);
  await l.go();
  assert.equal(await l.serial(), 2026112203);
});

test('a state file from a newer zonerw is refused, not overwritten', async () => {
  const l = await lab();
  await l.go();
  const zone = await l.zone();
  await writeFile(join(l.dir, 'state', 'state.json'), '{"version": 9}');
  await assert.rejects(l.go(), /written by a newer zonerw \(version 9; this one reads 1\): upgrade zonerw/);
  assert.equal(await readFile(join(l.dir, 'state', 'state.json'), 'utf8'), '{"version": 9}');
  assert.equal(await l.zone(), zone);
});

test('--dry-run prints the diff and the commands, and writes nothing at all', async () => {
  const l = await lab();
  await l.go();
  l.mainUp = false;
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const sub of ['zones', 'state']) {
      for (const f of await readdir(join(l.dir, sub))) out[`${sub}/${f}`] = await readFile(join(l.dir, sub, f), 'utf8');
    }
    return out;
  };
  const before = await snapshot();
  reset(l);
  assert.equal(await l.go({ dryRun: true }), 0);
  assert.deepEqual(await snapshot(), before);
  const text = l.out.join('\n');
  assert.match(text, /^would publish example\.com: serial 2026112201, www mail -> 198\.51\.100\.7$/m);
  assert.match(text, /^-www  IN A   192\.0\.2\.1\n-mail IN A   192\.0\.2\.1 ; @IP@\n\+www  IN A   198\.51\.100\.7\n\+mail IN A   198\.51\.100\.7 ; @IP@$/m);
  assert.match(text, /^would run: nsd-control reload example\.com\nwould run: nsd-control notify example\.com$/m);
  assert.deepEqual(l.calls, ['checkzone example.com']);
});

test('a lost lock stops the run before any install', async () => {
  const l = await lab();
  await l.go();
  const zone = await l.zone();
  l.mainUp = false;
  l.deps.lock = async () => ({ release: async () => {}, compromised: () => new Error('lost the lock: test') });
  await assert.rejects(l.go(), /lost the lock/);
  assert.equal(await l.zone(), zone);
  assert.deepEqual(await readdir(join(l.dir, 'zones')), ['example.com']);
});

test('a zone without @IP@ ignores failovers; bytes outside markers survive (latin1 round trip)', async () => {
  const fixed = `$TTL 300\n@ IN SOA ns1.example.org. h.example.org. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.example.org.\n; caf\u00e9 \u2713\n`;
  const l = await lab({}, { 'example.org': fixed, 'example.com': BASE });
  await l.go();
  assert.equal(await l.zone('example.org'), fixed.replace('@serial number@', '2026112200'));
  l.mainUp = false;
  reset(l);
  await l.go();
  assert.deepEqual(l.out.slice(1), ['example.com: serial 2026112201, www mail -> 198.51.100.7']);
});

test('pointAtBase: a checker message about the rendered file points at the base file line', async () => {
  const { pointAtBase } = await import('../../src/core/messages.js');
  // rendered lines 1..6 come from base lines 1,2,3,3,3,4 (@IPS@ on line 3 repeated three times)
  const map = [1, 2, 3, 3, 3, 4];
  assert.equal(pointAtBase('/z/.ex.tmp:6: bad address; zone ex: /z/.ex.tmp has 1 error', '/z/.ex.tmp', 'base/ex.base', map), 'base/ex.base:4: bad address; zone ex: base/ex.base has 1 error');
  assert.equal(pointAtBase('/z/.ex.tmp:99: odd', '/z/.ex.tmp', 'base/ex.base', map), 'base/ex.base:99: odd');
  assert.equal(pointAtBase('no file named', '/z/.ex.tmp', 'base/ex.base', map), 'no file named');
});

test('max_shrink: a base file truncated to half, or to its SOA, is refused unless --force', async () => {
  const many = `${BASE}${Array.from({ length: 20 }, (_, i) => `h${i} IN A 203.0.113.${i}\n`).join('')}`;
  const l = await lab({}, { 'example.com': many });
  await l.go();
  const good = await l.zone();
  const lines = many.split('\n');
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${lines.slice(0, Math.floor(lines.length / 2) - 2).join('\n')}\n`);
  reset(l);
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['example.com: not published, it would drop from 25 records to 10 (60% fewer; max_shrink is 50%): check base/example.com.base, or publish it anyway with zonerw --force']);
  assert.equal(await l.zone(), good);
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${lines.slice(0, 2).join('\n')}\n`);
  reset(l);
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['example.com: not published, the rendered zone has no NS records (1 record in all): check base/example.com.base, or publish it anyway with zonerw --force']);
  assert.equal(await l.zone(), good);
  reset(l);
  assert.equal(await l.go({ force: true }), 0, '--force publishes it anyway');
  assert.match(await l.zone(), /^\$TTL 300\n@ +IN SOA [^\n]+\n$/);
});

test('max_shrink = "100%" turns the shrink guard off (the NS guard stays)', async () => {
  const l = await lab({ max_shrink: '100%' });
  await l.go();
  await writeFile(join(l.dir, 'base', 'example.com.base'), BASE.split('\n').slice(0, 3).join('\n') + '\n');
  reset(l);
  assert.equal(await l.go(), 0);
});

test('secondaries: the publish waits for them; one still behind is said once per run until it catches up', async () => {
  const l = await lab({ secondaries: ['127.0.0.1:5354', 'ns2.example.net'], secondary_wait: '300ms' });
  l.served.set('127.0.0.1:5354', 2026112200);
  l.served.set('ns2.example.net:53', 2026112200);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, []);
  l.mainUp = false;
  l.now += 180_000;
  reset(l);
  // the first catches up during the wait, the second stays behind
  setTimeout(() => l.served.set('127.0.0.1:5354', 2026112201), 50);
  assert.equal(await l.go(), 0, 'not strict: behind is said, not an error');
  assert.deepEqual(l.err, ['secondaries behind: ns2.example.net serves example.com 2026112200, not 2026112201 (for 0s)']);
  reset(l);
  l.now += 300_000;
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, ['secondaries behind: ns2.example.net serves example.com 2026112200, not 2026112201 (for 5m)'], 'said again, once, on the next run');
  l.served.set('ns2.example.net:53', 2026112201);
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err], [[], []], 'caught up: quiet again');
  reset(l);
  l.served.delete('ns2.example.net:53');
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, [], 'a steady run does not ask the secondaries');
});

test('strict_secondaries: a secondary behind makes the run exit 1', async () => {
  const l = await lab({ secondaries: { '*': ['127.0.0.1:5354'] }, strict_secondaries: true, secondary_wait: '200ms' });
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['secondaries behind: 127.0.0.1:5354 does not answer for example.com (no answer within 1000 ms), not 2026112200 (for 0s)']);
});

test('hooks: run after the install with the ZONERW_* environment; a failing or hanging hook is reported once and never undoes the change', async () => {
  const l = await lab();
  const log = join(l.dir, 'hook.log');
  const script = join(l.dir, 'hook.sh');
  await writeFile(script, `#!/bin/sh\nprintf '%s|%s|%s|%s|%s|%s|%s\\n' "$1" "$ZONERW_EVENT" "$ZONERW_FROM" "$ZONERW_TO" "$ZONERW_ZONES" "$ZONERW_SERIALS" "$(grep -c 198.51.100.7 ${join(l.dir, 'zones', 'example.com')})" >> ${log}\n`, { mode: 0o755 });
  l.cfg.hooks = [
    { on: ['failover'], run: [script, 'start-standby'], timeoutMs: 5000 },
    { on: ['failback'], run: [script, 'stop-standby'], timeoutMs: 5000 },
    { on: ['publish'], run: [script, 'published'], timeoutMs: 5000 },
    { on: ['failover'], run: ['sh', '-c', 'echo no provider >&2; exit 3'], timeoutMs: 5000 },
    { on: ['failover'], run: ['sleep', '30'], timeoutMs: 300 },
  ];
  await l.go();
  await rm(log, { force: true });
  l.mainUp = false;
  reset(l);
  assert.equal(await l.go(), 1, 'a failed hook is an error');
  assert.match(await l.zone(), /198\.51\.100\.7/, 'the DNS change stands');
  assert.deepEqual((await readFile(log, 'utf8')).trim().split('\n'), [
    'start-standby|failover|main 192.0.2.1|backup 198.51.100.7|example.com|example.com=2026112201|3',
    'published|publish|main 192.0.2.1|backup 198.51.100.7|example.com|example.com=2026112201|3',
  ]);
  assert.deepEqual(l.err, [
    'hook sh -c echo no provider >&2; exit 3 (on failover) failed (exit 3): no provider; the DNS change stands; the hook is not run again for this event',
    'hook sleep 30 (on failover) failed (timed out after 300ms); the DNS change stands; the hook is not run again for this event',
  ]);
  reset(l);
  assert.equal(await l.go(), 0, 'not retried: the next run is quiet');
  assert.deepEqual(l.err, []);
  l.mainUp = true;
  await l.go();
  await l.go();
  assert.match(await readFile(log, 'utf8'), /^stop-standby\|failback\|backup 198\.51\.100\.7\|main 192\.0\.2\.1\|/m);
  const history = (await readFile(join(l.dir, 'state', 'history.jsonl'), 'utf8')).trim().split('\n').map((x) => JSON.parse(x));
  const hooks = history.filter((e) => e.type === 'hook');
  assert.deepEqual(hooks.map((h) => [h.on, h.ok]), [['publish', true], ['failover', true], ['publish', true], ['failover', false], ['failover', false], ['failback', true], ['publish', true]]);
  // the history names each move as the hooks do: the first run's start, then failover and failback
  const moves = history.filter((e) => ['failover', 'failback', 'change'].includes(e.type));
  assert.deepEqual(moves.map((e) => [e.type, e.from, e.to]), [['change', null, 'main'], ['failover', 'main', 'backup'], ['failback', 'backup', 'main']]);
  assert.deepEqual(history.filter((e) => e.type === 'transition'), [], 'no longer written');
});

test('metrics_file: written atomically at the end of each run, in a format promtool accepts', async (t) => {
  const l = await lab({ metrics_file: 'metrics/zonerw.prom' });
  await mkdir(join(l.dir, 'metrics'));
  l.mainUp = false;
  await l.go();
  const text = await readFile(join(l.dir, 'metrics', 'zonerw.prom'), 'utf8');
  const value = (name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
  assert.equal(value('zonerw_server_check_up{server="main"}'), 0);
  assert.equal(value('zonerw_server_up{server="main"}'), 0);
  assert.equal(value('zonerw_server_favoured{server="backup"}'), 1);
  assert.equal(value('zonerw_server_consecutive_failed_runs{server="main"}'), 1);
  assert.equal(value('zonerw_zone_serial{zone="example.com"}'), 2026112200);
  assert.equal(value('zonerw_zone_last_publish_timestamp_seconds{zone="example.com"}'), l.now / 1000);
  assert.equal(value('zonerw_last_success_timestamp_seconds'), l.now / 1000);
  assert.equal(value('zonerw_pin_active'), 0);
  assert.ok(value('zonerw_run_duration_seconds') > 0);
  assert.deepEqual((await readdir(join(l.dir, 'metrics'))), ['zonerw.prom'], 'no temp file left');
  const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (promtool.error) return skipOrFail(t, 'promtool is not installed (the prometheus package)');
  assert.equal(promtool.status, 0, `promtool check metrics: ${promtool.stdout}${promtool.stderr}`);
  assert.equal(promtool.stdout + promtool.stderr, '', 'no lint warnings either');
});

test('a steady run reads no zone whose files and values are unchanged; any edit, even of the same size, is seen', async () => {
  const l = await lab({}, { 'a.example': BASE, 'b.example': BASE });
  await l.go();
  reset(l);
  await l.go({ verbose: true });
  assert.ok(l.out.includes('2 of 2 zones unchanged since the last run (files and values): not read'), l.out.join('\n'));
  // same length, same second: size and mtime alone would miss it
  await writeFile(join(l.dir, 'base', 'b.example.base'), BASE.replace('198.51.100.7', '198.51.100.8'));
  reset(l);
  await l.go({ verbose: true });
  assert.ok(l.out.includes('1 of 2 zones unchanged since the last run (files and values): not read'), l.out.join('\n'));
  assert.ok(l.out.includes('b.example: serial 2026112201, base file changed'));
  // a hand edit of the zone file is seen too
  await writeFile(join(l.dir, 'zones', 'a.example'), (await l.zone('a.example')).replace('ns1  IN A   198.51.100.7', 'ns1  IN A   198.51.100.9'));
  reset(l);
  await l.go();
  assert.deepEqual(l.out, ['a.example: zones/a.example was edited by hand; it is served as it is, and a copy is kept when zonerw next replaces it']);
  // and a failover reads them all again
  l.mainUp = false;
  reset(l);
  await l.go();
  assert.equal(l.out.filter((x) => / -> 198\.51\.100\.7/.test(x)).length, 2);
});

test('many zones owing a reload: one command where the nameserver allows it, else one a zone', async () => {
  const bases = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`z${String(i).padStart(2, '0')}.example`, BASE]));
  const l = await lab({}, bases);
  (l.deps.nameserver as { batching: string }).batching = 'all'; // like nsd-control
  await l.go();
  assert.deepEqual(l.calls.filter((c) => !c.startsWith('checkzone')), ['reload', 'notify'], 'nsd: the zoneless form covers them all');
  (l.deps.nameserver as { batching: string }).batching = 'list'; // like knotc
  l.mainUp = false;
  reset(l);
  await l.go();
  assert.deepEqual(l.calls.filter((c) => !c.startsWith('checkzone')), [`reload ${Object.keys(bases).join(' ')}`, `notify ${Object.keys(bases).join(' ')}`]);
  (l.deps.nameserver as { batching: string }).batching = 'all';
  l.failing.add('reload');
  l.mainUp = true;
  reset(l);
  await l.go();
  await l.go(); // recover_after = 2
  assert.deepEqual(l.err, ['12 zones: nsd-control reload failed (exit 1): error: connect: Connection refused; will retry on the next run']);
  const state = (await loadState(l.cfg.stateDir)).state;
  assert.ok(Object.values(state.zones).every((z) => z.pending.join() === 'reload,notify'));
  l.failing.clear();
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.calls, ['reload', 'notify']);
});

test('a content the checker accepted before (serial aside) is not checked again; $INCLUDE zones always are', async () => {
  const l = await lab({}, { 'a.example': BASE, 'b.example': `${BASE}$INCLUDE extra.inc\n` });
  const checks = () => l.calls.filter((c) => c.startsWith('checkzone')).sort();
  await l.go();
  assert.deepEqual(checks(), ['checkzone a.example', 'checkzone b.example']);
  const flip = async (up: boolean) => {
    l.mainUp = up;
    reset(l);
    await l.go();
    if (up) await l.go(); // recover_after = 2
  };
  await flip(false);
  assert.deepEqual(checks(), ['checkzone a.example', 'checkzone b.example'], 'the backup content is new');
  await flip(true);
  assert.deepEqual(checks(), ['checkzone b.example'], 'the main content was accepted at the first run');
  await flip(false);
  assert.deepEqual(checks(), ['checkzone b.example']);
  assert.match(await l.zone('a.example'), /198\.51\.100\.7/);
  // an edited base is a new content: checked, and refused when wrong
  await writeFile(join(l.dir, 'base', 'a.example.base'), BASE.replace('198.51.100.7', '192.0.2.300'));
  reset(l);
  assert.equal(await l.go(), 1);
  assert.deepEqual(checks(), ['checkzone a.example']);
  const status = (await loadState(l.cfg.stateDir)).state.zones['a.example']!;
  assert.equal(status.checker, 'nsd-checkzone');
});

// ------------------------------------------------------------------ issue 11: rough edges

test('a serial ahead of the date is a warning: on stderr unless -q, a warning event in the history, no error hook, exit 0', async () => {
  const l = await lab();
  const log = join(l.dir, 'hook.log');
  l.cfg.hooks = [{ on: ['error'], run: ['sh', '-c', `echo "$ZONERW_REASON" >> ${log}`], timeoutMs: 5000 }];
  assert.equal(await l.go(), 0); // serial 2026112200
  const ahead = "example.com: serial 2026112201 is ahead of today's date (over 100 changes today, or an earlier serial was ahead); it still increases";
  for (const quiet of [false, true]) {
    reset(l);
    l.now -= 86_400_000; // the clock a day back: the serial runs ahead of the date
    assert.equal(await l.go({ quiet, force: true }), 0, l.err.join('\n'));
    assert.deepEqual(l.err, quiet ? [] : [ahead.replace('2026112201', String(await l.serial()))]);
  }
  const history = (await readFile(join(l.dir, 'state', 'history.jsonl'), 'utf8')).trim().split('\n').map((x) => JSON.parse(x));
  assert.deepEqual(history.filter((e) => e.type === 'warning').map((e) => e.message), [ahead, ahead.replace('2026112201', '2026112202')]);
  assert.deepEqual(history.filter((e) => e.type === 'error'), []);
  await assert.rejects(stat(log), 'the error hook did not run');
});

test('a deleted base file: said on every run (exit 65) while its zone file is served; retired once the zone file is gone too', async () => {
  const l = await lab({}, { 'example.com': BASE, 'example.net': BASE.replaceAll('example.com', 'example.net') });
  assert.equal(await l.go(), 0);
  await rm(join(l.dir, 'base', 'example.net.base'));
  const gone = "base/example.net.base is gone: zone example.net is no longer published, and its zone file zones/example.net stays as it is (the nameserver keeps serving it); restore the base file, or retire the zone: remove it from the nameserver's config and delete zones/example.net";
  for (let i = 0; i < 2; i++) {
    reset(l);
    l.mainUp = false;
    assert.equal(await l.go(), 65);
    assert.deepEqual(l.err, [gone]);
    if (i === 0) assert.match(l.out.join('\n'), /^example\.com: serial 2026112201, www mail -> 198\.51\.100\.7$/m, 'the other zones still fail over');
  }
  assert.match(await l.zone('example.net'), /192\.0\.2\.1/, 'the orphan zone file is left as it was');
  const { buildStatus, formatStatus } = await import('../../src/commands/status.js');
  const report = await buildStatus(l.cfg, l.deps, l.now);
  assert.deepEqual(report.zones.map((z) => [z.zone, z.baseGone]), [['example.com', false], ['example.net', true]]);
  assert.ok(formatStatus(report, l.now).includes(`    NOT PUBLISHED: ${gone}`));
  await rm(join(l.dir, 'zones', 'example.net'));
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err], [['example.net: base/example.net.base and zones/example.net are gone: zone example.net is retired, and zonerw forgets it'], []]);
  assert.deepEqual(Object.keys((await loadState(join(l.dir, 'state'))).state.zones), ['example.com']);
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err], [[], []], 'said once');
});

test('with zones listed, a zone taken off the list is not a gone base file', async () => {
  const l = await lab({}, { 'example.com': BASE, 'example.net': BASE.replaceAll('example.com', 'example.net') });
  assert.equal(await l.go(), 0);
  l.cfg.zones = ['example.com'];
  reset(l);
  l.mainUp = false;
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, []);
});
