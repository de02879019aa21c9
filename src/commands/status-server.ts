// status's words for one server's standing: its streak toward a change (runs, or a time with
// `fail_after = "5s"`), a server with no verdict yet, and what a server without a check is.
import type { ProbeConfig, ServerConfig } from '../config/types.js';
import { formatMs } from '../core/format.js';
import type { ServerMemory } from '../core/health.js';

export interface StreakStatus {
  up: boolean;
  runs: number;
  needed: number;
  /** with a time given (`fail_after = "5s"`): how long the streak must hold, and has held as of its last check (ms) */
  neededMs?: number;
  heldMs?: number;
}

/** The streak toward a change, as the state remembers it; null without a check or a streak. */
export function streakStatus(m: ServerMemory | undefined, check: ProbeConfig | undefined): StreakStatus | null {
  if (!m?.streak || !check || m.unknown) return null;
  const needed = m.up === false ? check.recoverAfter : check.failAfter;
  const neededMs = m.up === false ? check.recoverAfterMs : check.failAfterMs;
  const base = { up: m.streak.up, runs: m.streak.count, needed };
  if (neededMs === undefined) return base;
  const last = m.lastCheck?.at ?? m.streak.since ?? 0;
  return { ...base, neededMs, heldMs: Math.max(0, last - (m.streak.since ?? last)) };
}

/** ` (down 1 of 3 runs needed to change)`, ` (down for 2s of 5s needed to change, 2 runs)`, or nothing. */
export function describeStreak(st: StreakStatus | null, up: boolean | null): string {
  if (!st || st.up === up) return '';
  const side = st.up ? 'up' : 'down';
  if (st.neededMs !== undefined) return ` (${side} for ${formatMs(st.heldMs ?? 0)} of ${formatMs(st.neededMs)} needed to change, ${st.runs} run${st.runs === 1 ? '' : 's'})`;
  return ` (${side} ${st.runs} of ${st.needed} runs needed to change)`;
}

/**
 * What a server without a check is in its group: counted as up, so the first such server is
 * where the decision stops; only when it is the group's last server is it the last resort.
 */
export function describeNoCheck(servers: readonly Pick<ServerConfig, 'name' | 'check'>[], name: string): string {
  const firstUnchecked = servers.find((s) => !s.check);
  if (firstUnchecked?.name !== name) return 'no check (counted as up; never favoured while a server before it has no check either, unless pinned)';
  if (servers[servers.length - 1]?.name === name) return 'no check (taken as up; the last resort)';
  return 'no check (counted as up: favoured whenever no server before it is up; the servers after it only by a pin)';
}
