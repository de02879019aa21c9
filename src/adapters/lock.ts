// The run lock: a folder `${stateDir}/zonerw.lock` made with mkdir (atomic) by proper-lockfile,
// which refreshes its mtime every stale/2 while held. A second run fails at once (no retries);
// a lock whose mtime is older than `stale` (its holder was killed) is taken over, so a killed
// run blocks the next ones for at most `stale` plus one cron interval.
import { describeFsError } from '../core/format.js';
import { statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LockedError, RunError } from '../errors.js';
import type { HeldLock } from '../run/ports.js';

export type { HeldLock };


export const LOCK_NAME = 'zonerw.lock';
const DEFAULT_STALE_MS = 30_000;


export async function acquireLock(stateDir: string, opts: { staleMs?: number } = {}): Promise<HeldLock> {
  const lockPath = join(stateDir, LOCK_NAME);
  // Imported here: ~20 ms that only a run that locks should pay.
  const lockfile = (await import('proper-lockfile')).default;

  try {
    // The lock lives in the state folder; the first run on a fresh machine creates it.
    await mkdir(stateDir, { recursive: true });
  } catch (err) {
    throw new RunError(`cannot create the state folder ${stateDir}: ${describeFsError(err)}`);
  }

  let lost: Error | undefined;
  let released = false;
  let unlock: () => Promise<void>;
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  try {
    unlock = await lockfile.lock(stateDir, {
      lockfilePath: lockPath,
      realpath: false,
      retries: 0,
      stale: staleMs,
      // The default throws from a timer and crashes the process. Record it instead: the run
      // checks compromised() before each install and stops.
      onCompromised: (err: Error) => {
        lost ??= new RunError(`lost the lock ${lockPath}: ${describeFsError(err)}; stopping before any further install`);
      },
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ELOCKED') throw new LockedError(lockPath, staleMs);
    throw new RunError(`cannot take the lock ${lockPath}: ${describeFsError(err)}`);
  }

  // proper-lockfile notices a takeover only on its next refresh (every stale/2), and not at all
  // while this process is frozen; the folder itself tells at once: gone, or made anew by another run.
  const { ino } = await stat(lockPath);
  return {
    compromised: () => {
      if (!lost && !released) {
        let now: number | undefined;
        try {
          now = statSync(lockPath).ino;
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
        throw new RunError(`cannot release the lock ${lockPath}: ${describeFsError(err)}`);
      }
    },
  };
}
