// The files port's read errors: only ENOENT and ENOTDIR are "missing"; any other error names
// the path, the user zonerw runs as and the fix (the run as nobody is in
// test/reliability/folders-unreadable.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileOps } from '../../src/adapters/files.js';
import { describeReadError, isMissing } from '../../src/adapters/read-error.js';
import { describeUser, runningAs } from '../../src/adapters/access.js';
import { RunError } from '../../src/errors.js';

const err = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}, stat '/srv/x'`), { code, syscall: 'stat' });
const ZONERW = { uid: 999, gid: 999, name: 'zonerw' };
const AS = '(running as zonerw, uid 999)';

test('describeReadError: the user and the fix for each kind of error', () => {
  const denied = err('EACCES', 'permission denied');
  const table: [Parameters<typeof describeReadError>, string][] = [
    [[denied, '/srv/base', 'folder', ZONERW, undefined], `EACCES: permission denied ${AS}: give zonerw read and search access to /srv/base (chmod a+rx /srv/base; or chgrp/setfacl), or run zonerw as root`],
    [[denied, '/srv/base/a.base', 'file', ZONERW, undefined], `EACCES: permission denied ${AS}: give zonerw read access to /srv/base/a.base (chmod a+r /srv/base/a.base; or chgrp/setfacl), or run zonerw as root`],
    [[denied, '/srv/base', 'folder', ZONERW, '/srv'], `EACCES: permission denied ${AS}: give zonerw search access to /srv (chmod a+x /srv; or chgrp/setfacl), or run zonerw as root`],
    [[denied, '/srv/base', 'folder', { uid: 0, gid: 0, name: 'root' }, undefined], 'EACCES: permission denied'],
    [[err('ELOOP', 'too many symbolic links encountered'), '/srv/base', 'folder', ZONERW, undefined], `ELOOP: too many symbolic links encountered ${AS}: a symbolic link on its path leads back to itself: fix or remove the link`],
    [[err('EIO', 'i/o error'), '/srv/base', 'folder', ZONERW, undefined], `EIO: i/o error ${AS}: the disk or file system failed to read it: see the kernel log (dmesg), then the file system (fsck)`],
    [[err('EISDIR', 'illegal operation on a directory'), '/srv/base', 'file', ZONERW, undefined], `EISDIR: illegal operation on a directory ${AS}: a folder where a file is expected: give the file's path, or move the folder away`],
  ];
  for (const [args, expected] of table) assert.equal(describeReadError(...args), expected, (args[0] as Error).message);
});

test('isMissing: ENOENT and ENOTDIR only', () => {
  assert.deepEqual(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'ELOOP', 'EIO'].map((c) => isMissing({ code: c })), [true, true, false, false, false, false]);
});

test('the files port: missing is undefined, a symbolic link loop is an error naming the path, the user and the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zonerw-read-error-'));
  try {
    const loop = join(dir, 'loop');
    symlinkSync(loop, loop);
    writeFileSync(join(dir, 'file'), 'x');
    const underFile = join(dir, 'file', 'inside');
    assert.deepEqual(
      [await fileOps.folderId(join(dir, 'none')), await fileOps.folderId(underFile), await fileOps.size(underFile), fileOps.identity(underFile), await fileOps.read(underFile, 'latin1')],
      [undefined, undefined, undefined, undefined, undefined],
    );
    const said = `ELOOP: too many symbolic links encountered (running as ${describeUser(runningAs())}): a symbolic link on its path leads back to itself: fix or remove the link`;
    const calls: [string, () => unknown][] = [
      ['folderId', () => fileOps.folderId(loop)],
      ['size', () => fileOps.size(loop)],
      ['identity', async () => fileOps.identity(loop)],
      ['read', () => fileOps.read(loop, 'latin1')],
      ['list', () => fileOps.list(loop)],
    ];
    for (const [name, call] of calls) {
      await assert.rejects(Promise.resolve().then(call), (e: unknown) => {
        assert.ok(e instanceof RunError, name);
        assert.equal(e.message, `cannot read ${loop}: ${said}`, name);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
