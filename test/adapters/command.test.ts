import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findProgram, resolveProgram, runCommand } from '../../src/adapters/command.js';
import { describeOutcome } from '../../src/core/outcome.js';
import { skipOrFail } from '../helpers/need.js';

const node = process.execPath;

describe('runCommand', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zonerw-cmd-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('exit 0 with stdout', async () => {
    const r = await runCommand([node, '-e', 'process.stdout.write("zone example.com reloaded\\n")'], { timeoutMs: 5000 });
    assert.deepEqual(r, { ok: true, outcome: { kind: 'exit', code: 0 }, stdout: 'zone example.com reloaded\n', stderr: '' });
  });

  test('exit 3 with stderr', async () => {
    const r = await runCommand([node, '-e', 'process.stderr.write("error: no such zone"); process.exit(3)'], { timeoutMs: 5000 });
    assert.deepEqual(r, { ok: false, outcome: { kind: 'exit', code: 3 }, stdout: '', stderr: 'error: no such zone' });
  });

  test('a missing program is "not found"', async () => {
    const r = await runCommand(['zonerw-no-such-program', 'reload'], { timeoutMs: 5000 });
    assert.deepEqual(r.outcome, { kind: 'not found', program: 'zonerw-no-such-program', searched: ['/usr/local/sbin', '/usr/sbin', '/sbin'] });
    assert.equal(describeOutcome(r.outcome), 'not found: zonerw-no-such-program (not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin)');
    const path = await runCommand([join(dir, 'no-such-program')], { timeoutMs: 5000 });
    assert.equal(describeOutcome(path.outcome), `not found: ${join(dir, 'no-such-program')}`, 'a path is run as it is');
  });

  test('a bare name is looked up on PATH, then in /usr/local/sbin, /usr/sbin, /sbin (cron\'s PATH is /usr/bin:/bin)', async (t) => {
    assert.equal(await resolveProgram('sh', '/bin'), '/bin/sh');
    // some program of /usr/sbin that /usr/bin:/bin does not have (nsd-control, rndc, useradd...)
    const isExe = (p: string) => { try { accessSync(p, constants.X_OK); return true; } catch { return false; } };
    const sbinOnly = readdirSync('/usr/sbin').find((n) => isExe(join('/usr/sbin', n)) && !isExe(join('/usr/bin', n)) && !isExe(join('/bin', n)));
    if (!sbinOnly) return skipOrFail(t, 'no program in /usr/sbin only');
    assert.equal(await resolveProgram(sbinOnly, '/usr/bin:/bin'), join('/usr/sbin', sbinOnly));
    assert.equal(await findProgram(sbinOnly, '/usr/bin:/bin'), true);
    // the program actually runs from there with cron's PATH (its exit status does not matter here)
    const nsd = ['nsd-checkzone', 'named-checkzone', 'kzonecheck'].find((c) => ['/usr/sbin', '/sbin', '/usr/local/sbin'].some((d) => isExe(join(d, c))));
    if (nsd) {
      const r = await runCommand([nsd, '-h'], { timeoutMs: 5000, env: { PATH: '/usr/bin:/bin' } });
      assert.doesNotMatch(describeOutcome(r.outcome), /not found/, `${nsd} from the sbin folders`);
    }
    // PATH first: a program of the same name earlier on PATH wins
    const own = join(dir, sbinOnly);
    writeFileSync(own, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    assert.equal(await resolveProgram(sbinOnly, `${dir}:/usr/bin:/bin`), own);
    // a relative PATH entry would depend on the folder zonerw was started from: not searched
    assert.equal(await resolveProgram('zonerw-no-such-program', '.:bin'), undefined);
  });

  test('a missing cwd is named', async () => {
    const r = await runCommand([node, '-e', ''], { timeoutMs: 5000, cwd: join(dir, 'nope') });
    assert.equal(r.ok, false);
    assert.equal(describeOutcome(r.outcome), `cannot run ${node}: no folder ${join(dir, 'nope')}`);
  });

  test('the deadline kills a program that hangs', async () => {
    const r = await runCommand([node, '-e', 'process.stdout.write("started"); setTimeout(() => {}, 30000)'], { timeoutMs: 500 });
    assert.equal(r.ok, false);
    assert.equal(r.outcome.kind, 'timeout', 'killed, not exited by itself after 30 s');
    assert.equal(describeOutcome(r.outcome), 'timed out after 500ms');
    assert.equal(r.stdout, 'started');
  });

  test('a program killed by a signal says so', async () => {
    const r = await runCommand([node, '-e', 'process.kill(process.pid, "SIGTERM"); setTimeout(() => {}, 5000)'], { timeoutMs: 5000 });
    assert.deepEqual([r.ok, r.outcome], [false, { kind: 'signal', signal: 'SIGTERM' }]);
    assert.equal(describeOutcome(r.outcome), 'killed by SIGTERM');
  });

  test('output is capped at 64 KiB per stream and the program is not blocked', async () => {
    const r = await runCommand([node, '-e', 'process.stdout.write("a".repeat(1 << 20)); process.stderr.write("b".repeat(200000))'], { timeoutMs: 5000 });
    assert.equal(r.ok, true, describeOutcome(r.outcome));
    assert.ok(r.stdout.startsWith('a'.repeat(65536)));
    assert.ok(r.stdout.length < 65536 + 100);
    assert.match(r.stdout, /output truncated/);
    assert.ok(r.stderr.length < 65536 + 100);
  });

  test('env and cwd are passed', async () => {
    const r = await runCommand([node, '-e', 'process.stdout.write(process.env.ZONERW_X + " " + process.cwd())'], {
      timeoutMs: 5000,
      env: { ZONERW_X: 'hello', PATH: process.env.PATH ?? '' },
      cwd: dir,
    });
    assert.equal(r.stdout, `hello ${dir}`);
  });

  test('an argument with spaces, quotes, ; $( ) and a newline is ONE argv element, and no shell runs', async () => {
    const marker = join(dir, 'X');
    const nasty = `a b 'c' "d" ; touch ${marker} $(touch ${marker}) \`touch ${marker}\` | & > ${marker}\nsecond line`;
    const r = await runCommand([node, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', nasty], {
      timeoutMs: 5000,
      cwd: dir,
    });
    assert.equal(r.ok, true, describeOutcome(r.outcome));
    assert.deepEqual(JSON.parse(r.stdout), [nasty]);
    assert.equal(existsSync(marker), false);
  });

  test('a program that exits while a background child holds its stdout returns at its exit', async () => {
    const script = `
      const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: ['ignore', 'inherit', 'ignore'], detached: true });
      c.unref();
      process.stdout.write(String(c.pid));`;
    const r = await runCommand([node, '-e', script], { timeoutMs: 10000 });
    const pid = Number(r.stdout);
    try {
      assert.deepEqual([r.ok, describeOutcome(r.outcome)], [true, 'exit 0']);
      // returned while the background child (20 s) still holds its stdout: at the program's exit
      assert.doesNotThrow(() => process.kill(pid, 0), 'the background child still runs');
    } finally {
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });

  test('an empty argv is refused without spawning', async () => {
    const r = await runCommand([], { timeoutMs: 1000 });
    assert.deepEqual([r.ok, describeOutcome(r.outcome)], [false, 'cannot run: empty command']);
  });
});

describe('the deadline kills what the command forked too', () => {
  test('a command that forks a sleep: after the timeout the sleep is gone', async () => {
    // The shell starts a sleep in the background and waits: both are in the command's group.
    const r = await runCommand(['/bin/sh', '-c', 'sleep 300 & echo $!; wait'], { timeoutMs: 700 });
    const pid = Number(r.stdout.trim());
    assert.equal(r.outcome.kind, 'timeout');
    assert.ok(pid > 0, `the sleep's pid: ${JSON.stringify(r.stdout)}`);
    // SIGKILL is delivered at once, but the kernel reaps a moment later: wait until it is gone.
    const gone = async (): Promise<boolean> => {
      for (let i = 0; i < 100; i++) {
        if (!alive(pid)) return true;
        await new Promise((res) => setTimeout(res, 50));
      }
      return false;
    };
    try {
      assert.equal(await gone(), true, `sleep ${pid} still runs after the timeout`);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

/** Whether a process exists and is not a zombie (a killed child of an exited parent is reaped by init). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
