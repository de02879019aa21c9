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
import { check } from '../../src/commands/check.js';
import type { Step } from '../../src/core/nameserver.js';
import type { Deps, RunOptions } from '../../src/run/ports.js';
import { loadState } from '../../src/adapters/state-file.js';
import { commandResult } from '../../src/core/outcome.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';
import { answerFrom } from '../helpers/fake-dns.js';
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
  /** the checker gives no verdict, for this reason ('timed out after 10s') */
  checkzoneUnfinished?: string;
  /** the working folder of each checker run */
  checkCwds: (string | undefined)[];
  /** what the fake primary (127.0.0.1:53, the default address) serves, by zone: the zone file as of its last reload */
  loaded: Map<string, string>;
  /** false: the fake control command says ok to a reload and loads nothing (like `true`) */
  reloadLoads: boolean;
  /** the fake primary serves the loaded file's serial plus this (a signer renumbers) */
  signer: number;
  /** secondaries ("host:port") that transfer from the fake primary 20 ms after each reload */
  follow: Set<string>;
  /** what each fake secondary serves, by "host:port", then zone (undefined: it does not answer) */
  secondary: Map<string, Map<string, string>>;
  /** the secondary at "host:port" transfers what the primary serves now */
  transfer(at: string, zone?: string): void;
  /** every DNS question asked: "host:port zone" */
  asked: string[];
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
    dir, cfg, mainUp: true, now: Date.parse('2026-11-22T10:00:00Z'), calls: [], failing: new Set(), checkzoneFails: false, checkCwds: [],
    loaded: new Map(), reloadLoads: true, signer: 0, follow: new Set(), secondary: new Map(), asked: [], out: [], err: [],
    transfer: (at, zone = 'example.com') => {
      const text = l.loaded.get(zone);
      if (text === undefined) throw new Error(`the fake primary serves no ${zone} to transfer`);
      l.secondary.set(at, new Map([...(l.secondary.get(at) ?? []), [zone, text]]));
    },
    deps: undefined as unknown as Deps,
    go: (opts = {}) => run(cfg, { force: false, dryRun: false, verbose: false, quiet: false, ...opts }, l.deps),
    zone: (name = 'example.com') => readFile(join(dir, 'zones', name), 'utf8'),
    serial: async (name = 'example.com') => Number(/\( (\d+) /.exec(await l.zone(name))![1]),
  };
  const nameserver = fakeNameserver(l.calls, {
    async run(step, zones) {
      l.calls.push([step, ...(typeof zones === 'string' ? [zones] : zones)].join(' '));
      const ok = !l.failing.has(step);
      if (ok && step === 'reload' && l.reloadLoads) {
        const names = typeof zones === 'string' ? [zones] : zones.length > 0 ? zones : await readdir(join(dir, 'zones'));
        for (const z of names) {
          const text = await readFile(join(dir, 'zones', z), 'utf8').catch(() => '');
          const serial = /\( (\d+) /.exec(text)?.[1];
          l.loaded.set(z, serial && l.signer ? text.replace(serial, String(Number(serial) + l.signer)) : text);
          for (const at of l.follow) setTimeout(() => l.transfer(at, z), 20);
        }
      }
      return commandResult({ kind: 'exit', code: ok ? 0 : 1 }, '', ok ? '' : 'error: connect: Connection refused');
    },
    async validate(zone, file, opts) {
      l.calls.push(`checkzone ${zone}`);
      l.checkCwds.push(opts?.cwd);
      if (l.checkzoneUnfinished) return { ok: false, checker: 'nsd-checkzone', unfinished: l.checkzoneUnfinished };
      const text = await readFile(file, 'utf8');
      return l.checkzoneFails || text.includes('.300')
        ? { ok: false, checker: 'nsd-checkzone', message: `${file}:5: bad address` }
        : { ok: true, checker: 'nsd-checkzone' };
    },
  });
  l.deps = adapterDeps({
    now: () => l.now,
    probe: async () => (l.mainUp ? { up: true, reason: 'HTTP 200', latencyMs: 1 } : { up: false, reason: 'HTTP 503', latencyMs: 1 }),
    nameserver,
    dns: async (host, port, zone, names) => {
      l.asked.push(`${host}:${port} ${zone}`);
      if (host === '127.0.0.1' && port === 53) return answerFrom(l.loaded.get(zone), zone, names);
      const served = l.secondary.get(`${host}:${port}`);
      if (!served) return { answered: false, problem: 'no answer within 1000 ms', addresses: [] };
      return answerFrom(served.get(zone), zone, names);
    },
    findProgram: async () => true, // the checker is the fake's own
    log: { out: (s) => l.out.push(s), err: (s) => l.err.push(s) },
  });
  return l;
}

function reset(l: Lab) {
  l.out.length = 0;
  l.err.length = 0;
  l.calls.length = 0;
  l.asked.length = 0;
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
  assert.deepEqual(l.out, ['example.com: waiting: serial 2026112200, www mail -> 192.0.2.1, zone file was missing: installed, but its reload failed (said on stderr); the reload is retried on the next run'], 'no change claimed before it is served');
  assert.deepEqual(l.calls, ['checkzone example.com', 'reload example.com'], 'no NOTIFY for data not loaded');
  assert.deepEqual((await loadState(l.cfg.stateDir)).state.zones['example.com']!.pending, ['reload', 'notify']);
  l.failing.clear();
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.calls], [['example.com: now served by the primary: serial 2026112200, www mail -> 192.0.2.1, zone file was missing'], ['reload example.com', 'notify example.com']]);
  assert.deepEqual((await loadState(l.cfg.stateDir)).state.zones['example.com']!.pending, []);
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, [], 'said once');
});

test('a reload the control command reports done but the primary does not serve: exit 1 naming what it serves, pending, status shows it; the next good run publishes', async () => {
  const l = await lab({ nameserver: { kind: 'nsd', serve_wait: '300ms' } });
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.asked, ['127.0.0.1:53 example.com', '127.0.0.1:53 example.com'], 'asked before the publish (its serial) and after the reload');
  l.reloadLoads = false; // like control = ["true"]
  l.mainUp = false;
  reset(l);
  assert.equal(await l.go(), 1);
  assert.equal(l.err.length, 1, l.err.join('\n'));
  assert.equal(l.out.at(-1), 'example.com: waiting: serial 2026112201, www mail -> 198.51.100.7: installed, but the primary does not serve it yet (said on stderr); the reload is retried on the next run', 'stdout claims no change DNS does not serve');
  assert.ok(!l.out.some((x) => x.startsWith('example.com: serial')), l.out.join('\n'));
  assert.match(l.err[0]!, /^example\.com: not published: the primary 127\.0\.0\.1:53 serves serial 2026112200 \(mail\.example\.com A 192\.0\.2\.1; www\.example\.com A 192\.0\.2\.1\), not serial 2026112201 \(mail\.example\.com A 198\.51\.100\.7; www\.example\.com A 198\.51\.100\.7\), \d+ms after the reload; look in the nameserver's log, check that it can read zones\/example\.com \(the file's permissions, the nameserver's user\) and that its config loads that file for example\.com; the reload is retried on the next run$/);
  assert.deepEqual(l.calls, ['checkzone example.com', 'reload example.com'], 'no NOTIFY for data the primary does not serve');
  assert.deepEqual((await loadState(l.cfg.stateDir)).state.zones['example.com']!.pending, ['reload', 'notify']);
  const { buildStatus, formatStatus } = await import('../../src/commands/status.js');
  const report = await buildStatus(l.cfg, l.deps, l.now);
  assert.deepEqual(report.zones[0]!.served && { ...report.zones[0]!.served, words: null }, { serial: 2026112200, addressesMatch: false, current: false, problem: null, words: null });
  assert.deepEqual(report.favoured?.notServedBy, ['example.com']);
  const text = formatStatus(report, l.now).join('\n');
  assert.match(text, /^favoured: backup 198\.51\.100\.7 since .*; DNS DOES NOT SERVE IT YET for example\.com \(see below\)/m);
  assert.match(text, /^ {4}primary 127\.0\.0\.1:53: NOT SERVED AS PUBLISHED: it serves serial 2026112200 \(/m);
  reset(l);
  assert.equal(await l.go(), 1, 'still not loading: still an error, on every run');
  l.reloadLoads = true;
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err, l.calls], [['example.com: now served by the primary: serial 2026112201, www mail -> 198.51.100.7'], [], ['reload example.com', 'notify example.com']]);
  const history = await readFile(join(l.cfg.stateDir, 'history.jsonl'), 'utf8');
  assert.match(history, /"type":"served","zone":"example\.com","serial":2026112201/);
  assert.match(history, /"type":"failover"[^\n]*"served":false/, 'the failover was recorded as not served');
  assert.deepEqual((await loadState(l.cfg.stateDir)).state.zones['example.com']!.pending, []);
  const after = await buildStatus(l.cfg, l.deps, l.now);
  assert.deepEqual(after.zones[0]!.served, { serial: 2026112201, addressesMatch: true, current: true, problem: null, words: null });
  assert.deepEqual(after.favoured?.notServedBy, []);
});

test('the primary: SERVFAIL names the zone file to look at; nothing answering says to set address; address = false asks nothing', async () => {
  const l = await lab({ nameserver: { kind: 'nsd', serve_wait: '200ms' } });
  l.deps.dns = async () => ({ answered: true, problem: 'SERVFAIL', addresses: [] });
  assert.equal(await l.go(), 1);
  assert.match(l.err[0]!, /^example\.com: not published: the primary 127\.0\.0\.1:53 answers SERVFAIL for the zone, \d+ms after the reload; look in the nameserver's log, check that it can read zones\/example\.com/);
  l.deps.dns = async () => ({ answered: false, problem: 'no answer within 1000 ms', addresses: [] });
  reset(l);
  assert.equal(await l.go(), 1);
  assert.match(l.err[0]!, /^example\.com: installed and reloaded, but not confirmed as served: the primary 127\.0\.0\.1:53 does not answer \(no answer within 1000 ms\), \d+m?s after the reload; set nameserver\.address to where the nameserver listens \("HOST:PORT"\), or to false if zonerw cannot query it; the reload is retried on the next run$/);
  assert.equal((await loadState(l.cfg.stateDir)).state.zones['example.com']!.primarySilent, true, 'its serving is unknown, not denied');

  const off = await lab({ nameserver: { kind: 'nsd', address: false } });
  off.deps.dns = async () => assert.fail('address = false: the primary is never asked');
  assert.equal(await off.go(), 0);
  off.mainUp = false;
  assert.equal(await off.go(), 0);
  const { buildStatus, formatStatus } = await import('../../src/commands/status.js');
  const report = await buildStatus(off.cfg, off.deps, off.now);
  assert.deepEqual([report.primary, report.zones[0]!.served, report.favoured?.notServedBy], [{ address: null, notAsked: 'nameserver.address = false' }, null, null]);
  assert.match(formatStatus(report, off.now).join('\n'), /^ {4}primary: not asked \(nameserver\.address = false\): zonerw cannot tell whether it serves the zone$/m);
});

test('a steady run sends no DNS query; a publish asks the primary first and takes a serial above what it serves', async () => {
  const l = await lab();
  await l.go();
  reset(l);
  for (let i = 0; i < 3; i++) await l.go();
  assert.deepEqual(l.asked, [], 'nothing published, nothing pending: no query');
  // the primary numbered ahead (a signer re-signed three times)
  l.loaded.set('example.com', (await l.zone()).replace('2026112200', '2026112207'));
  l.mainUp = false;
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out.at(-1), 'example.com: serial 2026112208, www mail -> 198.51.100.7');
  assert.deepEqual(l.asked, ['127.0.0.1:53 example.com', '127.0.0.1:53 example.com'], 'once before the publish, once after the reload');
});

test('checkzone = "auto" with no checker to be found: a warning on every run, and the zone still goes out', async () => {
  const l = await lab();
  l.deps.findProgram = async () => false;
  assert.equal(await l.go(), 0);
  const warning = 'warning: nameserver.checkzone: no zone checker found (nsd-checkzone: not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin); install the package that has it: apt-get install nsd; until then zones are installed without validation';
  assert.deepEqual(l.err, [warning]);
  reset(l);
  assert.equal(await l.go(), 0, 'a warning, not an error');
  assert.deepEqual([l.out, l.err], [[], [warning]], 'said again on a steady run');
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
    'a.example: not published; there is no zone file yet',
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
  await assert.rejects(l.go(), /written by a newer zonerw \(version 9; this one reads 2\): upgrade zonerw/);
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
  // kzonecheck -v
  assert.equal(pointAtBase("error: [ex.] zone loader, error in zone, file '/z/.ex.tmp', line 6 (invalid IPv4 address)", '/z/.ex.tmp', 'base/ex.base', map), "error: [ex.] zone loader, error in zone, file 'base/ex.base', line 4 (invalid IPv4 address)");
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

test('secondaries: the publish waits for them; one still behind is said once per run until it catches up, "for" the time since the publish', async () => {
  const l = await lab({ secondaries: ['127.0.0.1:5354', 'ns2.example.net'], secondary_wait: '1s' });
  l.follow.add('127.0.0.1:5354');
  l.follow.add('ns2.example.net:53');
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, []);
  l.mainUp = false;
  l.now += 180_000;
  l.follow.delete('ns2.example.net:53'); // it stops transferring
  reset(l);
  assert.equal(await l.go(), 0, 'not strict: behind is said, not an error');
  assert.deepEqual(l.err, [
    'secondaries behind: example.com: ns2.example.net serves serial 2026112200 (mail.example.com A 192.0.2.1; www.example.com A 192.0.2.1), not serial 2026112201 (mail.example.com A 198.51.100.7; www.example.com A 198.51.100.7), for 1s',
  ], 'the wait of 1s is in the time behind');
  reset(l);
  l.now += 300_000;
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, ['secondaries behind: example.com: ns2.example.net serves serial 2026112200 (mail.example.com A 192.0.2.1; www.example.com A 192.0.2.1), not serial 2026112201 (mail.example.com A 198.51.100.7; www.example.com A 198.51.100.7), for 5m'], 'said again, once, on the next run');
  assert.ok(l.asked.length > 0 && l.asked.every((a) => a === 'ns2.example.net:53 example.com'), `only the one behind is asked (until secondary_wait), the primary is not: ${l.asked.join(', ')}`);
  assert.deepEqual(l.calls, ['notify example.com'], 'the one behind is notified again, once a run');
  l.transfer('ns2.example.net:53');
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err], [['example.com: secondary ns2.example.net now serves serial 2026112201 (notified again)'], []], 'caught up after the NOTIFY sent again: said once');
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err], [[], []], 'quiet again');
  reset(l);
  l.secondary.delete('ns2.example.net:53');
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.err, l.asked], [[], []], 'a steady run asks nobody');
});

test('strict_secondaries: a secondary behind makes the run exit 1', async () => {
  const l = await lab({ secondaries: { '*': ['127.0.0.1:5354'] }, strict_secondaries: true, secondary_wait: '200ms' });
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['secondaries behind: example.com: 127.0.0.1:5354 does not answer (no answer within 1000 ms), for 0s']);
});

test('a secondary is current at the primary\'s serial or later with the same addresses: a signer\'s +2 is not "behind", a secondary at zonerw\'s own serial under it is', async () => {
  const l = await lab({ secondaries: ['127.0.0.1:5354'], secondary_wait: '200ms' });
  l.signer = 2; // like BIND's inline signing: it serves zonerw's serial + 2
  l.follow.add('127.0.0.1:5354');
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, [], 'the secondary serves the primary\'s 2026112202');
  const seen = (await loadState(l.cfg.stateDir)).state.zones['example.com']!;
  assert.equal(seen.primarySerial, 2026112202);
  assert.equal(seen.primarySeenAt, l.now, 'when the primary was seen serving it: this run');
  // a secondary that serves zonerw's own serial while the primary serves +2 has not transferred
  l.follow.clear();
  l.mainUp = false;
  reset(l);
  const stale = (await l.zone()).replace('2026112200', '2026112203');
  l.secondary.set('127.0.0.1:5354', new Map([['example.com', stale]]));
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out.at(-1), 'example.com: serial 2026112204, www mail -> 198.51.100.7', 'the new serial is above what the primary (2026112202) and the secondary (2026112203) served');
  assert.deepEqual(l.err, [
    "example.com: secondary 127.0.0.1:5354 serves serial 2026112203, above the primary's 2026112202: the new serial goes above it, so that the secondary transfers it",
    'secondaries behind: example.com: 127.0.0.1:5354 serves serial 2026112203 (mail.example.com A 192.0.2.1; www.example.com A 192.0.2.1), not serial 2026112206 (mail.example.com A 198.51.100.7; www.example.com A 198.51.100.7), for 0s',
  ]);
  // the right serial with the wrong addresses is not current either
  l.secondary.set('127.0.0.1:5354', new Map([['example.com', stale.replace('2026112203', '2026112206')]]));
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.err, ['secondaries behind: example.com: 127.0.0.1:5354 serves serial 2026112206 with mail.example.com A 192.0.2.1; www.example.com A 192.0.2.1, not mail.example.com A 198.51.100.7; www.example.com A 198.51.100.7, for 0s']);
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

test('a content the checker accepted before (serial aside) is not checked again, included files part of it', async () => {
  const l = await lab({}, { 'a.example': BASE, 'b.example': `${BASE}$INCLUDE extra.inc\n` });
  await writeFile(join(l.dir, 'zones', 'extra.inc'), 'extra IN A 192.0.2.9\n');
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
  assert.deepEqual(checks(), [], 'the main content was accepted at the first run');
  await flip(false);
  assert.deepEqual(checks(), []);
  assert.match(await l.zone('a.example'), /198\.51\.100\.7/);
  // an edited included file is a new content: checked
  await writeFile(join(l.dir, 'zones', 'extra.inc'), 'extra IN A 192.0.2.10\n');
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(checks(), ['checkzone b.example']);
  // an edited base is a new content: checked, and refused when wrong
  await writeFile(join(l.dir, 'base', 'a.example.base'), BASE.replace('198.51.100.7', '192.0.2.300'));
  reset(l);
  assert.equal(await l.go(), 1);
  assert.deepEqual(checks(), ['checkzone a.example']);
  const status = (await loadState(l.cfg.stateDir)).state.zones['a.example']!;
  assert.equal(status.checker, 'nsd-checkzone');
});

// ------------------------------------------------------------------ $INCLUDE and $GENERATE

/** A base file with no NS record of its own: the SOA, then `rest`. */
const SOA_ONLY = `$TTL 300
@    IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 300 60 1209600 300 )
www  IN A   @IP@
`;
const NS_INC = '@ IN NS ns1.example.com.\n@ IN NS ns2.example.com.\nns1 IN A 198.51.100.7\n';

async function writeZones(l: Lab, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(l.dir, 'zones', name, '..'), { recursive: true });
    await writeFile(join(l.dir, 'zones', name), text);
  }
}

test('NS records only in an included file, or made by $GENERATE: published without --force', async () => {
  const l = await lab({}, {
    'inc.example': `${SOA_ONLY}$INCLUDE ns.inc\n`,
    'gen.example': `${SOA_ONLY}$GENERATE 1-2 @ IN NS ns$.example.com.\n`,
  });
  await writeZones(l, { 'ns.inc': NS_INC });
  assert.equal(await l.go(), 0, l.err.join('\n'));
  assert.deepEqual(l.err, []);
  assert.deepEqual(l.out, ['gen.example: serial 2026112200, www -> 192.0.2.1, zone file was missing', 'inc.example: serial 2026112200, www -> 192.0.2.1, zone file was missing']);
  assert.equal((await loadState(l.cfg.stateDir)).state.zones['inc.example']!.records, 5, 'SOA, www, and the 3 included records');
  assert.equal((await loadState(l.cfg.stateDir)).state.zones['gen.example']!.records, 4, 'SOA, www, and 2 generated NS');
});

test('max_shrink counts included records: moving records into an include is no shrink', async () => {
  const hosts = Array.from({ length: 8 }, (_, i) => `h${i} IN A 203.0.113.${i}\n`).join('');
  const l = await lab({}, { 'example.com': `${BASE}${hosts}` });
  await l.go();
  await writeZones(l, { 'hosts.inc': hosts });
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}$INCLUDE hosts.inc\n`);
  reset(l);
  assert.equal(await l.go(), 0, l.err.join('\n'));
  assert.deepEqual(l.out, ['example.com: serial 2026112201, base file changed, included file changed']);
  // and with no state, the installed file's included records count too
  await rm(join(l.dir, 'state', 'state.json'));
  await writeFile(join(l.dir, 'base', 'example.com.base'), BASE);
  reset(l);
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, ['example.com: not published, it would drop from 13 records to 5 (62% fewer; max_shrink is 50%): check base/example.com.base, or publish it anyway with zonerw --force']);
});

test('a marker in an included file: exit 65 naming that file and line; the zone is not published', async () => {
  const l = await lab({}, { 'example.com': `${BASE}$INCLUDE sub/api.inc\n`, 'example.org': BASE });
  await writeZones(l, { 'sub/api.inc': '; the API\napi IN A 192.0.2.50 ; @IP@\nold IN A @ip@\n' });
  assert.equal(await l.go(), 65);
  assert.deepEqual(l.err, [
    'zones/sub/api.inc:2: @IP@ in an included file is not rendered; move the record into the base file',
    'zones/sub/api.inc:3: unknown marker @ip@ (did you mean @IP@?)',
    'example.com: not published; there is no zone file yet',
  ]);
  await assert.rejects(l.zone('example.com'));
  assert.match(await l.zone('example.org'), /www  IN A   192\.0\.2\.1/, 'the other zone is published');
});

test('signatures in an included file: exit 65 naming that file and line; an included DNSKEY alone is fine', async () => {
  const l = await lab({}, { 'example.com': `${BASE}$INCLUDE keys.inc\n`, 'example.org': `${BASE}$INCLUDE signed.inc\n` });
  const key = '@ IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n';
  const sig = 'www IN RRSIG A 13 3 300 20261230000000 20261130000000 12345 example.org. dGVzdA==\n';
  await writeZones(l, { 'keys.inc': key, 'signed.inc': `${key}${sig}` });
  assert.equal(await l.go(), 65);
  assert.equal(l.err.length, 2, l.err.join('\n'));
  assert.match(l.err[0]!, /^zones\/signed\.inc:2: /);
  assert.equal(l.err[1], 'example.org: not published; there is no zone file yet');
  assert.match(await l.zone('example.com'), /^\$INCLUDE keys\.inc$/m, 'the zone that only includes a key is published');
  await assert.rejects(l.zone('example.org'));
});

test('a missing included file, an include loop: exit 65 naming the including line; the installed zone untouched', async () => {
  const l = await lab();
  await l.go();
  const good = await l.zone();
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}$INCLUDE "missing.inc"\n$INCLUDE a.inc\n`);
  await writeZones(l, { 'a.inc': '$INCLUDE b.inc\n', 'b.inc': 'x IN A 192.0.2.9\n$INCLUDE a.inc\n' });
  reset(l);
  assert.equal(await l.go(), 65);
  assert.deepEqual(l.err, [
    'base/example.com.base:7: $INCLUDE missing.inc: zones/missing.inc does not exist',
    'zones/b.inc:2: $INCLUDE a.inc: zones/a.inc includes itself (through zones/a.inc, zones/b.inc)',
    'example.com: not published; the installed zone file is unchanged',
  ]);
  assert.equal(await l.zone(), good);
});

test('an edit of an included file publishes with a new serial; steady runs read nothing', async () => {
  const l = await lab({}, { 'example.com': `${BASE}$INCLUDE hosts.inc\n` });
  await writeZones(l, { 'hosts.inc': 'ftp IN A 203.0.113.9\n' });
  await l.go();
  const reads: string[] = [];
  l.deps.files = { ...l.deps.files, read: (path, encoding) => (reads.push(path), readFile(path, encoding).catch(() => undefined)) };
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.calls, reads], [[], [], []], 'nothing changed: nothing read');
  await writeZones(l, { 'hosts.inc': 'ftp IN A 203.0.113.10\n' });
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112201, included file changed']);
  assert.deepEqual(l.calls, ['checkzone example.com', 'reload example.com', 'notify example.com']);
  assert.ok(reads.includes(join(l.dir, 'zones', 'hosts.inc')));
  reads.length = 0;
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, reads], [[], []], 'steady again');
});

test('on_base_change = "warn" covers included files, with their own reminder', async () => {
  const l = await lab({ on_base_change: 'warn' }, { 'example.com': `${BASE}$INCLUDE hosts.inc\n` });
  await writeZones(l, { 'hosts.inc': 'ftp IN A 203.0.113.9\n' });
  await l.go();
  await writeZones(l, { 'hosts.inc': 'ftp IN A 203.0.113.10\n' });
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: a file included by base/example.com.base changed; not published (on_base_change = "warn"): run zonerw --force to publish it']);
  reset(l);
  await l.go({ force: true });
  assert.deepEqual(l.out, ['example.com: serial 2026112201, included file changed, forced']);
});

test('relative includes are read from include_dir (zone_dir by default), and the checker of a zone with includes runs there', async () => {
  const l = await lab({}, { 'example.com': `${BASE}$INCLUDE hosts.inc\n` });
  await writeZones(l, { 'hosts.inc': 'ftp IN A 203.0.113.9\n' });
  await l.go();
  assert.deepEqual(l.checkCwds, [join(l.dir, 'zones')]);
  const m = await lab({ include_dir: 'named' }, { 'example.com': `${BASE}$INCLUDE hosts.inc\n` });
  await mkdir(join(m.dir, 'named'));
  await writeFile(join(m.dir, 'named', 'hosts.inc'), 'ftp IN A 203.0.113.9\n$INCLUDE /dev/null\n');
  assert.equal(await m.go(), 0, m.err.join('\n'));
  assert.deepEqual(m.checkCwds, [join(m.dir, 'named')]);
  // a zone that includes nothing reads nothing else: checked wherever zonerw runs (zone_dir may not exist yet for zonerw check)
  const plain = await lab({ include_dir: 'nowhere' });
  assert.equal(await plain.go(), 0);
  assert.deepEqual(plain.checkCwds, [undefined]);
  assert.equal((await loadState(m.cfg.stateDir)).state.zones['example.com']!.records, 6, 'the 5 of BASE and ftp');
});

test('a state written before included files were followed still loads; such a zone is read once, then steady', async () => {
  const l = await lab({}, { 'example.com': `${BASE}$INCLUDE hosts.inc\n` });
  await writeZones(l, { 'hosts.inc': 'ftp IN A 203.0.113.9\n' });
  await l.go();
  const path = join(l.dir, 'state', 'state.json');
  const state = JSON.parse(await readFile(path, 'utf8'));
  const memory = state.zones['example.com'];
  delete memory.includedHash;
  delete memory.inputs.included;
  memory.contentHash = 'an older content hash, of the base file alone';
  await writeFile(path, JSON.stringify(state));
  reset(l);
  assert.equal(await l.go(), 0, l.err.join('\n'));
  assert.deepEqual(l.out, ['example.com: serial 2026112201, included file changed'], 'included files were never published as such: once');
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.calls], [[], []]);
});

test('a checker that gives no verdict is one line saying so: in a run, --dry-run and check', async () => {
  const l = await lab({ nameserver: { kind: 'none' } });
  l.checkzoneUnfinished = 'timed out after 10s';
  assert.equal(await l.go(), 1);
  assert.deepEqual([l.out, l.err], [[], ['example.com: nsd-checkzone timed out after 10s; the zone was not installed']]);
  await assert.rejects(l.zone());
  reset(l);
  assert.equal(await l.go({ dryRun: true }), 1);
  assert.deepEqual(l.err, ['example.com: nsd-checkzone timed out after 10s; the zone would not be installed']);
  reset(l);
  assert.equal(await check(l.cfg, {}, l.deps), 1);
  assert.deepEqual([l.out, l.err], [[], ['example.com: nsd-checkzone timed out after 10s; not validated']]);
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

test('zonerw check: nothing answering DNS at [nameserver] address fails, saying to set it; a primary that answers (even without the zone yet) passes', async () => {
  const l = await lab();
  const { check } = await import('../../src/commands/check.js');
  l.deps.findProgram = async () => true;
  const real = l.deps.dns;
  const asked: string[] = [];
  l.deps.dns = async (host, port, zone) => {
    asked.push(`${host}:${port} ${zone}`);
    return { answered: false, problem: 'no answer within 1000 ms', addresses: [] };
  };
  assert.equal(await check(l.cfg, {}, l.deps), 1);
  assert.deepEqual(asked, ['127.0.0.1:53 example.com']);
  assert.deepEqual(l.err, ['nameserver.address: nothing answers DNS at 127.0.0.1:53 (no answer within 1000 ms); set nameserver.address to where the nameserver listens ("HOST:PORT"), or to false if zonerw cannot query it']);
  assert.deepEqual(l.out, [], 'not "ok"');
  reset(l);
  l.deps.dns = async () => ({ answered: true, problem: 'REFUSED', addresses: [] }); // listening, the zone not loaded yet
  assert.equal(await check(l.cfg, {}, l.deps), 0, l.err.join('\n'));
  assert.match(l.out[0]!, /^ok: /);
  l.deps.dns = real;
});

test('zonerw check: checkzone = "auto" with no checker to be found fails, saying what to install', async () => {
  const l = await lab();
  const { check } = await import('../../src/commands/check.js');
  l.deps.findProgram = async (name) => name === 'nsd-control';
  assert.equal(await check(l.cfg, {}, l.deps), 1);
  assert.ok(l.err.includes('nameserver.checkzone: no zone checker found (nsd-checkzone: not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin); install the package that has it: apt-get install nsd'), l.err.join('\n'));
  assert.deepEqual(l.out, [], 'not "ok"');
  reset(l);
  l.deps.findProgram = async () => true;
  assert.equal(await check(l.cfg, {}, l.deps), 0);
  assert.match(l.out[0]!, /^ok: /);
});
