// `[watch]`: how `zonerw watch` loops. Read only here; the command falls back to WATCH_DEFAULTS
// when the table is absent.
import { describe, type Reader } from './reader.js';

const WATCH_KEYS = ['interval'] as const;

export interface WatchSettings {
  /** how often the servers are probed (from the start of one cycle to the start of the next) */
  intervalMs: number;
}

/** 2 s: with fail_after = "4s" and a 2 s timeout, a dead main moves users in under 9 s at worst. */
export const WATCH_DEFAULTS: WatchSettings = { intervalMs: 2_000 };

export function readWatch(r: Reader, raw: unknown, topKeys: readonly string[]): WatchSettings | undefined {
  const t = r.table(raw, 'watch');
  if (!t) return undefined;
  r.known(t, 'watch', WATCH_KEYS, topKeys);
  const intervalMs = r.duration(t, 'watch', 'interval', WATCH_DEFAULTS.intervalMs);
  if (t.interval !== undefined && intervalMs < 10) r.problem('watch.interval', `must be at least "10ms", not ${describe(t.interval)}`);
  return { intervalMs };
}
