// adapters/trust.ts on real folders: the walk from / down (as written and through links), a
// program found as a run finds it (and every folder searched before it), a script an
// interpreter reads, and the nameserver's own user for zone_dir. Mode bits alone here; another
// user's files too when the test runs as root.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTrust, runner } from '../../src/adapters/trust.js';

const asRoot = process.getuid?.() === 0;
let root: string;
let n = 0;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'zonerw-trust-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

function fresh(): string {
  const d = join(root, `t${n++}`);
  mkdirSync(d, { mode: 0o755 });
  chmodSync(d, 0o755);
  return d;
}
const file = (path: string, mode = 0o644, text = 'x\n') => {
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
};
const program = (path: string) => file(path, 0o755, '#!/bin/sh\nexit 0\n');

describe('path: the file and every folder above it', () => {
  test('a file of the running user, 0644, in its own folders below /tmp (sticky): trusted', async () => {
    const d = fresh();
    assert.deepEqual(await createTrust().path(file(join(d, 'a.toml')), 'the config file'), []);
  });

  test('mode bits alone: the file 0666, 0664 of another group, a folder 0777 above', async () => {
    const d = fresh();
    const f = file(join(d, 'a.toml'), 0o666);
    const [line] = await createTrust().path(f, 'the config file');
    assert.match(line!, new RegExp(`^${f}: the config file is writable by every user .*mode 0666\\)`));
    chmodSync(f, 0o644);
    chmodSync(d, 0o777);
    const [above] = await createTrust().path(f, 'the config file');
    assert.match(above!, new RegExp(`^${d}: the config file \\(${f}\\) is below this folder, which is writable by every user`));
    chmodSync(d, 0o1777);
    assert.deepEqual(await createTrust().path(f, 'the config file'), [], 'sticky: what is below is the running user\'s own');
  });

  test('a missing path: nothing to say of it; its folders are still judged', async () => {
    const d = fresh();
    assert.deepEqual(await createTrust().path(join(d, 'state'), 'state_dir'), []);
    chmodSync(d, 0o777);
    assert.equal((await createTrust().path(join(d, 'state'), 'state_dir')).length, 1);
  });

  test('a link from a trusted place to a file others can write: the target is refused', async () => {
    const d = fresh();
    const other = fresh();
    const target = file(join(other, 'real.toml'), 0o646);
    symlinkSync(target, join(d, 'zonerw.toml'));
    const lines = await createTrust().path(join(d, 'zonerw.toml'), 'the config file');
    assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(': '))), [target]);
    chmodSync(target, 0o644);
    chmodSync(other, 0o777);
    const folder = await createTrust().path(join(d, 'zonerw.toml'), 'the config file');
    assert.deepEqual(folder.map((l) => l.slice(0, l.indexOf(': '))), [other], 'the target\'s folder too');
  });

  test('a link inside a folder others can write (a folder link): the real folders are walked', async () => {
    const d = fresh();
    const open = fresh();
    chmodSync(open, 0o777);
    file(join(open, 'a.base'));
    symlinkSync(open, join(d, 'base'));
    const lines = await createTrust().path(join(d, 'base', 'a.base'), 'a base file');
    assert.ok(lines.some((l) => l.startsWith(`${open}: `)), lines.join('\n'));
  });
});

describe('program: as a run finds it', () => {
  test('a bare name on a PATH folder others can write: refused', async () => {
    const bin = fresh();
    program(join(bin, 'zonerw-ctl'));
    chmodSync(bin, 0o777);
    const found = await createTrust().program(['zonerw-ctl', 'reload'], 'nameserver.control', { searchPath: bin, cwd: '/' });
    assert.equal(found.file, join(bin, 'zonerw-ctl'));
    assert.match(found.problems.join('\n'), new RegExp(`^${bin}: nameserver\\.control \\(${bin}/zonerw-ctl\\) is below this folder, which is writable by every user`));
  });

  test('a PATH folder others can write, searched before the one the program is in: refused (a program put there would run instead)', async () => {
    const open = fresh();
    chmodSync(open, 0o777);
    const bin = fresh();
    program(join(bin, 'zonerw-ctl'));
    const found = await createTrust().program(['zonerw-ctl'], 'hook[0].run', { searchPath: `${open}:${bin}`, cwd: '/' });
    assert.equal(found.file, join(bin, 'zonerw-ctl'));
    assert.match(found.problems.join('\n'), new RegExp(`^${open}: hook\\[0\\]\\.run: a folder searched before ${bin}/zonerw-ctl is writable by every user`));
    const after = await createTrust().program(['zonerw-ctl'], 'hook[0].run', { searchPath: `${bin}:${open}`, cwd: '/' });
    assert.deepEqual(after.problems, [], 'a folder searched after it is never reached');
  });

  test('a relative path is taken from cwd; an interpreter\'s script is judged; in sh -c a bare name is a program on PATH', async () => {
    const d = fresh();
    file(join(d, 'hook.sh'), 0o666);
    const t = createTrust();
    const viaSh = await t.program(['sh', 'hook.sh'], 'hook[0].run', { searchPath: '/usr/bin:/bin', cwd: d });
    assert.match(viaSh.problems.join('\n'), /hook\[0\]\.run: the script hook\.sh is writable by every user/);
    const inline = await t.program(['sh', '-c', 'hook.sh'], 'hook[0].run', { searchPath: '/usr/bin:/bin', cwd: d });
    assert.deepEqual(inline.problems, []);
    chmodSync(join(d, 'hook.sh'), 0o777);
    const dotted = await t.program(['sh', '-c', './hook.sh'], 'hook[0].run', { searchPath: '/usr/bin:/bin', cwd: d });
    assert.match(dotted.problems.join('\n'), /hook\[0\]\.run: the program \.\/hook\.sh is writable by every user/);
    const direct = await t.program(['./hook.sh'], 'hook[0].run', { searchPath: '/usr/bin:/bin', cwd: d });
    assert.equal(direct.file, join(d, 'hook.sh'));
  });

  test('through exec wrappers and a shell\'s program text: every program, script and file named is judged; not a device, not a missing path', async () => {
    const d = fresh();
    const script = file(join(d, 'hook.sh'), 0o757);
    const opts = { searchPath: '/usr/bin:/bin', cwd: d };
    const t = createTrust();
    for (const argv of [['env', 'A=1', 'nice', '-n', '5', 'timeout', '5', 'bash', '-o', 'errexit', 'hook.sh'], ['sh', '-c', `flock /tmp true && . ${script} 2>/dev/null`], ['sh', '-c', `cat ${script} | sh`]]) {
      const found = await t.program(argv, 'hook[0].run', opts);
      assert.equal(found.file, argv[0] === 'env' ? '/usr/bin/env' : '/usr/bin/sh', 'file: the first program, as before');
      assert.deepEqual(found.problems.map((l) => l.slice(0, l.indexOf(': '))), [script], `${JSON.stringify(argv)}: ${found.problems.join('\n')}`);
    }
    assert.deepEqual((await t.program(['sh', '-c', `echo x > /dev/null; cat ${join(d, 'missing')}`], 'x', opts)).problems, [], '/dev/null is 0666 but no regular file; a missing path is not there to change');
    assert.match((await t.program(['sh', '-c', '$X'], 'hook[0].run', opts)).problems.join('\n'), /^hook\[0\]\.run: zonerw cannot tell what it runs: "\$X" in "\$X" is only known when the shell runs/);
  });

  test('not found: no file, nothing said (the steps after say it is missing)', async () => {
    assert.deepEqual(await createTrust().program(['zonerw-no-such-program'], 'x', { searchPath: '/usr/bin', cwd: '/' }), { problems: [] });
  });
});

describe('another user (nobody)', { skip: asRoot ? false : 'needs root (chown)' }, () => {
  test('a file owned by nobody, mode 0644: refused; a folder above owned by nobody: refused', async () => {
    const d = fresh();
    const f = file(join(d, 'a.toml'));
    chownSync(f, 65534, 65534);
    assert.match((await createTrust().path(f, 'x')).join('\n'), /is owned by another user than root \(owner nobody \(uid 65534\)/);
    chownSync(f, 0, 0);
    chownSync(d, 65534, 65534);
    assert.match((await createTrust().path(f, 'x')).join('\n'), new RegExp(`^${d}: x \\(${f}\\) is below this folder, which is owned by another user`));
  });

  test('the nameserver\'s user may own zone_dir and the folders above it; no one else', async () => {
    const d = fresh();
    const zones = join(d, 'zones');
    mkdirSync(zones, { mode: 0o775 });
    chownSync(d, 65534, 65534);
    chownSync(zones, 0, 65534);
    chmodSync(zones, 0o2775);
    assert.deepEqual(await createTrust().path(zones, 'zone_dir', { nameserver: 'nobody' }), []);
    assert.equal((await createTrust().path(zones, 'zone_dir')).length, 2, 'without it: the owner above and the group of zone_dir');
  });

  test('the running user is who the process runs as', () => {
    assert.deepEqual([runner().uid, runner().gid], [0, process.getegid?.()]);
  });
});

describe('entry: one entry of a folder judged already (a base file in base_dir)', () => {
  test('the entry itself: 0644 trusted, 0666 refused; the folder above is not judged again', async () => {
    const d = fresh();
    chmodSync(d, 0o777); // judged by path(base_dir) in a run, not by entry()
    const f = file(join(d, 'example.com.base'));
    assert.deepEqual(await createTrust().entry(f, 'a base file'), []);
    chmodSync(f, 0o666);
    const [line] = await createTrust().entry(f, 'a base file');
    assert.match(line!, new RegExp(`^${f}: a base file is writable by every user .*mode 0666\\)`));
  });

  test('a link is followed and judged whole: its target in a folder others can write is refused', async () => {
    const d = fresh();
    const elsewhere = fresh();
    chmodSync(elsewhere, 0o777);
    const target = file(join(elsewhere, 'real.base'));
    const link = join(d, 'example.com.base');
    symlinkSync(target, link);
    const lines = await createTrust().entry(link, 'a base file');
    assert.ok(lines.some((l) => l.startsWith(`${elsewhere}: `)), lines.join('\n'));
  });
});
