// Why a path cannot be read, said so that the admin can act at once: the path, the user zonerw
// runs as, and the fix. Only a path that is not there (ENOENT, ENOTDIR) is "missing"; anything
// else (EACCES, ELOOP, EIO...) is an error of its own, never advice to create what exists.
import { accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describeFsError } from '../core/format.js';
import { RunError } from '../errors.js';
import { describeUser, isAccessError, runningAs, type RunningAs } from './access.js';

const code = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/** Whether a stat or read error means that the path is not there. */
export function isMissing(err: unknown): boolean {
  return code(err) === 'ENOENT' || code(err) === 'ENOTDIR';
}

/** The fixes of the errors that are neither missing nor denied. */
const FIXES: Record<string, string> = {
  ELOOP: 'a symbolic link on its path leads back to itself: fix or remove the link',
  EIO: 'the disk or file system failed to read it: see the kernel log (dmesg), then the file system (fsck)',
  ENAMETOOLONG: 'the path is longer than the system allows: shorten it',
  EMFILE: 'too many open files: raise the limit (ulimit -n, or LimitNOFILE= in the systemd unit)',
  ENFILE: 'the system has too many open files: close some, or raise fs.file-max',
  EISDIR: "a folder where a file is expected: give the file's path, or move the folder away",
};

/**
 * `EACCES: permission denied (running as zonerw, uid 999): give zonerw search access to /srv
 * (chmod a+x /srv; or chgrp/setfacl), or run zonerw as root`. `blocked`: the folder on the
 * path that the user may not search, when it is not the path itself (found on the disk by default).
 */
export function describeReadError(err: unknown, path: string, what: 'file' | 'folder', u: RunningAs = runningAs(), blocked: string | undefined = isAccessError(err) ? unsearchable(path) : undefined): string {
  const words = describeFsError(err);
  if (isAccessError(err)) {
    // Root is refused only by what no chmod fixes (a read-only or immutable file, NFS root_squash, an LSM).
    if (u.uid === 0) return words;
    return `${words} (running as ${describeUser(u)}): ${readFix(path, what, u, blocked)}`;
  }
  const fix = FIXES[code(err) ?? ''];
  return fix ? `${words} (running as ${describeUser(u)}): ${fix}` : words;
}

/** A RunError `cannot read PATH: ...` (see describeReadError). */
export function cannotRead(err: unknown, path: string, what: 'file' | 'folder'): RunError {
  return new RunError(`cannot read ${path}: ${describeReadError(err, path, what)}`);
}

function readFix(path: string, what: 'file' | 'folder', u: RunningAs, blocked: string | undefined): string {
  const name = u.name ?? String(u.uid);
  const grant = (right: string, mode: string, at: string) => `give ${name} ${right} access to ${at} (chmod ${mode} ${at}; or chgrp/setfacl), or run zonerw as root`;
  if (blocked !== undefined && blocked !== path) return grant('search', 'a+x', blocked);
  return what === 'folder' ? grant('read and search', 'a+rx', path) : grant('read', 'a+r', path);
}

/** The first folder above `path` (from the root down) that this process may not search. */
function unsearchable(path: string): string | undefined {
  const folders: string[] = [];
  for (let at = dirname(resolve(path)); ; at = dirname(at)) {
    folders.unshift(at);
    if (dirname(at) === at) break;
  }
  return folders.find((folder) => {
    try {
      accessSync(folder, constants.X_OK);
      return false;
    } catch (err) {
      return isAccessError(err);
    }
  });
}
