// `zonerw watch` in-process, with real files in a temp folder and fakes for the probe, the
// nameserver and DNS: a steady cycle reads no zone file, asks no DNS, runs no nameserver command
// and writes nothing but the heartbeat; a nameserver that stays down is retried every cycle and
// said once; a cycle with work carries out the same run as a one-shot.
import { commandResult } from '../../src/core/outcome.js';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watch, type WatchIo } from '../../src/commands/watch.js';
import { validateConfig } from '../../src/config/validate.js';
import * as files from '../../src/adapters/files.js';
import type { Config } from '../../src/config/types.js';
import type { Deps, Nameserver } from '../../src/run/ports.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const BASE = `$TTL 300
@    IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.example.com.
ns1  IN A   198.51.100.7
www  IN A   @IP@
`;

interface Seen {
  reads: string[];
  dns: number;
  calls: string[];
  saves: number;
  beats: number;
  /** files the watch wrote through its heartbeat port other than the heartbeat, last content each */
  written: Map<string, string>;
  removed: string[];
  out: string[];
  err: string[];
}

async function site(extra: Record<string, unknown> = {}): Promise<Config> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-watch-'));
  dirs.push(dir);
  for (const d of ['base', 'zones', 'state']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'base', 'example.com.base'), BASE);
  return validateConfig(
    {
      base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
      nameserver: { kind: 'nsd', address: false, checkzone: 'never' },
      watch: { interval: '100ms' },
      check: { fail_after: '1s', attempts: 1 },
      server: [{ name: 'main', address: '192.0.2.1', check: 'http://192.0.2.1/' }, { name: 'backup', address: '198.51.100.7' }],
      ...extra,
    },
    join(dir, 'zonerw.toml'),
  );
}

/** Runs a watch for `cycles` cycles (SIGTERM comes with the next one, which then does nothing more); returns what it did, from cycle `from` on. */
async function watchFor(cfg: Config, cycles: number, nameserver: (calls: string[]) => Nameserver, from = 1): Promise<Seen> {
  const seen: Seen = { reads: [], dns: 0, calls: [], saves: 0, beats: 0, written: new Map(), removed: [], out: [], err: [] };
  const counting = () => seen.beats >= from && seen.beats <= cycles;
  const signals = new EventEmitter();
  const deps: Deps = adapterDeps({
    now: Date.now,
    probe: async () => ({ up: true, reason: 'HTTP 200', latencyMs: 1 }),
    nameserver: nameserver(seen.calls),
    log: { out: (l) => seen.out.push(l), err: (l) => seen.err.push(l) },
    files: { ...files.fileOps, read: async (p, e) => (counting() && seen.reads.push(p), files.fileOps.read(p, e)) },
    dns: async () => (seen.dns++, { answered: false, problem: 'no DNS here', addresses: [] }),
    saveState: async (dir, state) => (counting() && seen.saves++, (await import('../../src/adapters/state-file.js')).saveState(dir, state)),
  });
  const io: WatchIo = {
    load: async () => cfg,
    deps: async () => deps,
    writeHeartbeat: async (path, content) => {
      if (!path.endsWith('watch.json')) return void seen.written.set(path, content);
      if (++seen.beats === cycles + 1) signals.emit('SIGTERM');
    },
    removeHeartbeat: async (path) => void seen.removed.push(path),
    signals: signals as unknown as WatchIo['signals'],
  };
  assert.equal(await watch(cfg, { verbose: false, quiet: false }, deps, io), 0);
  return seen;
}

test('a steady cycle reads no zone file, asks no DNS, runs no nameserver command and saves no state', async () => {
  const cfg = await site();
  const first = await watchFor(cfg, 1, (calls) => fakeNameserver(calls));
  assert.deepEqual(first.calls, ['reload example.com', 'notify example.com'], 'the first cycle publishes');
  assert.ok(first.saves > 0);
  const steady = await watchFor(cfg, 6, (calls) => fakeNameserver(calls), 1);
  assert.deepEqual([steady.reads, steady.dns, steady.calls, steady.saves, steady.beats], [[], 0, [], 0, 7]);
  assert.deepEqual(steady.err, []);
});

test('a nameserver that stays down is retried every cycle and said once', async () => {
  const cfg = await site();
  const down = (calls: string[]) =>
    fakeNameserver(calls, {
      run: async (step, zones) => {
        calls.push(`${step} ${[zones].flat().join(' ')}`);
        return commandResult({ kind: 'exit', code: 1 }, '', 'error: connection refused');
      },
    });
  const seen = await watchFor(cfg, 5, down);
  assert.ok(seen.calls.filter((c) => c.startsWith('reload')).length >= 5, `retried every cycle: ${seen.calls.join(', ')}`);
  assert.ok(seen.err.length > 0, 'said');
  assert.deepEqual(seen.err, [...new Set(seen.err)], `each line once:\n${seen.err.join('\n')}`);
});

test('a base edit a run leaves as it is (on_base_change = "warn") is run once, not every cycle', async () => {
  const cfg = await site({ on_base_change: 'warn' });
  await watchFor(cfg, 1, (calls) => fakeNameserver(calls));
  await writeFile(join(cfg.baseDir, 'example.com.base'), `${BASE}txt IN TXT "edited"\n`);
  const seen = await watchFor(cfg, 6, (calls) => fakeNameserver(calls), 2);
  assert.deepEqual(seen.reads, [], 'cycles 2 to 6 read nothing');
  assert.equal(seen.out.filter((l) => l.includes('not published (on_base_change = "warn")')).length, 1, seen.out.join('\n'));
});

test('with metrics_file, every cycle writes the watch\'s own textfile beside it (the last probe), removed when the watch stops', async () => {
  const cfg = await site({ metrics_file: 'zonerw.prom' });
  const seen = await watchFor(cfg, 3, (calls) => fakeNameserver(calls));
  const path = cfg.metricsFile!.replace(/\.prom$/, '-watch.prom');
  const text = seen.written.get(path);
  assert.ok(text, `written: ${[...seen.written.keys()].join(', ')}`);
  const probed = Number(/^zonerw_watch_last_probe_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
  assert.ok(probed > 1_700_000_000, text);
  assert.match(text, /^zonerw_watch_interval_seconds 0\.1$/m);
  const started = Number(/^zonerw_watch_start_timestamp_seconds (\S+)$/m.exec(text)?.[1]);
  assert.ok(started > 1_700_000_000 && started <= probed, `the start, at or before the last probe:\n${text}`);
  assert.match(text, /^# TYPE zonerw_watch_last_probe_timestamp_seconds gauge$/m);
  assert.ok(seen.removed.includes(path), `removed: ${seen.removed.join(', ')}`);
});

test('a secondary behind makes a run due once a minute under a watch, not every cycle (the run waits for it, the probes with it)', async () => {
  const { workDue, JUDGED_RETRY_MS } = await import('../../src/run/watch-work.js');
  const { emptyState } = await import('../../src/core/state.js');
  const cfg = await site();
  const state = emptyState();
  const now = Date.parse('2026-12-05T12:00:00Z');
  state.zones['example.com'] = { serial: 2026120501, hash: 'h', published: now, pending: [], lagging: ['127.0.0.1:5301'] } as unknown as (typeof state.zones)[string];
  const { decideServers } = await import('../../src/run/observe.js');
  const up = { up: true, reason: 'HTTP 200', latencyMs: 1, attempts: 1, at: now };
  const steady = { ...state, servers: { main: { up: true, since: now - 3_600_000, streak: { up: true, count: 9, since: now - 3_600_000 } } } };
  const decided = decideServers(cfg, { outcomes: new Map([['main', up]]) }, steady, now);
  const due = (lastRunAt?: number) => workDue(cfg, files.fileOps, state, decided, now, lastRunAt === undefined ? {} : { lastRunAt });
  assert.equal(await due(), 'example.com: a secondary was behind', 'no run yet: due');
  assert.equal(await due(now - JUDGED_RETRY_MS), 'example.com: a secondary was behind', 'a minute after the last run: due');
  assert.notEqual(await due(now - 2_000), 'example.com: a secondary was behind', 'two seconds after the last run: not for the secondary');
  assert.doesNotMatch((await due(now - 2_000)) ?? '', /secondary/, 'no other wording of the secondary either');
  state.zones['example.com']!.pending = ['reload'];
  assert.equal(await due(now - 2_000), 'example.com: reload still owed', 'a reload owed is due every cycle');
});

test('a changed signer command or key set is work for the watch, as it is for a run (zonesToRead)', async () => {
  const { workDue } = await import('../../src/run/watch-work.js');
  const { emptyState } = await import('../../src/core/state.js');
  const { decideServers } = await import('../../src/run/observe.js');
  const cfg = await site({ dnssec: { sign: ['signer', '{in}', '{out}'] } });
  const now = Date.parse('2026-12-05T12:00:00Z');
  const state = emptyState();
  // signatures far from due; signed by the signer identity 'keys-1'
  // files and values as the last run saw them: only the signer can make the zone work
  const inputs = { base: files.fileOps.identity(join(cfg.baseDir, 'example.com.base'))!, file: files.fileOps.identity(join(cfg.zoneDir, 'example.com')), included: {} };
  state.zones['example.com'] = { serial: 2026120501, pending: [], values: { IP: '192.0.2.1' }, inputs, signaturesExpire: now + 30 * 86_400_000, signer: 'keys-1' } as unknown as (typeof state.zones)[string];
  const up = { up: true, reason: 'HTTP 200', latencyMs: 1, attempts: 1, at: now };
  const steady = { ...state, servers: { main: { up: true, since: now - 3_600_000, streak: { up: true, count: 9, since: now - 3_600_000 } } } };
  const decided = decideServers(cfg, { outcomes: new Map([['main', up]]) }, steady, now);
  const signer = (identity: string) => ({ signs: () => true, command: () => [], sign: async () => { throw new Error('not here'); }, identity: () => identity });
  const reason = (identity: string) => workDue(cfg, files.fileOps, state, decided, now, { signer: signer(identity) });
  assert.equal(await reason('keys-1'), undefined, 'the same keys: a steady cycle');
  assert.equal(await reason('keys-2'), 'example.com: its signatures are due for renewal, or its signer changed');
});

test('a zone whose base file is gone makes a run due once a minute under a watch, not every cycle', async () => {
  const { workDue, JUDGED_RETRY_MS } = await import('../../src/run/watch-work.js');
  const { emptyState } = await import('../../src/core/state.js');
  const { decideServers } = await import('../../src/run/observe.js');
  const cfg = await site();
  const now = Date.parse('2026-12-05T12:00:00Z');
  const state = emptyState();
  state.zones['gone.example'] = { serial: 2026120501, pending: [], values: {} } as unknown as (typeof state.zones)[string];
  const up = { up: true, reason: 'HTTP 200', latencyMs: 1, attempts: 1, at: now };
  const steady = { ...state, servers: { main: { up: true, since: now - 3_600_000, streak: { up: true, count: 9, since: now - 3_600_000 } } } };
  const decided = decideServers(cfg, { outcomes: new Map([['main', up]]) }, steady, now);
  const due = (lastRunAt?: number) => workDue(cfg, files.fileOps, state, decided, now, lastRunAt === undefined ? {} : { lastRunAt });
  assert.equal(await due(), 'a base file is gone');
  assert.equal(await due(now - JUDGED_RETRY_MS), 'a base file is gone');
  assert.notEqual(await due(now - 2_000), 'a base file is gone', 'two seconds after the last run: not again');
});
