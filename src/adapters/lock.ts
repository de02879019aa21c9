// The run lock: a folder `${stateDir}/zonerw.lock` made with mkdir (atomic) by proper-lockfile,
// which refreshes its mtime every stale/2 while held. A second run fails at once (no retries).
//
// A run killed while holding it (SIGKILL, the OOM killer) leaves the folder behind. Inside it,
// right after the mkdir, the holder writes `holder`: its pid and host name. A run that finds
// the lock taken reads it: a holder on this host whose process no longer exists is gone, and
// its lock is taken over at once. A holder that cannot be checked (another host sharing the
// folder, no holder file yet, a pid that is alive or was reused) is waited out: its lock is
// taken over once its mtime is older than `stale`, so a frozen or unknown holder blocks the
// next runs for at most `stale` plus one cron interval.
import { describeFsError } from '../core/format.js';
import * as fs from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { LockedError, RunError } from '../errors.js';
import type { HeldLock } from '../run/ports.js';
import { describeAccessError } from './access.js';

export type { HeldLock };


export const LOCK_NAME = 'zonerw.lock';
/** The file inside the lock folder naming its holder. */
export const HOLDER_NAME = 'holder';
const DEFAULT_STALE_MS = 30_000;

export interface Holder {
  pid: number;
  host: string;
  /** when it took the lock (ms since the epoch), to tell two holders with the same pid apart */
  at: number;
}

/**
 * proper-lockfile's file system, with the holder file written into the lock folder right after
 * the mkdir that takes it (before proper-lockfile sets the folder's mtime, which it later
 * compares), and removed before every rmdir of the folder (release, a stale take-over, exit).
 */
function lockFs(lockPath: string): typeof fs {
  const holderPath = join(lockPath, HOLDER_NAME);
  const clear = (p: string) => {
    if (p === lockPath) fs.rmSync(holderPath, { force: true });
  };
  return {
    ...fs,
    mkdir: ((p: string, cb: (err: NodeJS.ErrnoException | null) => void) => {
      fs.mkdir(p, (err) => {
        if (err || p !== lockPath) return cb(err);
        const holder: Holder = { pid: process.pid, host: hostname(), at: Date.now() };
        // 0644 whatever the umask: any user may see who holds the lock. Without it the lock
        // still works; only a crash of this run then costs the next runs `stale`.
        fs.writeFile(holderPath, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o644 }, (e) => {
          if (e) return cb(null);
          fs.chmod(holderPath, 0o644, () => cb(null));
        });
      });
    }) as typeof fs.mkdir,
    rmdir: ((p: string, cb: (err: NodeJS.ErrnoException | null) => void) => {
      try {
        clear(p);
      } catch {
        // rmdir says what is wrong
      }
      fs.rmdir(p, cb);
    }) as typeof fs.rmdir,
    rmdirSync: ((p: string) => {
      try {
        clear(p);
      } catch {
        // rmdirSync says what is wrong
      }
      fs.rmdirSync(p);
    }) as typeof fs.rmdirSync,
  };
}

export async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    const h = JSON.parse(await readFile(join(lockPath, HOLDER_NAME), 'utf8')) as Partial<Holder>;
    if (Number.isInteger(h.pid) && h.pid! > 0 && typeof h.host === 'string' && typeof h.at === 'number') return h as Holder;
  } catch {
    // no holder file (a holder between its mkdir and its write, or an older zonerw), or a torn one
  }
  return undefined;
}

/** A holder on this host whose process no longer exists. A live pid (even another user's: EPERM) is alive. */
export function holderGone(h: Holder): boolean {
  if (h.host !== hostname() || h.pid === process.pid) return false;
  try {
    process.kill(h.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Creates the state folder (and the folders above it) 0755 whatever the umask, so that a
 * monitoring user can run `zonerw status`. Folders that already exist are left as they are.
 */
async function makeStateDir(stateDir: string): Promise<void> {
  const first = await mkdir(stateDir, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  for (let d = stateDir; ; d = dirname(d)) {
    await chmod(d, 0o755);
    if (d === first || dirname(d) === d) break;
  }
}

/**
 * Moves a gone holder's lock out of the way: renamed first (atomic: of several runs that found
 * it, one gets it), then removed if it still names the same holder. Another run may have taken
 * the lock over in between: that lock is put back, and this run is locked out.
 */
async function removeGoneLock(lockPath: string, gone: Holder): Promise<boolean> {
  const aside = `${lockPath}.gone-${process.pid}-${Date.now()}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return false; // another run moved it first (ENOENT), or it cannot be moved: not this run's to take
  }
  const moved = await readHolder(aside);
  if (!moved || moved.pid !== gone.pid || moved.host !== gone.host || moved.at !== gone.at) {
    await rename(aside, lockPath).catch(() => {});
    return false;
  }
  await rm(aside, { recursive: true, force: true }).catch(() => {});
  return true;
}

export async function acquireLock(stateDir: string, opts: { staleMs?: number } = {}): Promise<HeldLock> {
  const lockPath = join(stateDir, LOCK_NAME);
  // Imported here: ~20 ms that only a run that locks should pay.
  const lockfile = (await import('proper-lockfile')).default;

  try {
    // The lock lives in the state folder; the first run on a fresh machine creates it.
    await makeStateDir(stateDir);
  } catch (err) {
    throw new RunError(`cannot create the state folder ${stateDir}: ${describeAccessError(err, { create: stateDir })}`);
  }

  let lost: Error | undefined;
  let released = false;
  let unlock: () => Promise<void>;
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const options = {
    lockfilePath: lockPath,
    realpath: false,
    retries: 0,
    stale: staleMs,
    fs: lockFs(lockPath),
    // The default throws from a timer and crashes the process. Record it instead: the run
    // checks compromised() before each install and stops.
    onCompromised: (err: Error) => {
      lost ??= new RunError(`lost the lock ${lockPath}: ${describeFsError(err)}; stopping before any further install`);
    },
  };
  const take = () => lockfile.lock(stateDir, options);
  try {
    try {
      unlock = await take();
    } catch (err) {
      if ((err as NodeJS.ErrnoException)?.code !== 'ELOCKED') throw err;
      const holder = await readHolder(lockPath);
      if (!holder || !holderGone(holder) || !(await removeGoneLock(lockPath, holder))) throw err;
      unlock = await take(); // once: a run that took it meanwhile holds it (ELOCKED)
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ELOCKED') throw new LockedError(lockPath, staleMs, await readHolder(lockPath));
    throw new RunError(`cannot take the lock ${lockPath}: ${describeAccessError(err, { write: stateDir })}`);
  }

  // proper-lockfile notices a takeover only on its next refresh (every stale/2), and not at all
  // while this process is frozen; the folder itself tells at once: gone, or made anew by another run.
  const { ino } = await stat(lockPath);
  return {
    compromised: () => {
      if (!lost && !released) {
        let now: number | undefined;
        try {
          now = fs.statSync(lockPath).ino;
        } catch {
          now = undefined;
        }
        if (now !== ino) lost = new RunError(`lost the lock ${lockPath}: another run took it over; stopping before any further write`);
      }
      return lost;
    },
    async release() {
      if (released || lost) return;
      released = true;
      try {
        await unlock();
      } catch (err) {
        const c = (err as NodeJS.ErrnoException)?.code;
        if (c === 'ERELEASED' || c === 'ENOTACQUIRED' || c === 'ENOENT') return;
        throw new RunError(`cannot release the lock ${lockPath}: ${describeAccessError(err, { write: stateDir })}`);
      }
    },
  };
}
