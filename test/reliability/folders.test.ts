import { spawnSync } from 'node:child_process';
// Folders that are read-only, missing, not ours, the same as another, or holding symbolic
// links where zonerw writes. Each time: a clear error or safe behaviour, never a write outside
// zone_dir and state_dir, never a followed link into another file. Every test compares the
// whole lab folder and a "victim" file outside it before and after.
//
// Read-only: a real read-only mount (root can write through chmod), skipped with a message
// where the sandbox cannot mount. Permissions: zonerw run as nobody (setpriv), skipped where
// setpriv cannot drop privileges (not root).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { readableBin } from '../helpers/paths.js';
import {
  BACKUP, DOWN_LINE, MAIN, MainServer, STACK, baseSpec, canMount, cannotDropPrivileges, changedOutside, lines, makeBinLab, mountTmpfs, remount, render,
  tempRoot, tempsIn, tree, unmount, type BinLab,
} from './helpers.js';
import { inLab } from './inproc.js';
import { skipUnlessCI } from '../helpers/need.js';

const roots: string[] = [];
const mounts: string[] = [];
let main: MainServer | undefined;
after(async () => {
  await main?.stop();
  for (const m of mounts.reverse()) unmount(m);
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
async function mainServer(): Promise<MainServer> {
  main ??= await new MainServer().start();
  main.mode = 'up';
  return main;
}

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const LATER = { ZONERW_NOW: '2026-11-22T11:00:00Z' };
const LATEST = { ZONERW_NOW: '2026-11-22T12:00:00Z' };
const NOBODY = 65534;
const MOUNT_SKIP = skipUnlessCI(!canMount() && 'cannot mount a tmpfs in this sandbox (needs root outside a container): no real read-only folder to test with');
const NOBODY_SKIP = skipUnlessCI(cannotDropPrivileges(readableBin()));

/** A lab in its own root, plus a victim file and folder outside it that nothing may touch. */
interface World {
  root: string;
  lab: BinLab;
  victim: string;
  victimDir: string;
  outside: string;
  snap(): { lab: Map<string, string>; outside: Map<string, string> };
}

async function world(name: string, o: Parameters<typeof makeBinLab>[1] = {}): Promise<World> {
  const root = tempRoot(name);
  roots.push(root);
  chmodSync(root, 0o755);
  const m = await mainServer();
  const lab = makeBinLab(join(root, 'lab'), { checkUrl: m.url, ...o });
  const outside = join(root, 'outside');
  mkdirSync(join(outside, 'dir'), { recursive: true });
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'precious: not a zone file\n');
  writeFileSync(join(outside, 'dir', 'inside'), 'also precious\n');
  return {
    root, lab, victim, victimDir: join(outside, 'dir'), outside,
    snap: () => ({ lab: tree(lab.dir), outside: tree(outside) }),
  };
}

/** The entries of a lab snapshot under one of its folders. */
function under(t: Map<string, string>, folder: string): Map<string, string> {
  return new Map([...t].filter(([k]) => k.startsWith(`${folder}/`)));
}

/** Nothing changed outside zones/ and state/, and nothing at all outside the lab. */
function onlyZonesAndState(w: World, before: ReturnType<World['snap']>, also: string[] = []): void {
  const now = w.snap();
  assert.deepEqual(changedOutside(before.lab, now.lab, ['zones', 'state', ...also]), [], 'written outside zone_dir and state_dir');
  assert.deepEqual(changedOutside(before.outside, now.outside, []), [], 'a file outside the lab changed');
}

function clean(r: CliResult): void {
  assert.doesNotMatch(r.stdout + r.stderr, STACK, 'a stack trace');
  assert.notEqual(r.code, 70, `internal error: ${r.stderr}`);
}

function zonerwAs(uid: number, args: string[], env: Record<string, string>): Promise<CliResult> {
  return zonerw(args, env, { bin: readableBin(), under: ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups'] });
}

const zoneOf = (w: World, zone = 'example.com') => join(w.lab.zoneDir, zone);

// --------------------------------------------------------------------------- read-only

describe('read-only folders (a real read-only mount)', { skip: MOUNT_SKIP }, () => {
  test('read-only zone_dir: the error names the file, exit 1, the old zone is served; writable again, the next run publishes', async () => {
    const w = await world('ro-zone');
    mountTmpfs(w.lab.zoneDir, 1024 * 1024);
    mounts.push(w.lab.zoneDir);
    assert.equal((await zonerw(['--config', w.lab.conf], NOW)).code, 0);
    remount(w.lab.zoneDir, 'ro');
    const before = w.snap();
    main!.mode = 'down';
    // as the systemd unit runs it (INVOCATION_ID set): the error says what to add to the unit
    const r = await zonerw(['--config', w.lab.conf], { ...LATER, INVOCATION_ID: '0123456789abcdef' });
    clean(r);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stdout), [DOWN_LINE]);
    assert.deepEqual(lines(r.stderr), [
      `example.com: cannot write ${zoneOf(w)}: EROFS: read-only file system: ${w.lab.zoneDir} is read-only for this systemd unit (ProtectSystem=strict); add it with systemctl edit zonerw: [Service] ReadWritePaths=${w.lab.zoneDir}`,
    ]);
    assert.deepEqual(under(w.snap().lab, 'zones'), under(before.lab, 'zones'), 'zone_dir unchanged');
    onlyZonesAndState(w, before);
    assert.equal(readFileSync(zoneOf(w), 'latin1'), render(w.lab.specs[0]!, MAIN, 2026112200));
    remount(w.lab.zoneDir, 'rw');
    const next = await zonerw(['--config', w.lab.conf], LATEST);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(lines(next.stdout), [`example.com: serial 2026112201, www mail -> ${BACKUP}`]);
  });

  test('read-only state_dir: exit 1 naming the lock, nothing written anywhere', async () => {
    const w = await world('ro-state');
    assert.equal((await zonerw(['--config', w.lab.conf], NOW)).code, 0);
    const state = readFileSync(join(w.lab.stateDir, 'state.json'));
    rmSync(w.lab.stateDir, { recursive: true });
    mkdirSync(w.lab.stateDir);
    mountTmpfs(w.lab.stateDir, 256 * 1024);
    mounts.push(w.lab.stateDir);
    writeFileSync(join(w.lab.stateDir, 'state.json'), state);
    remount(w.lab.stateDir, 'ro');
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], LATER);
    clean(r);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      `zonerw: cannot take the lock ${join(w.lab.stateDir, 'zonerw.lock')}: EROFS: read-only file system: ${w.lab.stateDir} is on a read-only file system (mount it read-write); when zonerw runs from zonerw.service, add it with systemctl edit zonerw: [Service] ReadWritePaths=${w.lab.stateDir}`,
    ]);
    assert.deepEqual(w.snap(), before, 'nothing written');
  });
});

// ------------------------------------------------------------------------- permissions

describe('permissions (zonerw run as nobody)', { skip: NOBODY_SKIP }, () => {
  /** A lab where nobody may write state_dir (and zone_dir unless told otherwise). */
  async function nobodyWorld(name: string, zoneDirOwner = NOBODY) {
    const w = await world(name, { zones: [baseSpec('example.com', 1), baseSpec('example.net', 2)] });
    chmodSync(w.lab.dir, 0o755);
    mkdirSync(w.lab.stateDir);
    chownSync(w.lab.stateDir, NOBODY, NOBODY);
    chownSync(w.lab.zoneDir, zoneDirOwner, zoneDirOwner);
    return w;
  }

  test('zone_dir not writable for zonerw: the error names each file, exit 1, old zones kept', async () => {
    const w = await nobodyWorld('perm-zonedir', 0);
    // as root: first publication. Root trusts no state_dir of another user's (README "Trust"):
    // the state is root's for this run, and handed to nobody after it.
    chownSync(w.lab.stateDir, 0, 0);
    assert.equal((await zonerw(['--config', w.lab.conf], NOW)).code, 0);
    for (const n of ['', ...readdirSync(w.lab.stateDir)]) chownSync(join(w.lab.stateDir, n), NOBODY, NOBODY);
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerwAs(NOBODY, ['--config', w.lab.conf], LATER);
    clean(r);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr).sort(), [ // (the zones are written in parallel: any order)
      `example.com: cannot write ${zoneOf(w)}: EACCES: permission denied (running as nobody, uid ${NOBODY}): give nobody write access to ${w.lab.zoneDir} (chown nobody ${w.lab.zoneDir})`,
      `example.net: cannot write ${zoneOf(w, 'example.net')}: EACCES: permission denied (running as nobody, uid ${NOBODY}): give nobody write access to ${w.lab.zoneDir} (chown nobody ${w.lab.zoneDir})`,
    ]);
    assert.deepEqual(under(w.snap().lab, 'zones'), under(before.lab, 'zones'), 'zone_dir unchanged');
    onlyZonesAndState(w, before);
  });

  test('a zone file owned by someone else (the nameserver): zonerw cannot keep its owner, so it refuses; old zone kept, no temp', async () => {
    const w = await nobodyWorld('perm-owner');
    assert.equal((await zonerwAs(NOBODY, ['--config', w.lab.conf], NOW)).code, 0);
    chownSync(zoneOf(w), 0, 0); // as if the nameserver's user owned it
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerwAs(NOBODY, ['--config', w.lab.conf], LATER);
    clean(r);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      `example.com: cannot write ${zoneOf(w)}: cannot keep its owner 0:0: EPERM: operation not permitted (running as nobody, uid ${NOBODY}): make nobody its owner (chown nobody: ${zoneOf(w)}), or run zonerw as root`,
    ]);
    assert.deepEqual(lines(r.stdout), [DOWN_LINE, `example.net: serial 2026112201, www mail -> ${BACKUP}`]);
    assert.equal(before.lab.get('zones/example.com'), tree(w.lab.dir).get('zones/example.com'), 'old zone kept, owner and all');
    assert.deepEqual(tempsIn(w.lab.zoneDir), []);
    onlyZonesAndState(w, before);
  });

  test('an unreadable state.json: exit 1 naming it, nothing written', async () => {
    const w = await nobodyWorld('perm-state');
    assert.equal((await zonerwAs(NOBODY, ['--config', w.lab.conf], NOW)).code, 0);
    chownSync(join(w.lab.stateDir, 'state.json'), 0, 0);
    chmodSync(join(w.lab.stateDir, 'state.json'), 0o600);
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerwAs(NOBODY, ['--config', w.lab.conf], LATER);
    clean(r);
    assert.equal(r.code, 1);
    const state = join(w.lab.stateDir, 'state.json');
    assert.deepEqual(lines(r.stderr), [`zonerw: cannot read ${state}: EACCES: permission denied (running as nobody, uid ${NOBODY}): make nobody its owner (chown nobody: ${state}), or run zonerw as root`]);
    assert.deepEqual(w.snap(), before);
  });

  test('an unreadable base file stops only its own zone: it is named, the other zones fail over', async () => {
    const w = await nobodyWorld('perm-base');
    assert.equal((await zonerwAs(NOBODY, ['--config', w.lab.conf], NOW)).code, 0);
    chmodSync(join(w.lab.baseDir, 'example.com.base'), 0o600);
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerwAs(NOBODY, ['--config', w.lab.conf], LATER);
    clean(r);
    assert.ok(r.code === 65 || r.code === 1, `exit ${r.code}`);
    assert.ok(lines(r.stderr).some((l) => l.includes('example.com.base') && l.includes('EACCES')), `names the base file:\n${r.stderr}`);
    assert.deepEqual(lines(r.stdout), [DOWN_LINE, `example.net: serial 2026112201, www mail -> ${BACKUP}`], 'one unreadable base file blocked the failover of every zone');
    assert.equal(before.lab.get('zones/example.com'), tree(w.lab.dir).get('zones/example.com'));
    onlyZonesAndState(w, before);
  });

  test('an unreadable zone file stops only its own zone: it is named, the other zones fail over', async () => {
    const w = await nobodyWorld('perm-zonefile');
    assert.equal((await zonerwAs(NOBODY, ['--config', w.lab.conf], NOW)).code, 0);
    chownSync(zoneOf(w), 0, 0);
    chmodSync(zoneOf(w), 0o600);
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerwAs(NOBODY, ['--config', w.lab.conf], LATER);
    clean(r);
    assert.equal(r.code, 1);
    assert.ok(lines(r.stderr).some((l) => l.includes(zoneOf(w)) && l.includes('EACCES')), `names the zone file:\n${r.stderr}`);
    assert.deepEqual(lines(r.stdout), [DOWN_LINE, `example.net: serial 2026112201, www mail -> ${BACKUP}`], 'one unreadable zone file blocked the failover of every zone');
    onlyZonesAndState(w, before);
  });
});

test('as root, a replaced zone file keeps its owner and mode', { skip: skipUnlessCI(process.getuid?.() !== 0 && 'needs root to chown') }, async () => {
  const w = await world('owner-kept');
  assert.equal((await zonerw(['--config', w.lab.conf], NOW)).code, 0);
  chownSync(zoneOf(w), 123, 456);
  chmodSync(zoneOf(w), 0o640);
  main!.mode = 'down';
  assert.equal((await zonerw(['--config', w.lab.conf], LATER)).code, 0);
  const st = statSync(zoneOf(w));
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [123, 456, 0o640]);
  assert.match(readFileSync(zoneOf(w), 'latin1'), /www {2}IN A {3}198\.51\.100\.7/);
});

// ------------------------------------------------------------------------ missing folders

describe('missing folders', () => {
  test('zone_dir missing: not created; exit 78 naming it, before anything is written', async () => {
    const w = await world('missing-zonedir', { makeZoneDir: false });
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.equal(r.code, 78);
    assert.deepEqual(lines(r.stderr), [`zonerw: ${w.lab.conf}: zone_dir: ${w.lab.zoneDir} does not exist: zonerw does not create the nameserver's zone folder; create it, or fix zone_dir`]);
    assert.ok(!existsSync(w.lab.zoneDir), 'zonerw does not create zone_dir');
    assert.ok(!existsSync(join(w.lab.stateDir, 'zonerw.lock')) && !existsSync(join(w.lab.stateDir, 'state.json')), 'no lock, no state');
    onlyZonesAndState(w, before);
  });

  test('base_dir missing: exit 78 naming it, whether zones are listed or not; nothing written', async () => {
    const w = await world('missing-basedir');
    rmSync(w.lab.baseDir, { recursive: true });
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.equal(r.code, 78);
    assert.deepEqual(lines(r.stderr), [`zonerw: ${w.lab.conf}: base_dir: ${w.lab.baseDir} does not exist: create it with one <zone>.base file per zone, or fix base_dir`]);
    onlyZonesAndState(w, before);
    assert.ok(!existsSync(join(w.lab.stateDir, 'state.json')), 'no state written');
    writeFileSync(w.lab.conf, readFileSync(w.lab.conf, 'utf8').replace('state_dir = "state"', 'state_dir = "state"\nzones = ["example.com"]'));
    const listed = await zonerw(['--config', w.lab.conf], NOW);
    clean(listed);
    assert.equal(listed.code, 78);
  });

  test('state_dir missing, parents too: created, and the run publishes', async () => {
    const w = await world('missing-statedir');
    writeFileSync(w.lab.conf, readFileSync(w.lab.conf, 'utf8').replace('state_dir = "state"', 'state_dir = "state/deeper/still"'));
    const r = await zonerw(['--config', w.lab.conf], NOW);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(w.lab.dir, 'state', 'deeper', 'still', 'state.json')));
  });
});

// ------------------------------------------------------------------ folders that coincide

describe('zone_dir or state_dir the same as base_dir', () => {
  for (const spelled of ['base', 'base/', './base', 'zones/../base', '{dir}/base']) {
    test(`zone_dir = "${spelled}": configuration error, exit 78, nothing written`, async () => {
      const w = await world(`same-${spelled.replace(/\W/g, '_')}`);
      writeFileSync(w.lab.conf, readFileSync(w.lab.conf, 'utf8').replace('zone_dir = "zones"', `zone_dir = "${spelled.replace('{dir}', w.lab.dir)}"`));
      const before = w.snap();
      const r = await zonerw(['--config', w.lab.conf], NOW);
      clean(r);
      assert.equal(r.code, 78);
      assert.deepEqual(lines(r.stderr), [`zonerw: ${w.lab.conf}: zone_dir: must not be base_dir: zonerw never writes base files`]);
      assert.deepEqual(w.snap(), before);
    });
  }

  test('zone_dir is a symbolic link to base_dir: refused like the same folder (exit 78); nothing written in base_dir', async () => {
    const w = await world('same-symlink');
    rmSync(w.lab.zoneDir, { recursive: true });
    symlinkSync('base', w.lab.zoneDir);
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.deepEqual(changedOutside(before.lab, w.snap().lab, ['state']), [], 'zonerw wrote into base_dir, through zone_dir');
    assert.equal(r.code, 78);
  });

  test('zone_dir is a link to base_dir and zone_file = "{zone}.base": a base file is never overwritten', async () => {
    const w = await world('same-symlink-base');
    rmSync(w.lab.zoneDir, { recursive: true });
    symlinkSync('base', w.lab.zoneDir);
    writeFileSync(w.lab.conf, readFileSync(w.lab.conf, 'utf8').replace('state_dir = "state"', 'state_dir = "state"\nzone_file = "{zone}.base"'));
    const base = readFileSync(join(w.lab.baseDir, 'example.com.base'), 'latin1');
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.equal(readFileSync(join(w.lab.baseDir, 'example.com.base'), 'latin1'), base, 'the hand-written base file was overwritten with a rendered zone');
    assert.notEqual(r.code, 0);
  });

  test('state_dir is a symbolic link to base_dir: refused; no state or lock written in base_dir', async () => {
    const w = await world('state-symlink');
    symlinkSync('base', w.lab.stateDir);
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.deepEqual(changedOutside(before.lab, w.snap().lab, ['zones']), [], 'zonerw wrote its state into base_dir');
    assert.equal(r.code, 78);
  });
});

// ------------------------------------------------------------------------ symbolic links

describe('symbolic links where zonerw writes', () => {
  test('a link at the zone path, to a file outside: refused with a clear error, exit 1; link and target untouched', async () => {
    const w = await world('link-zone');
    symlinkSync(w.victim, zoneOf(w));
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [`example.com: refusing to write ${zoneOf(w)}: it is a symbolic link (zonerw never writes through a link)`]);
    assert.equal(readlinkSync(zoneOf(w)), w.victim);
    assert.deepEqual(tempsIn(w.lab.zoneDir), []);
    onlyZonesAndState(w, before);
    assert.deepEqual(tree(w.lab.zoneDir), new Map([['example.com', `-> ${w.victim}`]]));
  });

  test('a folder at the zone path: refused, exit 1, untouched', async () => {
    const w = await world('dir-zone');
    mkdirSync(zoneOf(w));
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.equal(r.code, 1);
    assert.ok(lines(r.stderr).some((l) => l.includes(zoneOf(w)) && /EISDIR|not a regular file/.test(l)), r.stderr);
    onlyZonesAndState(w, before);
    assert.ok(lstatSync(zoneOf(w)).isDirectory());
  });

  test('links named like leftover temp files, to a file and a folder outside: removed as links, targets untouched', async () => {
    const w = await world('link-temps');
    // left by a run that is gone: a pid no process has now (a live writer's temps are left alone)
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    symlinkSync(w.victim, join(w.lab.zoneDir, `.example.com.zonerw-tmp-${dead}-aaaaaaaaaaaa`));
    symlinkSync(w.victimDir, join(w.lab.zoneDir, `.example.com.zonerw-tmp-${dead}-bbbbbbbbbbbb`));
    mkdirSync(w.lab.stateDir);
    symlinkSync(w.victim, join(w.lab.stateDir, `.state.json.zonerw-tmp-${dead}-cccccccccccc`));
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(tempsIn(w.lab.zoneDir), []);
    assert.deepEqual(tempsIn(w.lab.stateDir), []);
    onlyZonesAndState(w, before);
  });

  test('a link planted at the very temp path, between the clean-up and the write: O_EXCL refuses it; target untouched', async () => {
    // The temp name is `.<zone>.zonerw-tmp-<pid>-<12 random hex>`: make the random part known.
    const require = createRequire(import.meta.url);
    const crypto = require('node:crypto') as { randomBytes: (n: number) => Buffer };
    const randomBytes = crypto.randomBytes;
    const w = await world('link-exact-temp');
    const l = inLab(join(w.root, 'inproc'), [baseSpec('example.com', 1)]);
    const temp = join(l.zoneDir, `.example.com.zonerw-tmp-${process.pid}-${'ab'.repeat(6)}`);
    crypto.randomBytes = (n: number) => Buffer.alloc(n, 0xab);
    syncBuiltinESMExports();
    l.fault = (step) => {
      if (step === 'prepare example.com' && !existsSync(temp)) symlinkSync(w.victim, temp);
      return undefined;
    };
    let r;
    try {
      r = await l.go();
    } finally {
      crypto.randomBytes = randomBytes;
      syncBuiltinESMExports();
      l.fault = undefined;
    }
    assert.equal(r.code, 1);
    assert.deepEqual(r.err, [`example.com: cannot write ${join(l.zoneDir, 'example.com')}: EEXIST: file already exists`]);
    assert.equal(readFileSync(w.victim, 'utf8'), 'precious: not a zone file\n', 'the link was followed');
    assert.ok(lstatSync(temp).isSymbolicLink(), 'not ours to remove now; the next run removes it as a leftover');
    const next = await l.go();
    assert.equal(next.code, 0);
    assert.ok(!existsSync(temp));
    assert.equal(readFileSync(w.victim, 'utf8'), 'precious: not a zone file\n');
  });

  test('state.json a link to a file outside: the target is never written', async () => {
    const w = await world('link-state');
    mkdirSync(w.lab.stateDir);
    symlinkSync(w.victim, join(w.lab.stateDir, 'state.json'));
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], NOW);
    clean(r);
    assert.deepEqual(changedOutside(before.outside, w.snap().outside, []), [], 'the link was followed');
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}`);
    onlyZonesAndState(w, before);
  });

  test('a link at the name of the copy kept of a hand-edited file: never followed', async () => {
    const w = await world('link-copy');
    assert.equal((await zonerw(['--config', w.lab.conf], NOW)).code, 0);
    writeFileSync(zoneOf(w), `${readFileSync(zoneOf(w), 'latin1')}hand IN A 203.0.113.9\n`);
    symlinkSync(w.victim, `${zoneOf(w)}.edited-20261122T110000Z`);
    main!.mode = 'down';
    const before = w.snap();
    const r = await zonerw(['--config', w.lab.conf], LATER);
    clean(r);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /kept a copy as zones\/example\.com\.edited-20261122T110000Z-1$/m);
    onlyZonesAndState(w, before);
    assert.equal(readlinkSync(`${zoneOf(w)}.edited-20261122T110000Z`), w.victim);
  });
});
