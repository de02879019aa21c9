import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockedError } from '../../src/errors.js';
import { acquireLock } from '../../src/adapters/lock.js';

const lockJs = new URL('../../src/adapters/lock.js', import.meta.url).href;

function isLocked(e: unknown): boolean {
  assert.ok(e instanceof LockedError, `expected LockedError, got ${String(e)}`);
  assert.equal(e.exitCode, 75);
  return true;
}

describe('acquireLock', () => {
  let root: string;
  let n = 0;
  const fresh = () => join(root, `s${n++}`);
  const children: ChildProcess[] = [];

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-lock-'));
  });
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });

  test('creates the state folder and the lock folder; a second acquire while held is LockedError', async () => {
    const stateDir = fresh();
    const held = await acquireLock(stateDir);
    try {
      assert.ok(statSync(join(stateDir, 'zonerw.lock')).isDirectory());
      await assert.rejects(acquireLock(stateDir), isLocked);
      await assert.rejects(acquireLock(stateDir), new RegExp(`holds the lock ${join(stateDir, 'zonerw.lock')}`));
      assert.equal(held.compromised(), undefined);
    } finally {
      await held.release();
    }
    assert.equal(existsSync(join(stateDir, 'zonerw.lock')), false);
  });

  test('after release it can be taken again; release is idempotent', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const a = await acquireLock(stateDir);
    await a.release();
    assert.equal(existsSync(lockDir), false, 'released: the lock folder is gone');
    await assert.doesNotReject(a.release(), 'a second release is harmless');
    const b = await acquireLock(stateDir);
    assert.ok(existsSync(lockDir), 'taken again');
    assert.equal(b.compromised(), undefined);
    await b.release();
    assert.equal(existsSync(lockDir), false);
  });

  test('a killed holder blocks until its lock is older than staleMs', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { acquireLock } = await import(${JSON.stringify(lockJs)});
         await acquireLock(process.argv[1]);
         process.stdout.write('locked\\n');
         setInterval(() => {}, 1000);`,
        stateDir,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(child);
    try {
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('locked')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
        setTimeout(() => reject(new Error('child did not lock within 10 s')), 10000).unref();
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    // SIGKILL leaves no chance to clean up: the lock folder stays, and is still fresh.
    assert.ok(existsSync(lockDir));
    await assert.rejects(acquireLock(stateDir), isLocked);

    // What time does to a killed holder's lock: its mtime stops moving. Age it past stale.
    const old = new Date(Date.now() - 30_000 - 1000);
    utimesSync(lockDir, old, old);
    const held = await acquireLock(stateDir);
    assert.equal(held.compromised(), undefined);
    await held.release();
    assert.equal(existsSync(lockDir), false);
  });

  test('a custom staleMs is honoured', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const a = await acquireLock(stateDir, { staleMs: 5000 });
    // Pretend the holder stopped refreshing 6 s ago.
    const old = new Date(Date.now() - 6000);
    utimesSync(lockDir, old, old);
    const b = await acquireLock(stateDir, { staleMs: 5000 });
    assert.ok(statSync(lockDir).mtimeMs > old.getTime() + 5000, 'the new holder refreshed the lock it took over');
    await b.release();
    await assert.doesNotReject(a.release(), 'the old holder lets go of a lock taken over without an error');
  });

  test('removing the lock under a holder makes compromised() return an Error, without a crash', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const held = await acquireLock(stateDir, { staleMs: 2000 });
    try {
      rmSync(lockDir, { recursive: true });
      const deadline = Date.now() + 5000;
      while (!held.compromised() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const err = held.compromised();
      assert.ok(err instanceof Error, 'compromised within 5 s');
      assert.ok(err.message.includes(lockDir), err.message);
    } finally {
      await held.release(); // ignores a compromised lock
    }
    // The lock is free for the next run.
    const next = await acquireLock(stateDir);
    assert.equal(next.compromised(), undefined);
    await next.release();
  });

  test('a state folder that cannot be created is a RunError naming it', async () => {
    const file = join(root, 'a-file');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'x');
    await assert.rejects(acquireLock(join(file, 'state')), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'RunError', String(e));
      assert.ok(e.message.includes(join(file, 'state')));
      return true;
    });
  });
});
