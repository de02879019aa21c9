// Runs at once, through the real binary and the real lock (state_dir/zonerw.lock):
//   - 20 runs started together: exactly one publishes, the other 19 exit 75 touching nothing;
//   - a run SIGKILLed while holding the lock: the next run takes its lock over at once (its
//     holder, on this host, is gone);
//   - a run frozen (SIGSTOP) while holding the lock, overtaken by another once the lock went
//     stale, then thawed: it must write nothing more, not even the state.
// The frozen one waits in real time for the lock to go stale: 3 s, injected (ZONERW_LOCK_STALE)
// into every run of that test, as if 3 s were the default 30 s.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startZonerw, zonerw, type CliResult } from '../helpers/cli.js';
import { BACKUP, DOWN_LINE, MAIN, MainServer, STACK, baseSpec, lines, makeBinLab, render, snapshot, tempRoot, type BinLab } from './helpers.js';

const roots: string[] = [];
const servers: MainServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
async function setup(name: string, zones = [baseSpec('example.com', 1)], checkTimeout?: string): Promise<{ lab: BinLab; main: MainServer }> {
  const root = tempRoot(name);
  roots.push(root);
  const main = await new MainServer().start();
  servers.push(main);
  return { lab: makeBinLab(root, { checkUrl: main.url, zones, ...(checkTimeout ? { checkTimeout } : {}) }), main };
}

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const LATER = { ZONERW_NOW: '2026-11-22T11:00:00Z' };
const LATEST = { ZONERW_NOW: '2026-11-22T12:00:00Z' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The stale time the frozen-holder test gives its runs, instead of waiting the real 30 s. */
const STALE = { ZONERW_LOCK_STALE: '3s' };
const STALE_MS = 3_000;
const lockOf = (lab: BinLab) => join(lab.stateDir, 'zonerw.lock');

/**
 * A signal that the next run holds its lock, wholly: a run's check starts before it takes the
 * lock, and the first thing it does once it holds the lock is remove the temp files a dead
 * writer left. So plant one (pid 999999: no such process) and watch it go.
 */
function pastTheLock(lab: BinLab): () => boolean {
  const litter = join(lab.zoneDir, '.example.com.zonerw-tmp-999999-0000');
  writeFileSync(litter, 'left by a dead run\n');
  return () => !existsSync(litter);
}
/** The line of a run locked out: it names the holder (its pid varies) when the holder file says. */
const isLockedLine = (lab: BinLab, line: string) =>
  new RegExp(`^zonerw: another zonerw run(?: \\(pid \\d+ on \\S+\\))? holds the lock ${lockOf(lab).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; nothing was done \\(the lock of a run that died is taken over at once on its own host, else after 30 s\\)$`).test(line);

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

test('20 runs started at once: exactly one publishes, the other 19 exit 75 at once and touch nothing', { timeout: 120_000 }, async () => {
  const { lab, main } = await setup('twenty', [baseSpec('example.com', 1), baseSpec('example.net', 2)]);
  main.mode = 'hold'; // the winner waits in its check, holding the lock, until the others are done
  const runs = Array.from({ length: 20 }, () => startZonerw(['--config', lab.conf], NOW));
  const results: (CliResult | undefined)[] = runs.map(() => undefined);
  runs.forEach((r, i) => void r.done.then((res) => (results[i] = res)));
  try {
    await until('19 of the 20 runs to exit', 90_000, () => results.filter(Boolean).length >= 19);
    assert.deepEqual(snapshot(lab.zoneDir), new Map(), 'nothing published while the winner is held');
  } finally {
    main.mode = 'up';
    main.release(200);
    await Promise.all(runs.map((r) => r.done));
  }
  const final = results as CliResult[];
  for (const r of final) assert.doesNotMatch(r.stdout + r.stderr, STACK);
  const winners = final.filter((r) => r.code === 0);
  const losers = final.filter((r) => r.code === 75);
  assert.equal(winners.length, 1, `exits: ${final.map((r) => r.code).join(' ')}`);
  assert.equal(losers.length, 19, `exits: ${final.map((r) => r.code).join(' ')}`);
  assert.deepEqual(lines(winners[0]!.stdout), [
    `example.com: serial 2026112200, www mail -> ${MAIN}, zone file was missing`,
    `example.net: serial 2026112200, www mail -> ${MAIN}, zone file was missing`,
  ]);
  for (const r of losers) {
    assert.deepEqual(lines(r.stdout), []);
    assert.equal(lines(r.stderr).length, 1);
    assert.ok(isLockedLine(lab, lines(r.stderr)[0]!), r.stderr);
  }
  assert.equal(readFileSync(join(lab.zoneDir, 'example.com'), 'latin1'), render(lab.specs[0]!, MAIN, 2026112200));
  assert.ok(!existsSync(lockOf(lab)), 'the lock is released');
});

test('20 runs at once without holding any: one publishes the failover, none twice; the rest exit 75 or find nothing to do', { timeout: 120_000 }, async () => {
  const { lab, main } = await setup('twenty-free');
  assert.equal((await zonerw(['--config', lab.conf], NOW)).code, 0);
  main.mode = 'down';
  const results = await Promise.all(Array.from({ length: 20 }, () => startZonerw(['--config', lab.conf], LATER).done));
  const publishing = results.filter((r) => /^example\.com: serial/m.test(r.stdout));
  assert.equal(publishing.length, 1, results.map((r) => `${r.code}: ${r.stdout}${r.stderr}`).join('\n'));
  assert.deepEqual(lines(publishing[0]!.stdout), [DOWN_LINE, `example.com: serial 2026112201, www mail -> ${BACKUP}`]);
  for (const r of results.filter((x) => x !== publishing[0])) {
    assert.ok(
      (r.code === 75 && r.stdout === '' && lines(r.stderr).length === 1 && isLockedLine(lab, lines(r.stderr)[0]!)) || (r.code === 0 && r.stdout === '' && r.stderr === ''),
      `${r.code}: ${r.stdout}${r.stderr}`,
    );
  }
  assert.equal(readFileSync(join(lab.zoneDir, 'example.com'), 'latin1'), render(lab.specs[0]!, BACKUP, 2026112201));
});

describe('runs that stop holding the lock', { concurrency: true }, () => {
  test('a run SIGKILLed while holding the lock (the OOM killer, kill -9): the next run takes it over at once', { timeout: 120_000 }, async () => {
    const { lab, main } = await setup('killed-holder');
    main.mode = 'hold';
    const victim = startZonerw(['--config', lab.conf], NOW);
    const past = pastTheLock(lab);
    await until('the victim to take the lock and start its check', 30_000, () => main.held.length > 0 && past());
    victim.child.kill('SIGKILL');
    assert.equal((await victim.done).code, null, 'killed');
    main.mode = 'up';
    main.release(200);
    assert.ok(existsSync(lockOf(lab)), 'the killed run left its lock');
    assert.equal(JSON.parse(readFileSync(join(lockOf(lab), 'holder'), 'utf8')).pid, victim.child.pid, 'naming the killed run');
    // "At once", whatever the machine's load: with a stale time of an hour, only the holder
    // being gone can let the next run through.
    const r = await zonerw(['--config', lab.conf], { ...NOW, ZONERW_LOCK_STALE: '1h' });
    assert.equal(r.code, 0, `the first run after the kill: ${r.stderr}`);
    assert.deepEqual(lines(r.stdout), [`example.com: serial 2026112200, www mail -> ${MAIN}, zone file was missing`]);
    assert.ok(!existsSync(lockOf(lab)), 'and released it');
  });

  test('a run frozen while holding the lock, overtaken once the lock went stale, then thawed: it writes nothing more', { timeout: 150_000 }, async () => {
    // A check timeout longer than the freeze, so that the thawed run's check gets its answer.
    const { lab, main } = await setup('frozen-holder', [baseSpec('example.com', 1)], '90s');
    assert.equal((await zonerw(['--config', lab.conf], { ...NOW, ...STALE })).code, 0);
    main.mode = 'hold';
    const frozen = startZonerw(['--config', lab.conf], { ...LATER, ...STALE });
    let thawed = false;
    try {
      const past = pastTheLock(lab);
      await until('the run to take the lock and start its check', 30_000, () => main.held.length > 0 && past());
      frozen.child.kill('SIGSTOP'); // a VM paused, a process swapped out, an NFS hang...
      await sleep(50);
      // From now on nobody refreshes the lock: it goes stale STALE_MS after its mtime.
      const staleAt = statSync(lockOf(lab)).mtimeMs + STALE_MS;
      // Meanwhile main goes down; cron keeps starting runs until one takes over the stale lock.
      main.mode = 'down';
      let r: CliResult;
      for (;;) {
        const started = Date.now();
        r = await zonerw(['--config', lab.conf], { ...LATER, ...STALE });
        if (r.code !== 75) break;
        // Bounds the test knows: refused only while the lock was not yet stale, taken over only after.
        assert.ok(started < staleAt, `a run started ${started - staleAt} ms after the lock went stale was refused: ${r.stderr}`);
        await sleep(250);
      }
      assert.ok(Date.now() > staleAt, 'taken over before the lock was stale');
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), [DOWN_LINE, `example.com: serial 2026112201, www mail -> ${BACKUP}`]);
      const zones = snapshot(lab.zoneDir);
      const state = readFileSync(join(lab.stateDir, 'state.json'), 'utf8');

      // Thaw it; its check then answers: main was up when it asked. It has nothing to publish
      // (its state, loaded before the freeze, says the zone points at main), so it goes on to
      // save that state.
      frozen.child.kill('SIGCONT');
      thawed = true;
      await sleep(500);
      main.release(200);
      const late = await frozen.done;
      const said = `the thawed run exited ${late.code}, saying ${JSON.stringify(late.stdout + late.stderr)}`;
      assert.doesNotMatch(late.stdout + late.stderr, STACK);
      assert.deepEqual(snapshot(lab.zoneDir), zones, `the thawed run wrote zone files after losing its lock; ${said}`);
      assert.equal(readFileSync(join(lab.stateDir, 'state.json'), 'utf8'), state, `the thawed run wrote state.json after losing its lock (another run owns it now); ${said}`);
      assert.equal(late.code, 1, `the thawed run says nothing about losing its lock: exit ${late.code}, ${JSON.stringify(late.stdout + late.stderr)}`);
      assert.match(late.stderr, /lost the lock/);

      // Main comes back: the next run must fail back (the zone file points at the backup).
      main.mode = 'up';
      const next = await zonerw(['--config', lab.conf], { ...LATEST, ...STALE });
      assert.equal(next.code, 0, next.stderr);
      assert.doesNotMatch(next.stdout, /edited by hand|not zonerw's output/);
      assert.equal(readFileSync(join(lab.zoneDir, 'example.com'), 'latin1'), render(lab.specs[0]!, MAIN, 2026112202));
    } finally {
      if (!thawed) frozen.child.kill('SIGCONT');
      main.release(200);
      if (frozen.child.exitCode === null && frozen.child.signalCode === null) frozen.child.kill('SIGKILL');
      await frozen.done;
    }
  });
});
