// A one-shot run (or pin) and a watch's lock: waited for while a live watch holds it, refused at
// once (exit 75, as before) when no watch runs or the heartbeat's process is gone.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as files from '../../src/adapters/files.js';
import { LockedError } from '../../src/errors.js';
import type { Deps, HeldLock } from '../../src/run/ports.js';
import { heartbeatPath, lockBesideWatch, parseHeartbeat, runningWatch } from '../../src/run/watch-heartbeat.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const held: HeldLock = { release: async () => {}, compromised: () => undefined };
/** a lock held by someone else for the first `busy` tries */
function lockAfter(busy: number): { lock: Deps['lock']; tries: () => number } {
  let tries = 0;
  return {
    lock: async (dir) => {
      if (++tries <= busy) throw new LockedError(join(dir, 'zonerw.lock'), 30_000);
      return held;
    },
    tries: () => tries,
  };
}

async function stateDir(heartbeatPid?: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-hb-'));
  dirs.push(dir);
  if (heartbeatPid !== undefined) await writeFile(heartbeatPath(dir), JSON.stringify({ pid: heartbeatPid, host: 'h', startedAt: 1, intervalMs: 2000, cycles: 3, applies: 1, rssBytes: 1, cpuMs: 1, sees: [] }));
  return dir;
}

test('a live watch holding the lock is waited for; no watch, or a dead one: locked out at once', async () => {
  const rows: [string, number | undefined, number, boolean][] = [
    ['a live watch (the parent process) applies for 3 tries', process.ppid, 3, true],
    ['no heartbeat: two cron runs do not queue up', undefined, 3, false],
    ['a heartbeat whose pid is gone (a watch killed with SIGKILL)', 2 ** 22 + 1, 3, false],
  ];
  for (const [name, pid, busy, gets] of rows) {
    const dir = await stateDir(pid);
    const l = lockAfter(busy);
    const got = await lockBesideWatch({ lock: l.lock, files: files.fileOps }, dir).then(() => true, (e: unknown) => (e instanceof LockedError ? false : Promise.reject(e)));
    assert.deepEqual([got, l.tries()], [gets, gets ? busy + 1 : 1], name);
  }
});

test('a watch that holds the lock too long: locked out after the wait', async () => {
  const dir = await stateDir(process.ppid);
  await assert.rejects(lockBesideWatch({ lock: lockAfter(1000).lock, files: files.fileOps }, dir, 300), LockedError);
});

test('the heartbeat: read back, or nothing for a torn or foreign file', async () => {
  const dir = await stateDir(process.ppid);
  assert.equal((await runningWatch(files.fileOps, dir))?.pid, process.ppid);
  assert.deepEqual(['{"pid": 0}', 'not json', '{}'].map(parseHeartbeat), [undefined, undefined, undefined]);
});
