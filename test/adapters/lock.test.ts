import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

  /** A child process that takes the lock and holds it until killed. */
  async function holderProcess(stateDir: string): Promise<ChildProcess> {
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
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('locked')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
      setTimeout(() => reject(new Error('child did not lock within 10 s')), 10000).unref();
    });
    return child;
  }

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  test('the holder writes its pid and host into the lock folder; a second run is told who holds it', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const held = await acquireLock(stateDir, { staleMs: 1000 }); // refreshed every 500 ms
    try {
      const holder = JSON.parse(readFileSync(join(lockDir, 'holder'), 'utf8'));
      assert.equal(holder.pid, process.pid);
      assert.equal(holder.host, hostname());
      assert.equal(statSync(join(lockDir, 'holder')).mode & 0o777, 0o644);
      await assert.rejects(acquireLock(stateDir), new RegExp(`another zonerw run \\(pid ${process.pid} on ${hostname()}\\) holds the lock`));
      // The holder refreshes the folder's mtime while it holds the lock, so it never looks stale.
      const taken = statSync(lockDir).mtimeMs;
      await new Promise((r) => setTimeout(r, 1300));
      assert.ok(statSync(lockDir).mtimeMs > taken, 'refreshed');
      await assert.rejects(acquireLock(stateDir, { staleMs: 1000 }), isLocked, 'still held after more than staleMs');
      assert.equal(held.compromised(), undefined);
    } finally {
      await held.release();
    }
    assert.equal(existsSync(lockDir), false, 'released: the folder and its holder file are gone');
  });

  test('a holder killed on this host (SIGKILL, the OOM killer) is taken over at once', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const child = await holderProcess(stateDir);
    await assert.rejects(acquireLock(stateDir), isLocked, 'a live holder blocks');
    await kill(child);
    // SIGKILL leaves no chance to clean up: the lock folder stays, fresh, naming a pid that is gone.
    assert.ok(existsSync(lockDir));
    assert.equal(JSON.parse(readFileSync(join(lockDir, 'holder'), 'utf8')).pid, child.pid);
    const held = await acquireLock(stateDir);
    assert.equal(JSON.parse(readFileSync(join(lockDir, 'holder'), 'utf8')).pid, process.pid, 'the new holder');
    assert.equal(held.compromised(), undefined);
    assert.deepEqual(readdirSync(stateDir), ['zonerw.lock'], 'nothing left beside it');
    await held.release();
    assert.equal(existsSync(lockDir), false);
  });

  test('many runs finding the same gone holder: exactly one takes the lock over', async () => {
    const stateDir = fresh();
    await kill(await holderProcess(stateDir));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireLock(stateDir)));
    const won = results.filter((r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof acquireLock>>> => r.status === 'fulfilled');
    assert.equal(won.length, 1, results.map((r) => r.status === 'rejected' ? String(r.reason) : 'held').join('\n'));
    for (const r of results) if (r.status === 'rejected') isLocked(r.reason);
    await won[0]!.value.release();
  });

  test('a holder that cannot be checked (another host, or no holder file) blocks until its lock is older than staleMs', async () => {
    for (const holder of [{ pid: 999999, host: 'another-host', at: 1 }, undefined]) {
      const stateDir = fresh();
      const lockDir = join(stateDir, 'zonerw.lock');
      mkdirSync(lockDir, { recursive: true });
      if (holder) writeFileSync(join(lockDir, 'holder'), JSON.stringify(holder));
      await assert.rejects(acquireLock(stateDir), isLocked);
      // What time does to a dead holder's lock: its mtime stops moving. Age it past stale.
      const old = new Date(Date.now() - 30_000 - 1000);
      utimesSync(lockDir, old, old);
      const held = await acquireLock(stateDir);
      assert.equal(held.compromised(), undefined);
      await held.release();
      assert.equal(existsSync(lockDir), false);
    }
  });

  test('a holder whose process is alive (frozen, or a pid now reused) is not taken over before staleMs', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const child = await holderProcess(stateDir);
    child.kill('SIGSTOP');
    try {
      await assert.rejects(acquireLock(stateDir), isLocked);
    } finally {
      child.kill('SIGCONT');
      await kill(child);
    }
    assert.ok(!existsSync(join(stateDir, 'zonerw.lock.gone')), 'nothing renamed');
    assert.ok(existsSync(lockDir));
  });

  test('a state folder it creates is 0755 under umask 077 (a monitoring user may run status); an existing one keeps its mode', async () => {
    const stateDir = join(fresh(), 'deeper', 'state');
    const old = process.umask(0o077);
    let held;
    try {
      held = await acquireLock(stateDir);
    } finally {
      process.umask(old);
    }
    await held.release();
    for (const d of [stateDir, dirname(stateDir), dirname(dirname(stateDir))]) assert.equal(statSync(d).mode & 0o777, 0o755, d);
    const kept = fresh();
    mkdirSync(kept, { mode: 0o700 });
    await (await acquireLock(kept)).release();
    assert.equal(statSync(kept).mode & 0o777, 0o700);
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

  test('a holder that has not refreshed its lock for staleMs (frozen, a blocked event loop) knows it may have lost it', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const held = await acquireLock(stateDir, { staleMs: 200 });
    const end = Date.now() + 300;
    while (Date.now() < end); // blocks the event loop: no refresh can run
    const err = held.compromised();
    assert.ok(err instanceof Error && /not refreshed/.test(err.message) && err.message.includes(lockDir), String(err));
    await held.release(); // lets go of nothing: the lock may be another run's by now
    assert.ok(existsSync(lockDir));
    const next = await acquireLock(stateDir, { staleMs: 200 }); // stale: taken over
    assert.equal(next.compromised(), undefined);
    await next.release();
    assert.equal(existsSync(lockDir), false);
  });

  test('a lock folder made anew under its holder (another run took it over) is noticed at once', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const held = await acquireLock(stateDir);
    rmSync(lockDir, { recursive: true });
    mkdirSync(lockDir);
    writeFileSync(join(lockDir, 'holder'), JSON.stringify({ pid: 999999, host: 'another-host', at: 1 }));
    const err = held.compromised();
    assert.ok(err instanceof Error && /another run took it over/.test(err.message), String(err));
    await held.release();
    assert.ok(existsSync(join(lockDir, 'holder')), "the other run's lock is left alone");
  });

  test('removing the lock under a holder makes compromised() return an Error, without a crash', async () => {
    const stateDir = fresh();
    const lockDir = join(stateDir, 'zonerw.lock');
    const held = await acquireLock(stateDir, { staleMs: 1000 });
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
    writeFileSync(file, 'x');
    await assert.rejects(acquireLock(join(file, 'state')), (e: unknown) => {
      assert.ok(e instanceof Error && e.name === 'RunError', String(e));
      assert.ok(e.message.includes(join(file, 'state')));
      return true;
    });
  });
});
