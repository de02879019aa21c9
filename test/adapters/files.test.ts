import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunError } from '../../src/errors.js';
import { skipOrFail } from '../helpers/need.js';
import {
  installFile,
  keepCopy,
  prepareFile,
  readTextIfExists,
  removeStaleTemps,
} from '../../src/adapters/files.js';

const ZONE = '$TTL 300\n@ IN SOA ns1 hostmaster ( 2024010101 300 60 1209600 300 )\nwww IN A 192.0.2.1\n';
const NEW_ZONE = ZONE.replace('192.0.2.1', '198.51.100.7').replace('2024010101', '2024010102');

/** The pid of a process that has exited (and is reaped): no process has it now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('files', () => {
  let root: string;
  let n = 0;
  const fresh = () => {
    const d = join(root, `t${n++}`);
    mkdirSync(d);
    return d;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-files-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('install a new file: content, mode 0644 whatever the umask, no temp left', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    const old = process.umask(0o077);
    try {
      await installFile(path, ZONE);
    } finally {
      process.umask(old);
    }
    assert.equal(readFileSync(path, 'utf8'), ZONE);
    assert.equal(statSync(path).mode & 0o7777, 0o644);
    assert.deepEqual(readdirSync(dir), ['example.com']);
  });

  test('replace keeps the mode 0600 of the old file and leaves no temp', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    writeFileSync(path, ZONE);
    chmodSync(path, 0o600);
    await installFile(path, NEW_ZONE);
    assert.equal(readFileSync(path, 'utf8'), NEW_ZONE);
    assert.equal(statSync(path).mode & 0o7777, 0o600);
    assert.deepEqual(readdirSync(dir), ['example.com']);
  });

  test('replace keeps the owner of the old file (root only)', async (t) => {
    if (process.geteuid?.() !== 0) return skipOrFail(t, 'needs root to chown');
    const dir = fresh();
    const path = join(dir, 'example.com');
    writeFileSync(path, ZONE);
    chownSync(path, 4321, 8765);
    chmodSync(path, 0o640);
    await installFile(path, NEW_ZONE);
    const st = statSync(path);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [4321, 8765, 0o640]);
  });

  test('content is written byte for byte (CRLF, tabs, no final newline)', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    const text = '$ORIGIN example.com.\r\nwww\tIN\tA\t192.0.2.1 ; é\r\nlast';
    await installFile(path, text);
    assert.equal(readFileSync(path, 'utf8'), text);
  });

  test('a write that fails (file size limit, EFBIG) leaves the old file intact and names the path', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    writeFileSync(path, ZONE);
    const filesJs = new URL('../../src/adapters/files.js', import.meta.url).href;
    const script = `
      const { installFile } = await import(${JSON.stringify(filesJs)});
      try {
        await installFile(process.argv[1], 'x'.repeat(200000));
        console.log(JSON.stringify({ ok: true }));
      } catch (e) {
        console.log(JSON.stringify({ name: e.name, message: e.message, exitCode: e.exitCode }));
      }`;
    // ulimit -f makes the write fail even for root; Node ignores SIGXFSZ, so write() gets EFBIG.
    const r = spawnSync('sh', ['-c', 'ulimit -f 16 && exec "$0" "$@"', process.execPath, '--input-type=module', '-e', script, path], {
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.name, 'RunError');
    assert.equal(out.exitCode, 1);
    assert.equal(out.message, `cannot write ${path}: EFBIG: file too large`);
    assert.equal(readFileSync(path, 'utf8'), ZONE);
    assert.deepEqual(readdirSync(dir), ['example.com']);
  });

  test('a folder that is a file (ENOTDIR) throws RunError naming the path', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'zones'), 'not a folder');
    const path = join(dir, 'zones', 'example.com');
    await assert.rejects(installFile(path, ZONE), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.equal(e.exitCode, 1);
      assert.equal(e.message, `cannot write ${path}: ENOTDIR: not a directory`);
      return true;
    });
    assert.equal(readFileSync(join(dir, 'zones'), 'utf8'), 'not a folder');
  });

  test('a commit into a folder removed after prepare throws RunError naming the path', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    const prepared = await prepareFile(path, ZONE);
    rmSync(dir, { recursive: true });
    await assert.rejects(prepared.commit(), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.match(e.message, new RegExp(`^cannot install ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`));
      return true;
    });
    await prepared.discard(); // nothing to do, must not throw
  });

  test('a symlink at the path is refused and its target untouched', async () => {
    const dir = fresh();
    const target = join(dir, 'elsewhere');
    const path = join(dir, 'example.com');
    writeFileSync(target, 'precious');
    symlinkSync(target, path);
    await assert.rejects(installFile(path, ZONE), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.match(e.message, /symbolic link/);
      assert.ok(e.message.includes(path));
      return true;
    });
    assert.equal(readFileSync(target, 'utf8'), 'precious');
    assert.ok(lstatSync(path).isSymbolicLink());
    assert.equal(readlinkSync(path), target);
    assert.deepEqual(readdirSync(dir).sort(), ['elsewhere', 'example.com']);
  });

  test('a folder at the path is refused', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'example.com'));
    await assert.rejects(installFile(join(dir, 'example.com'), ZONE), /not a regular file/);
  });

  test('prepare: temp is in the same folder, hidden, named after the file; discard leaves nothing', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    writeFileSync(path, ZONE);
    const prepared = await prepareFile(path, NEW_ZONE);
    assert.equal(prepared.path, path);
    const tempName = prepared.tempPath.slice(dir.length + 1);
    assert.match(tempName, new RegExp(`^\\.example\\.com\\.zonerw-tmp-${process.pid}-[0-9a-f]+$`));
    assert.equal(readFileSync(prepared.tempPath, 'utf8'), NEW_ZONE);
    assert.equal(readFileSync(path, 'utf8'), ZONE, 'not installed before commit');
    await prepared.discard();
    await prepared.discard();
    assert.deepEqual(readdirSync(dir), ['example.com']);
    assert.equal(readFileSync(path, 'utf8'), ZONE);
  });

  test('a zone name of 240 characters (DNS allows 253): the temp name fits NAME_MAX, the file installs, and the temp is litter a run removes', async () => {
    const dir = fresh();
    const zone = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(48)}`;
    assert.equal(zone.length, 240);
    const path = join(dir, zone);
    const prepared = await prepareFile(path, ZONE);
    const tempName = prepared.tempPath.slice(dir.length + 1);
    assert.ok(Buffer.byteLength(tempName) <= 255, `${tempName.length} bytes`);
    assert.ok(tempName.startsWith(`.${zone.slice(0, 100)}`), 'named after the file as far as it fits');
    const again = await prepareFile(path, ZONE);
    await again.discard();
    await prepared.commit();
    assert.deepEqual(readdirSync(dir), [zone]);
    assert.equal(readFileSync(path, 'utf8'), ZONE);
  });

  test('prepare then commit installs; a second commit is refused', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    const prepared = await prepareFile(path, ZONE);
    await prepared.commit();
    assert.equal(readFileSync(path, 'utf8'), ZONE);
    await assert.rejects(prepared.commit(), RunError);
    await prepared.discard();
    assert.deepEqual(readdirSync(dir), ['example.com']);
  });

  test('removeStaleTemps deletes only our temps and returns their names', async () => {
    const dir = fresh();
    const dead = deadPid();
    const ours = [`.example.com.zonerw-tmp-${dead}-abcdef`, `.example.org.zonerw-tmp-${dead}-00`];
    const others = ['example.com', '.hidden', 'x.zonerw-tmp-1-2', '.zonerw-tmp-1-2', '.example.com.swp', 'example.com.hand-edited'];
    for (const name of [...ours, ...others]) writeFileSync(join(dir, name), 'x');
    mkdirSync(join(dir, '.dir.zonerw-tmp-1-2'));
    const removed = await removeStaleTemps(dir);
    assert.deepEqual(removed, [...ours].sort());
    assert.deepEqual(readdirSync(dir).sort(), [...others, '.dir.zonerw-tmp-1-2'].sort());
    assert.deepEqual(await removeStaleTemps(dir), []);
  });

  test('removeStaleTemps leaves the temp of a writer that still runs (another zonerw sharing zone_dir)', async () => {
    const dir = fresh();
    const live = process.ppid; // a process that surely runs: our parent
    const inFlight = `.example.com.zonerw-tmp-${live}-abcdef`;
    const litter = `.example.net.zonerw-tmp-${deadPid()}-abcdef`;
    writeFileSync(join(dir, inFlight), 'x');
    writeFileSync(join(dir, litter), 'x');
    assert.deepEqual(await removeStaleTemps(dir), [litter]);
    assert.deepEqual(readdirSync(dir), [inFlight]);
  });

  test('removeStaleTemps on a missing folder returns []', async () => {
    assert.deepEqual(await removeStaleTemps(join(root, 'no-such-folder')), []);
  });

  test('readTextIfExists: content, undefined when missing, RunError naming the path otherwise', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    assert.equal(await readTextIfExists(path), undefined);
    writeFileSync(path, ZONE);
    assert.equal(await readTextIfExists(path), ZONE);
    await assert.rejects(readTextIfExists(dir), (e: unknown) => {
      assert.ok(e instanceof RunError);
      assert.ok(e.message.startsWith(`cannot read ${dir}: EISDIR: illegal operation on a directory (running as `) && e.message.endsWith(": a folder where a file is expected: give the file's path, or move the folder away"), e.message);
      return true;
    });
  });

  test('keepCopy copies to path.suffix, then -1, -2 when taken', async () => {
    const dir = fresh();
    const path = join(dir, 'example.com');
    writeFileSync(path, ZONE);
    const a = await keepCopy(path, 'hand-edited');
    const b = await keepCopy(path, 'hand-edited');
    writeFileSync(path, NEW_ZONE);
    const c = await keepCopy(path, 'hand-edited');
    assert.deepEqual([a, b, c], [`${path}.hand-edited`, `${path}.hand-edited-1`, `${path}.hand-edited-2`]);
    assert.equal(readFileSync(a, 'utf8'), ZONE);
    assert.equal(readFileSync(b, 'utf8'), ZONE);
    assert.equal(readFileSync(c, 'utf8'), NEW_ZONE);
    await assert.rejects(keepCopy(join(dir, 'missing'), 'x'), (e: unknown) => e instanceof RunError && e.message.includes(join(dir, 'missing')));
  });
});
