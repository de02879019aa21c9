// The heartbeat of `zonerw watch`: state_dir/watch.json, rewritten after every probe cycle (the
// one thing a steady cycle writes). `status` reads it to say a watch runs, since when and when it
// last probed; a one-shot run reads it to wait for a watch's apply instead of failing on the lock.
// A heartbeat whose pid is gone (a watch killed with SIGKILL) means no watch runs.
import { join } from 'node:path';
import { LockedError } from '../errors.js';
import type { Deps, Files, HeldLock } from './ports.js';

export const HEARTBEAT_NAME = 'watch.json';

/** How long a one-shot run (or pin) waits for a watch that holds the lock while it applies. */
export const WAIT_FOR_WATCH_MS = 15_000;

export interface Heartbeat {
  pid: number;
  host: string;
  /** ms since the epoch */
  startedAt: number;
  lastProbeAt?: number;
  lastApplyAt?: number;
  intervalMs: number;
  cycles: number;
  applies: number;
  rssBytes: number;
  cpuMs: number;
  /** what the last cycle saw: a line a group */
  sees: string[];
}

export const heartbeatPath = (stateDir: string) => join(stateDir, HEARTBEAT_NAME);

export function parseHeartbeat(text: string | undefined): Heartbeat | undefined {
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as Partial<Heartbeat>;
    if (Number.isInteger(h.pid) && h.pid! > 0 && typeof h.startedAt === 'number') return { sees: [], cycles: 0, applies: 0, rssBytes: 0, cpuMs: 0, intervalMs: 0, host: '', ...h } as Heartbeat;
  } catch {
    // torn or foreign: no watch to speak of
  }
  return undefined;
}

/** Whether the process exists (another user's counts: EPERM). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running watch's heartbeat, or undefined when no watch runs (none, or its process is gone). */
export async function runningWatch(files: Pick<Files, 'read'>, stateDir: string): Promise<Heartbeat | undefined> {
  let text: string | undefined;
  try {
    text = await files.read(heartbeatPath(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  const h = parseHeartbeat(text);
  return h && pidAlive(h.pid) ? h : undefined;
}

/**
 * The lock, for a one-shot run or a pin: when a watch holds it (it is applying), waited for up to
 * WAIT_FOR_WATCH_MS instead of exit 75. Without a running watch, a held lock fails at once, as
 * before (two cron runs do not queue up).
 */
export async function lockBesideWatch(deps: Pick<Deps, 'lock' | 'files'>, stateDir: string, waitMs = WAIT_FOR_WATCH_MS): Promise<HeldLock> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      return await deps.lock(stateDir);
    } catch (e) {
      if (!(e instanceof LockedError) || Date.now() >= until) throw e;
      const watch = await runningWatch(deps.files, stateDir);
      if (!watch || watch.pid === process.pid) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
