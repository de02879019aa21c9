// The run lock: a folder `${stateDir}/zonerw.lock`, taken by mkdir (atomic, also over NFS: of
// several runs, exactly one makes it). A second run fails at once (no retries). Our own code
// instead of proper-lockfile: see the README, Decisions, "The run lock is our own".
//
// Right after the mkdir the holder writes `holder` into the folder: its pid, host name and the
// time it took the lock. While it holds the lock it sets the folder's mtime every stale/2.
//
// A run killed while holding it (SIGKILL, the OOM killer) leaves the folder behind. A run that
// finds the lock taken reads the holder: one on this host whose process no longer exists is
// gone, and its lock is taken over at once. A holder that cannot be checked (another host
// sharing the folder, no holder file yet, a pid that is alive or was reused) is waited out: its
// lock is taken over once its mtime is older than `stale`, so a frozen or unknown holder blocks
// the next runs for at most `stale` plus one cron interval.
//
// The holder knows when it may have lost the lock, and compromised() says so before each
// install: its folder is gone or made anew by another run (another inode), or the holder has
// not refreshed it for `stale` (it was frozen, or its event loop blocked): from then on another
// run may rightly take it over, so the holder must not write any more.
import { describeFsError } from '../core/format.js';
import { rmdirSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
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

/** What a run saw of a lock folder when it judged it: the take-over removes only that one. */
interface Seen {
  ino: number;
  mtimeMs: number;
  holder: Holder | undefined;
}

function parseHolder(text: string): Holder | undefined {
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (Number.isInteger(h.pid) && h.pid! > 0 && typeof h.host === 'string' && typeof h.at === 'number') return h as Holder;
  } catch {
    // a torn holder file
  }
  return undefined;
}

export async function readHolder(lockPath: string): Promise<Holder | undefined> {
  try {
    return parseHolder(await readFile(join(lockPath, HOLDER_NAME), 'utf8'));
  } catch {
    return undefined; // no holder file: a holder between its mkdir and its write, or an older zonerw
  }
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

const sameHolder = (a: Holder | undefined, b: Holder | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.at === b.at);

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

/** Makes the lock folder and writes the holder into it; false when the folder exists. */
async function tryTake(lockPath: string): Promise<boolean> {
  try {
    await mkdir(lockPath, { mode: 0o755 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  const holder: Holder = { pid: process.pid, host: hostname(), at: Date.now() };
  const file = join(lockPath, HOLDER_NAME);
  // written aside and renamed into place: `holder` is absent or whole, never torn by a kill
  // between its creation and its write (a torn one could not be checked: `stale` for the next run)
  const aside = join(lockPath, `.${HOLDER_NAME}-${process.pid}`);
  try {
    // 0644 whatever the umask: any user may see who holds the lock. Without it the lock still
    // works; only a crash of this run then costs the next runs `stale`.
    await writeFile(aside, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o644 });
    await chmod(aside, 0o644);
    await rename(aside, file);
  } catch {
    // see above; nothing left beside the holder, so that the release's rmdir succeeds
    await rm(aside, { force: true }).catch(() => {});
  }
  return true;
}

/** The lock as it is now, and whether it may be taken over: its holder is gone, or it is stale. */
async function judge(lockPath: string, staleMs: number): Promise<{ seen: Seen; free: boolean } | undefined> {
  let st;
  try {
    st = await stat(lockPath);
  } catch {
    return undefined; // released meanwhile
  }
  const holder = await readHolder(lockPath);
  const free = (holder !== undefined && holderGone(holder)) || Date.now() - st.mtimeMs > staleMs;
  return { seen: { ino: st.ino, mtimeMs: st.mtimeMs, holder }, free };
}

/**
 * Moves a lock that may be taken over out of the way: renamed first (atomic: of several runs
 * that found it, one gets it), then removed if it is still the one judged (same inode, mtime
 * and holder). Another run may have taken the lock over in between: that lock is put back, and
 * this run is locked out.
 */
async function removeJudged(lockPath: string, seen: Seen): Promise<boolean> {
  const aside = `${lockPath}.gone-${process.pid}-${Date.now()}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return false; // another run moved it first (ENOENT), or it cannot be moved: not this run's to take
  }
  const moved = await stat(aside).catch(() => undefined);
  if (!moved || moved.ino !== seen.ino || moved.mtimeMs !== seen.mtimeMs || !sameHolder(await readHolder(aside), seen.holder)) {
    await rename(aside, lockPath).catch(() => {});
    return false;
  }
  await rm(aside, { recursive: true, force: true }).catch(() => {});
  return true;
}

/** Takes the lock, or takes over a gone or stale one (once); LockedError when another run holds it. */
async function take(lockPath: string, staleMs: number): Promise<void> {
  if (await tryTake(lockPath)) return;
  const found = await judge(lockPath, staleMs);
  const cleared = found === undefined || (found.free && (await removeJudged(lockPath, found.seen)));
  // once: a run that took it meanwhile holds it
  if (cleared && (await tryTake(lockPath))) return;
  throw new LockedError(lockPath, staleMs, await readHolder(lockPath));
}

export async function acquireLock(stateDir: string, opts: { staleMs?: number } = {}): Promise<HeldLock> {
  const lockPath = join(stateDir, LOCK_NAME);
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  try {
    // The lock lives in the state folder; the first run on a fresh machine creates it.
    await makeStateDir(stateDir);
  } catch (err) {
    throw new RunError(`cannot create the state folder ${stateDir}: ${describeAccessError(err, { create: stateDir })}`);
  }
  try {
    await take(lockPath, staleMs);
  } catch (err) {
    if (err instanceof LockedError) throw err;
    throw new RunError(`cannot take the lock ${lockPath}: ${describeAccessError(err, { write: stateDir })}`);
  }
  const { ino, mtimeMs } = await stat(lockPath);
  return hold(lockPath, stateDir, staleMs, { ino, mtimeMs });
}

/**
 * The held lock: refreshed every stale/2, watched for a take-over, released once. `mine` is the
 * folder as this run last left it: its inode alone is not enough, a folder removed and made
 * anew often gets the same one back; its mtime, set by the refreshes, tells them apart.
 */
function hold(lockPath: string, stateDir: string, staleMs: number, mine: { ino: number; mtimeMs: number }): HeldLock {
  let lost: Error | undefined;
  let released = false;
  let refreshed = performance.now(); // monotonic: a clock set back does not make it look fresh
  let refreshing = false; // between a refresh's utimes and its reading the new mtime back
  const lose = (why: string) => {
    lost ??= new RunError(`lost the lock ${lockPath}: ${why}; stopping before any further write`);
    stop();
  };
  /** Still this run's: the same folder, refreshed less than `stale` ago. */
  const check = () => {
    if (lost || released) return;
    if (performance.now() - refreshed > staleMs) return lose(`not refreshed for over ${Math.round(staleMs / 1000)} s (frozen?), so another run may take it over`);
    let now;
    try {
      now = statSync(lockPath);
    } catch {
      now = undefined;
    }
    if (!now || now.ino !== mine.ino || (!refreshing && now.mtimeMs !== mine.mtimeMs)) lose('another run took it over');
  };
  const refresh = async () => {
    check();
    if (lost || released) return;
    const t = new Date();
    refreshing = true;
    try {
      await utimes(lockPath, t, t);
      mine.mtimeMs = (await stat(lockPath)).mtimeMs;
      refreshed = performance.now();
    } catch (err) {
      lose(describeFsError(err));
    } finally {
      refreshing = false;
    }
  };
  // Unref'd: a held lock does not keep the process alive; the run it guards does.
  const timer = setInterval(() => void refresh(), Math.max(1, Math.floor(staleMs / 2)));
  timer.unref();
  // A run that exits without release (a bug, process.exit) frees its lock for the next one.
  const onExit = () => {
    check();
    if (!lost && !released) removeSync(lockPath);
  };
  process.once('exit', onExit);
  function stop() {
    clearInterval(timer);
    process.removeListener('exit', onExit);
  }
  return {
    compromised: () => {
      check();
      return lost;
    },
    async release() {
      check();
      if (released || lost) return;
      released = true;
      stop();
      try {
        await rm(join(lockPath, HOLDER_NAME), { force: true });
        await rmdir(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return;
        throw new RunError(`cannot release the lock ${lockPath}: ${describeAccessError(err, { write: stateDir })}`);
      }
    },
  };
}

/** Called only while the lock is still this run's (check() just said so). */
function removeSync(lockPath: string): void {
  try {
    rmSync(join(lockPath, HOLDER_NAME), { force: true });
    rmdirSync(lockPath);
  } catch {
    // the next run takes it over: its holder is gone
  }
}

