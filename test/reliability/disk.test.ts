// Disk full and write errors. Three mechanisms, each where it really fails:
//   - a small tmpfs as zone_dir / state_dir, filled up: real ENOSPC from the kernel, through
//     the real binary (needs `mount`: root on a VM or bare metal; skipped with a message where
//     the sandbox cannot mount);
//   - RLIMIT_FSIZE (prlimit --fsize): real EFBIG from the kernel, no mount needed;
//   - faults injected under src/adapters/files.ts at each syscall of the atomic install (open,
//     write, fsync, chmod, close, rename, fsync of the folder, unlink), in-process.
// Every time: the old zone stays intact, the error names the file, exit 1, no temp file is
// left behind, and the next run with space succeeds.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import {
  BACKUP, DOWN_LINE, MainServer, STACK, baseSpec, canMount, lines, makeBinLab, mountTmpfs, render, serialOf, tempRoot, tempsIn, unmount,
  type BaseSpec,
} from './helpers.js';
import { inLab, type InLab } from './inproc.js';
import { skipUnlessCI } from '../helpers/need.js';
import { EIO, ENOSPC, errno, injectFaults, type FaultPoint } from './faults.js';

const roots: string[] = [];
const mounts: string[] = [];
after(() => {
  for (const m of mounts.reverse()) unmount(m);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function root(name: string): string {
  const r = tempRoot(name);
  roots.push(r);
  return r;
}

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const LATER = { ZONERW_NOW: '2026-11-22T11:00:00Z' };
const LATEST = { ZONERW_NOW: '2026-11-22T12:00:00Z' };

/** A zone of about `kb` KiB: TXT records after the usual ones. */
function bigSpec(zone: string, kb: number): BaseSpec {
  const s = baseSpec(zone, 0);
  const txt = Array.from({ length: kb * 8 }, (_, i) => `t${i} IN TXT "${'p'.repeat(100)}"`).join('\n');
  return { zone, template: `${s.template}${txt}\n` };
}

function noStack(r: CliResult): void {
  assert.doesNotMatch(r.stdout + r.stderr, STACK, 'a stack trace');
}

// ------------------------------------------------------------------------------ tmpfs

describe('disk full: a small tmpfs (real ENOSPC)', { skip: skipUnlessCI(!canMount() && 'cannot mount a tmpfs in this sandbox (needs root outside a container); the injected-fault tests below cover ENOSPC instead') }, () => {
  test('zone_dir full: the old zone stays intact, the error names the file, exit 1, no temp left; with space again the next run publishes', async () => {
    const main = await new MainServer().start();
    try {
      const dir = root('enospc-zone');
      const spec = bigSpec('example.com', 24);
      const lab = makeBinLab(dir, { checkUrl: main.url, zones: [spec], makeZoneDir: true });
      mountTmpfs(lab.zoneDir, 64 * 1024);
      mounts.push(lab.zoneDir);
      assert.equal((await zonerw(['--config', lab.conf], NOW)).code, 0);
      const old = readFileSync(join(lab.zoneDir, 'example.com'));
      // Fill what is left of the file system.
      const filler = join(lab.zoneDir, 'filler');
      try {
        writeFileSync(filler, Buffer.alloc(1024 * 1024));
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      main.mode = 'down';
      const r = await zonerw(['--config', lab.conf], LATER);
      noStack(r);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(lines(r.stdout), [DOWN_LINE]);
      assert.deepEqual(lines(r.stderr), [`example.com: cannot write ${join(lab.zoneDir, 'example.com')}: ENOSPC: no space left on device`]);
      assert.deepEqual(readFileSync(join(lab.zoneDir, 'example.com')), old, 'the old zone is intact');
      assert.deepEqual(tempsIn(lab.zoneDir), [], 'the temp file was removed');

      unlinkSync(filler);
      const next = await zonerw(['--config', lab.conf], LATEST);
      assert.equal(next.code, 0, next.stderr);
      assert.deepEqual(lines(next.stdout), [`example.com: serial 2026112201, www mail -> ${BACKUP}`]);
      assert.equal(readFileSync(join(lab.zoneDir, 'example.com'), 'latin1'), render(spec, BACKUP, 2026112201));
    } finally {
      await main.stop();
    }
  });

  test('state_dir full: exit 1 naming state.json; no zone changed, no temp file left in zone_dir or state_dir', async () => {
    const main = await new MainServer().start();
    try {
      const dir = root('enospc-state');
      const lab = makeBinLab(dir, { checkUrl: main.url, zones: [baseSpec('example.com', 3), baseSpec('example.net', 4)] });
      assert.equal((await zonerw(['--config', lab.conf], NOW)).code, 0);
      // Move the state onto a small tmpfs, then fill it.
      const state = readFileSync(join(lab.stateDir, 'state.json'));
      rmSync(lab.stateDir, { recursive: true });
      mkdirSync(lab.stateDir);
      mountTmpfs(lab.stateDir, 64 * 1024);
      mounts.push(lab.stateDir);
      writeFileSync(join(lab.stateDir, 'state.json'), state);
      try {
        writeFileSync(join(lab.stateDir, 'filler'), Buffer.alloc(1024 * 1024));
      } catch (e) {
        assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
      }
      const zonesBefore = readdirSync(lab.zoneDir).map((n) => [n, readFileSync(join(lab.zoneDir, n), 'latin1')]);
      main.mode = 'down';
      const r = await zonerw(['--config', lab.conf], LATER);
      noStack(r);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(lines(r.stderr), [`zonerw: cannot write ${join(lab.stateDir, 'state.json')}: ENOSPC: no space left on device`]);
      assert.deepEqual(lines(r.stdout), [DOWN_LINE]);
      assert.deepEqual(readdirSync(lab.zoneDir).map((n) => [n, readFileSync(join(lab.zoneDir, n), 'latin1')]), zonesBefore, 'zone_dir unchanged, no temp file left in it');
      assert.deepEqual(tempsIn(lab.stateDir), [], 'no temp file left in state_dir');
      assert.deepEqual(readFileSync(join(lab.stateDir, 'state.json')), state, 'state.json intact');

      unlinkSync(join(lab.stateDir, 'filler'));
      const next = await zonerw(['--config', lab.conf], LATEST);
      assert.equal(next.code, 0, next.stderr);
      assert.match(next.stdout, /^example\.com: serial 2026112201, www mail -> 198\.51\.100\.7$/m);
    } finally {
      await main.stop();
    }
  });
});

// ---------------------------------------------------------------------- RLIMIT_FSIZE

async function zonerwLimited(fsizeBytes: number, args: string[], env: Record<string, string>): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  let signal: NodeJS.Signals | null = null;
  const r = await zonerw(args, env, { under: ['prlimit', `--fsize=${fsizeBytes}`], onSignal: (s) => (signal = s) });
  return { ...r, signal };
}

const PRLIMIT_SKIP = skipUnlessCI(spawnSync('prlimit', ['--version'], { stdio: 'ignore' }).status !== 0 && 'no prlimit here (util-linux)');

test('a file size limit (RLIMIT_FSIZE, EFBIG): the old zone stays intact, the error names the file, exit 1; without the limit the next run publishes', { skip: PRLIMIT_SKIP }, async () => {
  const main = await new MainServer().start();
  try {
    const dir = root('efbig');
    const big = bigSpec('big.example', 96);
    const small = baseSpec('small.example', 2);
    const lab = makeBinLab(dir, { checkUrl: main.url, zones: [big, small] });
    assert.equal((await zonerw(['--config', lab.conf], NOW)).code, 0);
    const old = readFileSync(join(lab.zoneDir, 'big.example'));
    main.mode = 'down';
    const r = await zonerwLimited(48 * 1024, ['--config', lab.conf], LATER);
    noStack(r);
    // The kernel sends SIGXFSZ with EFBIG; Node ignores it, unless something re-raises it.
    assert.equal(r.signal, null, `zonerw was killed by ${r.signal}, silently, instead of reporting EFBIG: stdout ${JSON.stringify(r.stdout)}, stderr ${JSON.stringify(r.stderr)}`);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(lines(r.stderr), [`big.example: cannot write ${join(lab.zoneDir, 'big.example')}: EFBIG: file too large`]);
    assert.deepEqual(lines(r.stdout), [
      DOWN_LINE,
      `small.example: serial 2026112201, www mail -> ${BACKUP}`,
    ], 'the zone that fits is published');
    assert.deepEqual(readFileSync(join(lab.zoneDir, 'big.example')), old);
    assert.deepEqual(tempsIn(lab.zoneDir), []);
    const next = await zonerw(['--config', lab.conf], LATEST);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(lines(next.stdout), [`big.example: serial 2026112201, www mail -> ${BACKUP}`]);
    assert.equal(readFileSync(join(lab.zoneDir, 'big.example'), 'latin1'), render(big, BACKUP, 2026112201));
  } finally {
    await main.stop();
  }
});

// ------------------------------------------------------------------ injected faults

describe('write errors injected at each step of the atomic install (in-process)', () => {
  const zoneFile = (l: InLab) => join(l.zoneDir, 'example.com');
  async function published(): Promise<{ l: InLab; old: Buffer }> {
    const l = inLab(root('inject'), [baseSpec('example.com', 1), baseSpec('example.net', 2)]);
    assert.equal((await l.go()).code, 0);
    l.mainUp = false;
    l.now += 3_600_000;
    return { l, old: readFileSync(zoneFile(l)) };
  }
  const isZoneTemp = (p: string) => /\/\.example\.com\.zonerw-tmp-[^/]*$/.test(p);

  const cases: { point: FaultPoint; err: () => NodeJS.ErrnoException; message: string }[] = [
    { point: 'open', err: () => ENOSPC('open'), message: 'cannot write {file}: ENOSPC: no space left on device' },
    { point: 'write', err: () => ENOSPC('write'), message: 'cannot write {file}: ENOSPC: no space left on device' },
    { point: 'write', err: () => EIO('write'), message: 'cannot write {file}: EIO: i/o error' },
    { point: 'fsync', err: () => EIO('fsync'), message: 'cannot write {file}: EIO: i/o error' },
    { point: 'chmod', err: () => errno('EPERM', 'fchmod', 'operation not permitted'), message: 'cannot write {file}: EPERM: operation not permitted' },
    { point: 'close', err: () => EIO('close'), message: 'cannot write {file}: EIO: i/o error' },
    { point: 'rename', err: () => EIO('rename'), message: 'cannot install {file}: EIO: i/o error' },
  ];
  for (const c of cases) {
    test(`${c.err().code} at ${c.point}: old zone intact, error names the file, exit 1, temp removed, no reload; the next run publishes`, async () => {
      const { l, old } = await published();
      const restore = await injectFaults((point, path) => (point === c.point && (isZoneTemp(path) || (point === 'rename' && path === zoneFile(l))) ? c.err() : undefined));
      let r;
      try {
        r = await l.go();
      } finally {
        restore();
      }
      assert.equal(r.code, 1, r.err.join('\n'));
      assert.deepEqual(r.err, [`example.com: ${c.message.replace('{file}', zoneFile(l))}`]);
      assert.deepEqual(readFileSync(zoneFile(l)), old, 'the old zone is intact');
      assert.deepEqual(tempsIn(l.zoneDir), [], 'the temp file was removed');
      assert.ok(!r.steps.includes('reload example.com'), 'no reload of a zone that was not installed');
      assert.ok(r.steps.includes('reload example.net'), 'the other zone went out');
      l.now += 600_000;
      const next = await l.go();
      assert.equal(next.code, 0, next.err.join('\n'));
      assert.deepEqual(next.out, [`example.com: serial 2026112201, www mail -> ${BACKUP}`]);
      assert.equal(serialOf(readFileSync(zoneFile(l), 'latin1')), 2026112201);
    });
  }

  test('EIO at write and again when removing the temp: the temp stays, and the next run removes it', async () => {
    const { l, old } = await published();
    const restore = await injectFaults((point, path) => ((point === 'write' || point === 'unlink') && isZoneTemp(path) ? EIO(point) : undefined));
    let r;
    try {
      r = await l.go();
    } finally {
      restore();
    }
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [`example.com: cannot write ${zoneFile(l)}: EIO: i/o error`]);
    assert.deepEqual(readFileSync(zoneFile(l)), old);
    assert.equal(tempsIn(l.zoneDir).length, 1, 'the temp could not be removed');
    const next = await l.go();
    assert.equal(next.code, 0);
    assert.deepEqual(tempsIn(l.zoneDir), [], 'the next run removed it');
    assert.deepEqual(next.out, [`example.com: serial 2026112201, www mail -> ${BACKUP}`]);
  });

  test('state.json cannot be written before the installs: exit 1 naming it, no zone changed, and no zone temp file left behind', async () => {
    const { l, old } = await published();
    const net = readFileSync(join(l.zoneDir, 'example.net'));
    const restore = await injectFaults((point, path) => (point === 'write' && path.includes('.state.json.zonerw-tmp-') ? ENOSPC('write') : undefined));
    let r;
    try {
      r = await l.go();
    } finally {
      restore();
    }
    assert.ok(r.error instanceof Error, 'the run stops');
    assert.equal((r.error as Error & { exitCode?: number }).exitCode, 1);
    assert.equal((r.error as Error).message, `cannot write ${join(l.stateDir, 'state.json')}: ENOSPC: no space left on device`);
    assert.deepEqual(readFileSync(zoneFile(l)), old);
    assert.deepEqual(readFileSync(join(l.zoneDir, 'example.net')), net);
    assert.deepEqual(tempsIn(l.stateDir), [], 'no state temp left');
    // README, "How it fails": disk full -> "the temp file is removed". On a full disk above all.
    assert.deepEqual(tempsIn(l.zoneDir), [], 'the zone temp files this run prepared are left in zone_dir');
  });

  test('state.json cannot be written after the installs: exit 1 naming it; the next run recognises its installs (no alarm, no new serial)', async () => {
    const { l } = await published();
    let saves = 0;
    const restore = await injectFaults((point, path) => (point === 'open' && path.includes('.state.json.zonerw-tmp-') && ++saves === 2 ? ENOSPC('open') : undefined));
    let r;
    try {
      r = await l.go();
    } finally {
      restore();
    }
    assert.equal((r.error as Error | undefined)?.message, `cannot write ${join(l.stateDir, 'state.json')}: ENOSPC: no space left on device`);
    const installed = readFileSync(zoneFile(l), 'latin1');
    assert.equal(serialOf(installed), 2026112201);
    const next = await l.go();
    assert.equal(next.code, 0);
    assert.deepEqual(next.out, [], 'nothing republished, no alarm');
    assert.equal(readFileSync(zoneFile(l), 'latin1'), installed);
  });

  test('EIO at the fsync of the folder, after the rename: reported; the installed zone is remembered (failback works, no false alarm)', async () => {
    const { l } = await published();
    const restore = await injectFaults((point, path) => (point === 'fsyncDir' && path === l.zoneDir ? EIO('fsync') : undefined));
    let r;
    try {
      r = await l.go();
    } finally {
      restore();
    }
    // Said as an error line (exit 1) or as the RunError that ends the run (the CLI: exit 1).
    const said = [...r.err, r.error instanceof Error ? r.error.message : ''].join('\n');
    assert.equal(r.code ?? (r.error as { exitCode?: number } | undefined)?.exitCode, 1, said);
    assert.ok(said.includes(l.zoneDir) && said.includes('EIO: i/o error') && said.includes('fsync'), `the error names the folder and the fault:\n${said}`);
    assert.match(readFileSync(zoneFile(l), 'latin1'), /www {2}IN A {3}198\.51\.100\.7/, 'installed');
    // The file is live: the nameserver must be told, now or on the next run.
    const reloaded = r.steps.includes('reload example.com');
    l.mainUp = true;
    l.now += 600_000;
    const next = await l.go();
    assert.equal(next.code, 0, next.err.join('\n'));
    assert.deepEqual(next.out.filter((x) => /edited by hand|not zonerw's output/.test(x)), [], 'a false "edited by hand" alarm about its own install');
    assert.match(readFileSync(zoneFile(l), 'latin1'), /www {2}IN A {3}192\.0\.2\.1/, 'main is up again, but the zone still points at the backup');
    assert.ok(reloaded || next.steps.includes('reload example.com'), 'the installed zone was never reloaded');
  });
});
