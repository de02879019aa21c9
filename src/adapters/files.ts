// Zone files on disk: atomic install (temp file in the same folder, fsync, rename, fsync the
// folder), keeping the mode and owner of the file it replaces. A reader (the nameserver) sees the
// old file or the new one, never a mix, whatever happens to this process or the disk.
import { describeFsError } from '../core/format.js';
import { constants, statSync } from 'node:fs';
import { access, copyFile, lstat, mkdtemp, open, readdir, readFile, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RunError } from '../errors.js';
import type { Files, PreparedFile, Scratch } from '../run/ports.js';
import { describeAccessError, describeUser, fixFor, runningAs, type Need } from './access.js';
import { cannotRead, isMissing } from './read-error.js';

export type { PreparedFile };


const TEMP_MARK = '.zonerw-tmp-';
const TEMP_NAME = /^\..+\.zonerw-tmp-.+$/;

/**
 * Whether the process that wrote a temp file (its pid is in the name) still runs: then it is
 * not litter but another zonerw's write in flight (two configs sharing a zone_dir), and it is
 * left alone. A pid reused by an unrelated process only delays the clean-up.
 */
function writerAlive(name: string): boolean {
  const pid = Number(/\.zonerw-tmp-(\d+)-/.exec(name)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export { describeFsError };

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // ENOENT or worse: nothing more can be done about a temp file here.
  }
}

/** fsync a folder so that a rename or unlink in it is durable. */
async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await fh.sync();
  } catch (err) {
    // Some file systems cannot fsync a folder; there is nothing stronger to do there.
    if (code(err) === 'EINVAL' || code(err) === 'ENOTSUP' || code(err) === 'EOPNOTSUPP') return;
    throw err;
  } finally {
    await fh?.close().catch(() => {});
  }
}

export async function prepareFile(path: string, content: string, encoding: BufferEncoding = 'utf8'): Promise<PreparedFile> {
  const dir = dirname(path);
  const { randomBytes } = await import('node:crypto'); // only a run that writes pays for it
  const suffix = `${TEMP_MARK}${process.pid}-${randomBytes(6).toString('hex')}`;
  // A file name holds at most NAME_MAX (255) bytes and a zone name may take 253: the temp's
  // name keeps as much of the file's name as fits.
  let name = basename(path);
  while (Buffer.byteLength(`.${name}${suffix}`) > 255) name = name.slice(0, -1);
  const tempPath = join(dir, `.${name}${suffix}`);
  const target = await replacedFile(path);
  await writeTemp(path, tempPath, content, encoding, target);
  return preparedFile(path, tempPath);
}

/** The mode and owner the new file keeps: those of the file it replaces (0644, ours, when new). */
async function replacedFile(path: string): Promise<{ mode: number; owner?: { uid: number; gid: number } }> {
  try {
    const st = await lstat(path);
    if (st.isSymbolicLink()) {
      throw new RunError(`refusing to write ${path}: it is a symbolic link (zonerw never writes through a link)`);
    }
    if (!st.isFile()) throw new RunError(`refusing to write ${path}: not a regular file`);
    return { mode: st.mode & 0o7777, owner: { uid: st.uid, gid: st.gid } };
  } catch (err) {
    if (err instanceof RunError) throw err;
    if (code(err) !== 'ENOENT') throw new RunError(`cannot write ${path}: ${describeAccessError(err, { write: dirname(path) })}`);
    return { mode: 0o644 };
  }
}

/** Writes the temp file (never through a link, never over another), fsync'd, with the mode and owner to keep. */
async function writeTemp(path: string, tempPath: string, content: string, encoding: BufferEncoding, target: { mode: number; owner?: { uid: number; gid: number } }): Promise<void> {
  let fh: FileHandle | undefined;
  let created = false;
  try {
    fh = await open(tempPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, 0o600);
    created = true;
    await fh.writeFile(content, encoding);
    if (target.owner) await keepOwner(fh, path, target.owner);
    // After chown (which clears set-id bits), and explicitly so that the umask does not apply.
    await fh.chmod(target.mode);
    await fh.sync();
    const closing = fh;
    fh = undefined;
    await closing.close();
  } catch (err) {
    await fh?.close().catch(() => {});
    if (created) await unlinkQuietly(tempPath);
    if (err instanceof RunError) throw err;
    throw new RunError(`cannot write ${path}: ${describeAccessError(err, { write: dirname(path) })}`);
  }
}

async function keepOwner(fh: FileHandle, path: string, owner: { uid: number; gid: number }): Promise<void> {
  const st = await fh.stat();
  if (st.uid === owner.uid && st.gid === owner.gid) return;
  try {
    await fh.chown(owner.uid, owner.gid);
  } catch (err) {
    // Better to stop than to install a file the nameserver may not be allowed to read.
    throw new RunError(`cannot write ${path}: cannot keep its owner ${owner.uid}:${owner.gid}: ${describeAccessError(err, { own: path, gid: owner.gid })}`);
  }
}

/** The temp file's handle: renamed over the path once, or removed. */
function preparedFile(path: string, tempPath: string): PreparedFile {
  let state: 'prepared' | 'committed' | 'discarded' = 'prepared';
  return {
    path,
    tempPath,
    async commit(opts = {}) {
      if (state !== 'prepared') throw new RunError(`cannot install ${path}: its temp file was already ${state}`);
      try {
        await rename(tempPath, path);
      } catch (err) {
        state = 'discarded';
        await unlinkQuietly(tempPath);
        throw new RunError(`cannot install ${path}: ${describeAccessError(err, { write: dirname(path) })}`);
      }
      state = 'committed';
      if (opts.syncDir === false) return;
      try {
        await syncDir(dirname(path));
      } catch (err) {
        throw new RunError(`installed ${path} but cannot fsync its folder ${dirname(path)}: ${describeFsError(err)}`);
      }
    },
    async discard() {
      if (state !== 'prepared') return;
      state = 'discarded';
      try {
        await unlink(tempPath);
      } catch (err) {
        if (code(err) !== 'ENOENT') throw new RunError(`cannot remove ${tempPath}: ${describeFsError(err)}`);
      }
    },
  };
}

/** fsync a folder, making the renames into it durable (one call covers them all). */
export async function syncFolder(dir: string): Promise<void> {
  try {
    await syncDir(dir);
  } catch (err) {
    throw new RunError(`cannot fsync the folder ${dir} after installing into it: ${describeFsError(err)}`);
  }
}

/**
 * What identifies a file's content without reading it: size, inode, and the change and
 * modification times in nanoseconds. Any write, rename over, or chmod changes it; undefined
 * when the file does not exist.
 */
export function fileIdentity(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.size}:${st.ino}:${st.ctimeNs}:${st.mtimeNs}`;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw cannotRead(err, path, 'file');
  }
}

export async function installFile(path: string, content: string): Promise<void> {
  const prepared = await prepareFile(path, content);
  await prepared.commit();
}

/** Delete the temp files a killed run left in `dir` (only `.*.zonerw-tmp-*`); returns their names. */
export async function removeStaleTemps(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (code(err) === 'ENOENT') return [];
    throw new RunError(`cannot list ${dir}: ${describeAccessError(err, { list: dir })}`);
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => TEMP_NAME.test(n) && !writerAlive(n)).sort()) {
    const p = join(dir, name);
    try {
      const st = await lstat(p);
      if (st.isDirectory()) continue;
      await unlink(p);
      removed.push(name);
    } catch (err) {
      if (code(err) === 'ENOENT') continue;
      throw new RunError(`cannot remove ${p}: ${describeAccessError(err, { write: dir })}`);
    }
  }
  if (removed.length > 0) {
    try {
      await syncDir(dir);
    } catch {
      // The removals stand either way; a crash could only bring a temp back for the next run.
    }
  }
  return removed;
}

/** `latin1` maps each byte to one character and back, for files that must round-trip byte for byte.
 *  `need`: the fix a permission error names when it is not read access (zonerw's own files: owning them). */
export async function readTextIfExists(path: string, encoding: BufferEncoding = 'utf8', need?: Need): Promise<string | undefined> {
  try {
    return await readFile(path, encoding);
  } catch (err) {
    if (isMissing(err)) return undefined;
    if (need) throw new RunError(`cannot read ${path}: ${describeAccessError(err, need)}`);
    throw cannotRead(err, path, 'file');
  }
}

/** Size in bytes, or undefined when there is nothing at the path. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw cannotRead(err, path, 'file');
  }
}

/** A folder's device and inode ("dev:ino"), or undefined when there is nothing at the path. */
export async function folderId(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path);
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw cannotRead(err, path, 'folder');
  }
}

/** Copy `path` to `${path}.${suffix}`, or `${path}.${suffix}-1`, -2... if taken; returns the copy's path. */
export async function keepCopy(path: string, suffix: string): Promise<string> {
  for (let n = 0; n < 1000; n++) {
    const dest = n === 0 ? `${path}.${suffix}` : `${path}.${suffix}-${n}`;
    try {
      await copyFile(path, dest, constants.COPYFILE_EXCL);
      return dest;
    } catch (err) {
      if (code(err) === 'EEXIST') continue;
      throw new RunError(`cannot copy ${path} to ${dest}: ${describeAccessError(err, { write: dirname(dest) })}`);
    }
  }
  throw new RunError(`cannot copy ${path}: ${path}.${suffix} and 999 numbered copies already exist`);
}

/** Names in a folder. */
export async function listFolder(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    throw cannotRead(err, dir, 'folder');
  }
}

/** A private temp folder (mode 0700) for files that are validated and never installed. */
export async function makeScratch(): Promise<Scratch> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-'));
  return {
    async write(name, content, encoding) {
      const path = join(dir, name);
      await writeFile(path, content, encoding);
      return path;
    },
    async link(name, target) {
      try {
        await symlink(target, join(dir, name));
      } catch (err) {
        if (code(err) !== 'EEXIST') throw new RunError(`cannot link ${join(dir, name)} to ${target}: ${describeFsError(err)}`);
      }
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * Why files cannot be created in this folder (or this file cannot be written to), or
 * undefined when they can. A path that does not exist yet is judged by the nearest folder
 * above it that does: zonerw would create it there.
 */
export async function writableProblem(path: string): Promise<string | undefined> {
  let at = path;
  for (;;) {
    try {
      const st = await stat(at);
      if (at !== path && !st.isDirectory()) return `cannot create ${path}: ${at} is not a folder`;
      try {
        await access(at, constants.W_OK | (st.isDirectory() ? constants.X_OK : 0));
        return undefined;
      } catch (err) {
        const what = at === path ? at : `${at} (to create ${path} in it)`;
        if (code(err) === 'EACCES' || code(err) === 'EPERM') {
          // The fix for a file is its owner's (chown); for a folder, its write right; for a
          // folder to be made, making it.
          const fix = at !== path ? fixFor({ create: path }) : st.isDirectory() ? fixFor({ write: at }) : fixFor({ own: at, gid: st.gid });
          return `${what} is not writable by ${describeUser()}: ${fix}`;
        }
        return `cannot write ${what}: ${describeFsError(err)}`;
      }
    } catch (err) {
      if (code(err) !== 'ENOENT' && code(err) !== 'ENOTDIR') return `cannot reach ${at}: ${describeAccessError(err, { list: dirname(at) })}`;
      const up = dirname(at);
      if (up === at) return `cannot create ${path}: no folder above it exists`;
      at = up;
    }
  }
}

/**
 * Why the install could not replace this file keeping its owner (it never writes through a
 * link, nor over anything but a regular file), or undefined when it can, or when there is no
 * such file. Only root may give a file to another user; a user may give a file it owns to a
 * group it is in, and a file made in a set-group-ID folder gets the folder's group by itself.
 */
export async function replaceableProblem(path: string): Promise<string | undefined> {
  let st;
  try {
    st = await lstat(path);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    return `cannot read ${path}: ${describeAccessError(err, { list: dirname(path) })}`;
  }
  if (st.isSymbolicLink()) return `${path} is a symbolic link, and zonerw never writes through a link: replace it with the file itself`;
  if (!st.isFile()) return `${path} is not a regular file: move it away`;
  const u = runningAs();
  if (u.uid === 0 || u.uid === -1) return undefined;
  let newGid = u.gid;
  try {
    const folder = await stat(dirname(path));
    if (folder.mode & 0o2000) newGid = folder.gid; // set-group-ID
  } catch {
    // the folder's own problem is reported by writableProblem
  }
  const groups = process.getgroups?.() ?? [];
  if (st.uid === u.uid && (st.gid === newGid || st.gid === u.gid || groups.includes(st.gid))) return undefined;
  return `${path} is owned by ${st.uid}:${st.gid}; zonerw replaces it keeping its owner, which ${describeUser(u)} cannot do: ${fixFor({ own: path, gid: st.gid }, u)}`;
}

/** The file operations of the ports (`deps.files`). */
export const fileOps: Files = {
  prepare: prepareFile,
  install: installFile,
  removeStaleTemps,
  keepCopy,
  syncFolder,
  identity: fileIdentity,
  read: readTextIfExists,
  size: fileSize,
  list: listFolder,
  folderId,
  scratch: makeScratch,
  writable: writableProblem,
  replaceable: replaceableProblem,
};
