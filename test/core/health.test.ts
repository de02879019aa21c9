import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideHealth,
  describeTransition,
  rememberHealth,
  traceVerdict,
  type AllDown,
  type ProbeOutcome,
  type HealthDecision,
  type HealthMemory,
  type ServerInput,
} from '../../src/core/health.js';

const server = (name: string, address: string, checked = true, failAfter = 1, recoverAfter = 2): ServerInput => ({ name, address, checked, failAfter, recoverAfter });
const three = [server('main', '192.0.2.1'), server('second', '192.0.2.2'), server('backup', '198.51.100.7', false)];
const up = (reason = 'HTTP 200'): ProbeOutcome => ({ up: true, reason, latencyMs: 3, attempts: 1, at: 1000 });
const down = (reason = 'HTTP 503', attempts = 2): ProbeOutcome => ({ up: false, reason, latencyMs: 3, attempts, at: 1000 });
const results = (...r: [string, ProbeOutcome][]) => new Map(r);

function decide(servers: ServerInput[], outcomes: Map<string, ProbeOutcome>, memory: HealthMemory = { servers: {} }, now = 5000, allDown: AllDown = 'keep', referencesUp?: boolean): HealthDecision {
  return decideHealth({ servers, outcomes, memory, allDown, now, ...(referencesUp !== undefined ? { referencesUp } : {}) });
}

/** Runs a sequence of raw results for `main` through the decision, carrying the memory. */
function sequence(servers: ServerInput[], mainResults: boolean[]): HealthDecision[] {
  let memory: HealthMemory = { servers: {} };
  return mainResults.map((isUp, i) => {
    const d = decide(servers, results(['main', isUp ? up() : down()]), memory, 1000 * (i + 1));
    memory = rememberHealth(d);
    return d;
  });
}

test('favoured = the first server that is up, in config order; the pool = all that are up', () => {
  const rows: [string, ProbeOutcome, ProbeOutcome, string, string[]][] = [
    ['all up', up(), up(), 'main', ['main', 'second', 'backup']],
    ['main down', down(), up(), 'second', ['second', 'backup']],
    ['first two down', down(), down(), 'backup', ['backup']],
    ['main up, second down', up(), down(), 'main', ['main', 'backup']],
  ];
  for (const [name, a, b, favoured, pool] of rows) {
    const d = decide(three, results(['main', a], ['second', b]));
    assert.deepEqual([d.favoured.server, d.pool], [favoured, pool], name);
  }
});

test('all_down: keep what is published, or the last, or the first', () => {
  const all = [server('main', '192.0.2.1'), server('backup', '198.51.100.7')];
  const memory: HealthMemory = { servers: { main: { up: true, since: 1 }, backup: { up: true, since: 1 } }, favoured: { server: 'main', address: '192.0.2.1', since: 1 }, pool: ['main', 'backup'] };
  const allDownNow = results(['main', down()], ['backup', down()]);
  const keep = decide(all, allDownNow, memory, 5000, 'keep');
  assert.deepEqual([keep.favoured.server, keep.pool, keep.allDown, keep.favouredChanged], ['main', ['main', 'backup'], true, false]);
  assert.match(keep.rule, /no server is up: keeping main \(all_down = "keep"\)/);
  assert.equal(describeTransition(keep), 'main 192.0.2.1 down (HTTP 503, 2 attempts); backup 198.51.100.7 down (HTTP 503, 2 attempts); no server is up; keeping main 192.0.2.1');
  const last = decide(all, allDownNow, memory, 5000, 'last');
  assert.deepEqual([last.favoured.server, last.pool], ['backup', ['backup']]);
  const first = decide(all, allDownNow, memory, 5000, 'first');
  assert.deepEqual([first.favoured.server, first.pool, first.favouredChanged], ['main', ['main'], false]);
  // "keep" with nothing published yet falls back to the last server
  assert.equal(decide(all, allDownNow, { servers: {} }, 5000, 'keep').favoured.server, 'backup');
});

test('a backup with a check is switched to only when it is up', () => {
  const checkedBackup = [server('main', '192.0.2.1'), server('backup', '198.51.100.7')];
  const memory: HealthMemory = { servers: {}, favoured: { server: 'main', address: '192.0.2.1', since: 1 } };
  assert.equal(decide(checkedBackup, results(['main', down()], ['backup', up()]), memory).favoured.server, 'backup');
  assert.equal(decide(checkedBackup, results(['main', down()], ['backup', down()]), memory).favoured.server, 'main');
});

test('hysteresis: fail_after down runs to fail over, recover_after up runs to fail back', () => {
  const s = [server('main', '192.0.2.1', true, 2, 3), server('backup', '198.51.100.7', false)];
  const favoured = sequence(s, [true, false, false, true, true, true, true]).map((d) => d.favoured.server);
  assert.deepEqual(favoured, ['main', 'main', 'backup', 'backup', 'backup', 'main', 'main']);
});

test('a flapping main with recover_after = 2 changes the favoured server once, not every run', () => {
  const s = [server('main', '192.0.2.1', true, 1, 2), server('backup', '198.51.100.7', false)];
  const flaps = Array.from({ length: 40 }, (_, i) => i % 2 === 1); // down, up, down, up ...
  const changes = sequence(s, flaps).filter((d) => d.favouredChanged).length;
  assert.equal(changes, 1);
  // and a main that then stays up recovers after exactly recover_after runs
  const recovering = sequence(s, [false, true, false, true, true]).map((d) => d.favoured.server);
  assert.deepEqual(recovering, ['backup', 'backup', 'backup', 'backup', 'main']);
});

test('reference hosts: a server down and no reference up means our own network is down: nothing changes', () => {
  const two = [server('main', '192.0.2.1'), server('backup', '198.51.100.7', false)];
  const memory: HealthMemory = { servers: { main: { up: true, since: 1, streak: { up: true, count: 9 } } }, favoured: { server: 'main', address: '192.0.2.1', since: 1 }, pool: ['main', 'backup'] };
  const d = decide(two, results(['main', down('connection refused')]), memory, 5000, 'keep', false);
  assert.equal(d.networkDown, true);
  assert.deepEqual([d.favoured.server, d.favouredChanged, d.servers[0]!.up, d.servers[0]!.streak], ['main', false, true, { up: true, count: 9 }]);
  assert.equal(describeTransition(d), undefined);
  // a reference answering: the main really is down
  const real = decide(two, results(['main', down('connection refused')]), memory, 5000, 'keep', true);
  assert.deepEqual([real.networkDown, real.favoured.server], [false, 'backup']);
});

test('a pin favours its server whatever the checks say, until it expires', () => {
  const two = [server('main', '192.0.2.1'), server('backup', '198.51.100.7', false)];
  const pin = { server: 'backup', setAt: 1000, until: 10_000, reason: 'maintenance', by: 'root' };
  const memory: HealthMemory = { servers: {}, favoured: { server: 'main', address: '192.0.2.1', since: 1 }, pin };
  const pinned = decide(two, results(['main', up()]), memory, 5000);
  assert.deepEqual([pinned.favoured.server, pinned.pool, pinned.pin, pinned.favouredChanged], ['backup', ['backup'], pin, true]);
  assert.match(pinned.rule, /^pinned to backup until 1970-01-01T00:00:10\.000Z \(maintenance\)$/);
  assert.equal(describeTransition(pinned), 'favouring backup 198.51.100.7 (pinned)');
  assert.equal(rememberHealth(pinned).pin, pin);
  const expired = decide(two, results(['main', up()]), { ...rememberHealth(pinned) }, 10_000);
  assert.deepEqual([expired.favoured.server, expired.pin, expired.pinExpired], ['main', undefined, pin]);
  assert.equal(rememberHealth(expired).pin, undefined);
  const forever = decide(two, results(['main', up()]), { ...memory, pin: { server: 'backup', setAt: 1 } }, 9e12);
  assert.equal(forever.favoured.server, 'backup');
});

test('a server without a check is up; one whose check did not run is down', () => {
  const d = decide(three, results(['main', up()]));
  assert.deepEqual(d.servers.map((v) => v.up), [true, false, true]);
});

test('transitions: remembered state decides what is new, and since when', () => {
  const memory: HealthMemory = {
    servers: { main: { up: true, since: 100 }, second: { up: true, since: 100 }, backup: { up: true, since: 100 } },
    favoured: { server: 'main', address: '192.0.2.1', since: 100 },
  };
  const steady = decide(three, results(['main', up()], ['second', up()]), memory);
  assert.deepEqual([steady.favouredChanged, steady.favoured.since, describeTransition(steady)], [false, 100, undefined]);
  const failover = decide(three, results(['main', down('HTTP 503', 2)], ['second', up()]), memory);
  assert.equal(failover.favoured.since, 5000);
  assert.equal(describeTransition(failover), 'main 192.0.2.1 down (HTTP 503, 2 attempts); favouring second 192.0.2.2');
  const back = decide([server('main', '192.0.2.1', true, 1, 1), three[1]!, three[2]!], results(['main', up()], ['second', up()]), rememberHealth(failover), 9000);
  assert.equal(describeTransition(back), 'main 192.0.2.1 up (HTTP 200); favouring main 192.0.2.1');
  assert.equal(back.servers[0]!.since, 9000);
});

test('first run: a down main is news, an up main is not', () => {
  assert.equal(describeTransition(decide(three, results(['main', up()], ['second', up()]))), undefined);
  assert.equal(
    describeTransition(decide(three, results(['main', down('connection refused', 1)], ['second', up()]))),
    'main 192.0.2.1 down (connection refused, 1 attempt); favouring second 192.0.2.2',
  );
});

/** Runs `main`'s raw results at given times (ms) through the decision, carrying the memory. */
function timed(servers: ServerInput[], probes: [number, boolean][], memory: HealthMemory = { servers: {} }): HealthDecision[] {
  return probes.map(([at, isUp]) => {
    const d = decide(servers, results(['main', isUp ? up() : down()]), memory, at);
    memory = rememberHealth(d);
    return d;
  });
}

test('hysteresis as time: down only after every probe failed that long, over two probes at least; up again likewise', () => {
  const s = (failAfterMs?: number, recoverAfterMs?: number, failAfter = 2, recoverAfter = 2): ServerInput[] => [
    { ...server('main', '192.0.2.1', true, failAfter, recoverAfter), ...(failAfterMs !== undefined ? { failAfterMs } : {}), ...(recoverAfterMs !== undefined ? { recoverAfterMs } : {}) },
    server('backup', '198.51.100.7', false),
  ];
  const rows: [string, ServerInput[], [number, boolean][], string[]][] = [
    ['3s: down at 0, 1, 2, 3 s: the fourth probe (3 s after the first) fails over', s(3000), [[0, false], [1000, false], [2000, false], [3000, false]], ['main', 'main', 'main', 'backup']],
    ['3s: a 1.2 s blip moves nothing', s(3000), [[0, true], [1000, false], [2000, false], [3000, true], [4000, true]], ['main', 'main', 'main', 'main', 'main']],
    ['3s: a failure interrupted starts its time again', s(3000), [[0, false], [2000, false], [2500, true], [3500, false], [6000, false], [6500, false]], ['main', 'main', 'main', 'main', 'main', 'backup']],
    ['3s: one probe is never enough, however long since the last', s(3000), [[0, true], [60_000, false], [61_000, false], [63_000, false]], ['main', 'main', 'main', 'backup']],
    ['3s with slow probes: two probes 5 s apart suffice', s(3000), [[0, false], [5000, false]], ['main', 'backup']],
    ['recover 5s: up again only after 5 s of good probes', s(1000, 5000), [[0, false], [1000, false], [2000, true], [4000, true], [6000, true], [7000, true]], ['main', 'backup', 'backup', 'backup', 'backup', 'main']],
    ['a number keeps meaning runs in a row, whatever the time', s(undefined, undefined, 3, 1), [[0, false], [1, false], [2, false], [3, true]], ['main', 'main', 'backup', 'main']],
  ];
  for (const [name, servers, probes, favoured] of rows) {
    assert.deepEqual(timed(servers, probes).map((d) => d.favoured.server), favoured, name);
  }
});

test('hysteresis as time: the streak remembers when it started; an older state without it counts from now', () => {
  const s: ServerInput[] = [{ ...server('main', '192.0.2.1', true, 2, 2), failAfterMs: 3000 }, server('backup', '198.51.100.7', false)];
  const [first, second] = timed(s, [[1000, false], [2500, false]]);
  assert.deepEqual(first!.servers[0]!.streak, { up: false, count: 1, since: 1000 });
  assert.deepEqual([second!.servers[0]!.streak, second!.servers[0]!.heldMs, second!.servers[0]!.neededMs], [{ up: false, count: 2, since: 1000 }, 1500, 3000]);
  const old: HealthMemory = { servers: { main: { up: true, since: 1, streak: { up: false, count: 7 } } } };
  const [a, b] = timed(s, [[10_000, false], [13_000, false]], old);
  assert.deepEqual([a!.favoured.server, a!.servers[0]!.streak.since, b!.favoured.server], ['main', 10_000, 'backup']);
});

// With [[vantage]] tables, votes that reach no quorum are no verdict (core/votes.ts).
const undecided = (upKept: boolean): ProbeOutcome => ({ up: upKept, reason: 'no verdict: 0 up, 1 down, 1 silent, quorum 2', latencyMs: 3, attempts: 1, at: 1000, undecided: true });

test('no verdict on a first run: the server is unknown, never up on the strength of nothing, and no down streak starts', () => {
  const servers = [server('main', '192.0.2.1', true, 2, 2), server('backup', '198.51.100.7', false)];
  const first = decide(servers, results(['main', undecided(false)]));
  const main = first.servers[0]!;
  assert.equal(main.up, false);
  assert.equal(main.unknown, true);
  assert.equal(main.changed, false);
  assert.equal(first.favoured.server, 'backup');
  assert.equal(first.rule, 'main has no verdict yet (not counted as up): backup is the first server that is up');
  assert.match(traceVerdict(main), /^main 192\.0\.2\.1: no verdict this run and none before \(no verdict: .*\); not counted as up this run, nothing recorded$/);
  const memory = rememberHealth(first);
  assert.equal(memory.servers.main!.unknown, true);
  assert.equal(memory.servers.main!.up, false);
  assert.equal(memory.servers.main!.streak, undefined);
  // still no verdict: still unknown, since the first run that had none
  const again = decide(servers, results(['main', undecided(false)]), memory, 9000);
  assert.equal(again.servers[0]!.unknown, true);
  assert.equal(again.servers[0]!.since, 5000);
  // the first verdict counts as for a server never seen: one down run of fail_after = 2 is not down yet
  const verdict = decide(servers, results(['main', down()]), rememberHealth(again), 13000);
  assert.equal(verdict.servers[0]!.unknown, undefined);
  assert.equal(verdict.servers[0]!.up, true);
  assert.equal(verdict.servers[0]!.streak.count, 1);
  assert.equal(verdict.favoured.server, 'main');
});

test('no verdict with a verdict remembered keeps it, and the trace says so rather than a check result', () => {
  const servers = [server('main', '192.0.2.1'), server('backup', '198.51.100.7', false)];
  const memory = rememberHealth(decide(servers, results(['main', up()]), { servers: {} }, 1000));
  const d = decide(servers, results(['main', undecided(true)]), memory, 5000);
  assert.equal(d.servers[0]!.up, true);
  assert.equal(d.servers[0]!.unknown, undefined);
  assert.equal(d.favoured.server, 'main');
  assert.equal(traceVerdict(d.servers[0]!), 'main 192.0.2.1: no verdict this run (no verdict: 0 up, 1 down, 1 silent, quorum 2); kept: counts as up since 1970-01-01T00:00:01.000Z');
  assert.doesNotMatch(traceVerdict(d.servers[0]!), /up this run|down this run/);
});
