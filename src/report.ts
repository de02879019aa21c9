// What a run tells the world besides its output lines: history events, hooks, metrics.
import type { Config } from './config.js';
import type { HealthDecision } from './core/health.js';
import type { RaisedEvent } from './core/hooks.js';
import type { HistoryEvent } from './core/history.js';
import type { MetricsInput } from './core/metrics.js';
import type { State } from './state.js';
import type { Deps, Log, Trouble } from './run-types.js';

/** A check event for each server whose raw result differs from the last run's (or is new). */
export function healthEvents(d: HealthDecision, before: State, now: number): HistoryEvent[] {
  return d.servers.flatMap((v): HistoryEvent[] => {
    const last = before.servers[v.name]?.streak?.up;
    if (!v.outcome || last === v.raw) return [];
    return [{ t: now, type: 'check', server: v.name, up: v.raw, reason: v.outcome.reason }];
  });
}

/**
 * Runs the hooks for this run's events, in config order, after the zones are installed and
 * reloaded. A hook that fails or hangs is reported (exit 1) and recorded once; it never undoes
 * the DNS change, and it is not run again for the same event.
 */
export async function runHooks(cfg: Config, deps: Deps, raised: readonly RaisedEvent[], state: State, trouble: Trouble, log: Log, events: HistoryEvent[], now: number): Promise<void> {
  for (const hook of cfg.hooks) {
    for (const event of raised.filter((e) => hook.on.includes(e.on))) {
      const zones = Object.keys(state.zones).sort();
      const env: Record<string, string> = {
        ZONERW_EVENT: event.on,
        ZONERW_FROM: event.from ? `${event.from.server} ${event.from.address}` : '',
        ZONERW_TO: `${event.to.server} ${event.to.address}`,
        ZONERW_REASON: event.reason,
        ZONERW_ZONES: zones.join(' '),
        ZONERW_SERIALS: zones.map((z) => `${z}=${state.zones[z]!.serial}`).join(' '),
      };
      const r = await deps.runHook(hook.run, env, hook.timeoutMs);
      events.push({ t: now, type: 'hook', on: event.on, run: hook.run, ok: r.ok, result: r.reason });
      if (!r.ok) {
        const words = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join('; ');
        // said through deps.log: a failed hook must not raise the error hook again
        deps.log.err(`hook ${hook.run.join(' ')} (on ${event.on}) failed (${r.reason})${words ? `: ${words}` : ''}; the DNS change stands; the hook is not run again for this event`);
        trouble.failed = true;
      }
    }
  }
}

export function metricsFrom(cfg: Config, d: HealthDecision, state: State, run: { now: number; durationMs: number; exitCode: number }): MetricsInput {
  const seconds = (ms: number) => ms / 1000;
  return {
    servers: d.servers.map((v) => ({
      name: v.name,
      raw: v.raw,
      up: v.up,
      favoured: v.name === d.favoured.server,
      ...(v.outcome ? { latencySeconds: seconds(v.outcome.latencyMs) } : {}),
      consecutiveFailures: v.streak.up ? 0 : v.streak.count,
    })),
    zones: Object.entries(state.zones)
      .filter(([zone]) => cfg.zones === undefined || cfg.zones.includes(zone))
      .map(([zone, m]) => ({
        zone,
        serial: m.serial,
        lastPublishSeconds: seconds(m.publishedAt),
        secondaries: Object.entries(m.served ?? {}).map(([secondary, serial]) => ({ secondary, serial })),
      })),
    runDurationSeconds: seconds(run.durationMs),
    lastRunSeconds: seconds(run.now),
    ...(state.lastSuccess !== undefined ? { lastSuccessSeconds: seconds(state.lastSuccess) } : {}),
    pinActive: d.pin !== undefined,
    exitCode: run.exitCode,
  };
}

