// What `zonerw status` says of a running `zonerw watch`, from its heartbeat (run/watch-heartbeat.ts).
import { formatSpan, utcTime } from '../core/format.js';
import type { Config } from '../config/types.js';
import type { Deps, Files } from './ports.js';
import { resolversStillHold } from './ttl-told.js';
import { runningWatch } from './watch-heartbeat.js';

export interface WatchStatus {
  pid: number;
  since: string;
  lastProbe: string | null;
  lastRun: string | null;
  intervalMs: number;
  cycles: number;
  runs: number;
  rssBytes: number;
  cpuSeconds: number;
  sees: string[];
}

/** The running watch, or null when none runs (no heartbeat, or its process is gone). */
export async function watchStatus(files: Pick<Files, 'read'>, stateDir: string): Promise<WatchStatus | null> {
  const h = await runningWatch(files, stateDir);
  if (!h) return null;
  const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());
  return {
    pid: h.pid, since: iso(h.startedAt)!, lastProbe: iso(h.lastProbeAt), lastRun: iso(h.lastApplyAt), intervalMs: h.intervalMs,
    cycles: h.cycles, runs: h.applies, rssBytes: h.rssBytes, cpuSeconds: h.cpuMs / 1000, sees: h.sees,
  };
}

/** `watch: running, pid 1234, since ..., last probe 1s ago (every 2s); favouring main ...`, or nothing. */
export function formatWatchStatus(w: WatchStatus | null, now: number): string[] {
  if (!w) return [];
  const ago = (iso: string | null) => (iso === null ? 'never' : `${formatSpan(now - Date.parse(iso))} ago`);
  return [
    `watch: running, pid ${w.pid}, since ${utcTime(Date.parse(w.since))} UTC; last probe ${ago(w.lastProbe)} (every ${w.intervalMs / 1000}s), last run ${ago(w.lastRun)}; ${w.cycles} cycles, RSS ${Math.round(w.rssBytes / 1048576)} MB`,
    ...w.sees.map((s) => `  sees: ${s}`),
  ];
}

/** What status adds from issue 18: the running watch, and until when resolvers may hold an old address. */
export async function statusExtras(cfg: Config, deps: Pick<Deps, 'files' | 'readHistory'>, now: number): Promise<{ json: { watch: WatchStatus | null; resolversHold: { until: string; message: string } | null }; lines: string[] }> {
  const [watch, resolversHold] = await Promise.all([watchStatus(deps.files, cfg.stateDir), resolversStillHold(cfg, deps, now)]);
  const lines = [...formatWatchStatus(watch, now), ...(resolversHold ? [`resolvers: ${resolversHold.message}`] : [])];
  return { json: { watch, resolversHold }, lines };
}
