// The end of every run that got past the decision: hooks, then state, history and metrics.
// What it tells the world besides its output lines.
import { configGroups, type Config } from '../config/types.js';
import type { HealthDecision } from '../core/health.js';
import { namesGroups } from '../core/groups.js';
import { raisedEvents, type RaisedEvent } from '../core/hooks.js';
import { renderMetrics, type MetricsInput } from '../core/metrics.js';
import { groupOf } from '../core/history.js';
import { describeFailure, describeOutcome } from '../core/outcome.js';
import type { DecisionPlan } from '../core/run-plan.js';
import type { State } from '../core/state.js';
import { EXIT, type ExitCode } from '../errors.js';
import type { RunContext } from './context.js';
import { rememberSuccess, writeState } from './remember.js';
import { decidedValues, groupsServed, zoneServing } from './serving.js';
import { failoverMetrics, voteMetrics } from './alert-metrics.js';

export async function finish(ctx: RunContext, plan: DecisionPlan, published: readonly string[]): Promise<ExitCode> {
  const { cfg, deps, state, trouble, now } = ctx;
  if (ctx.opts.dryRun) return trouble.exitCode();
  rememberUnserved(ctx);
  const served = groupsServed(cfg, state);
  markMovesServed(ctx, served);
  await runHooks(ctx, raisedEvents(plan.groups, published, ctx.errors), served);
  if (trouble.exitCode() === EXIT.ok) rememberSuccess(state, now);
  ctx.guard();
  await writeState(deps, cfg.stateDir, state);
  await deps.appendHistory(cfg.stateDir, ctx.events);
  if (cfg.metricsFile) {
    const text = renderMetrics(metricsFrom(cfg, plan.groups, state, { now, durationMs: performance.now() - ctx.started, exitCode: trouble.exitCode() }));
    await deps.files.install(cfg.metricsFile, text);
  }
  return trouble.exitCode();
}

/**
 * Runs the hooks for this run's events, in config order, after the zones are installed and
 * reloaded. A hook that fails or hangs is reported (exit 1) and recorded once; it never undoes
 * the DNS change, and it is not run again for the same event.
 */
async function runHooks(ctx: RunContext, raised: readonly RaisedEvent[], served: ReadonlyMap<string, boolean>): Promise<void> {
  const { cfg, deps, state, now } = ctx;
  const named = namesGroups(configGroups(cfg));
  for (const hook of cfg.hooks) {
    for (const event of raised.filter((e) => hook.on.includes(e.on))) {
      const zones = Object.keys(state.zones).sort();
      const env: Record<string, string> = {
        ZONERW_EVENT: event.on,
        ZONERW_GROUP: event.group ?? '',
        ZONERW_FROM: event.from ? `${event.from.server} ${event.from.address}` : '',
        ZONERW_TO: `${event.to.server} ${event.to.address}`,
        ZONERW_REASON: event.reason,
        ZONERW_ZONES: zones.join(' '),
        ZONERW_SERIALS: zones.map((z) => `${z}=${state.zones[z]!.serial}`).join(' '),
        // the decision is ZONERW_TO; whether DNS serves it (every zone of the group): yes or no
        ZONERW_SERVED: served.get(event.group ?? configGroups(cfg)[0]!.name) ? 'yes' : 'no',
      };
      const r = await deps.runHook(hook.run, env, hook.timeoutMs);
      ctx.events.push({ t: now, type: 'hook', ...hookTag(event.group, named), on: event.on, run: hook.run, ok: r.ok, result: describeOutcome(r.outcome) });
      if (!r.ok) {
        // recorded by its hook event: a failed hook must not raise the error hook again
        ctx.fail({ kind: 'failed', asError: false, line: `hook ${hook.run.join(' ')} (on ${event.on}) ${describeFailure(r, { last: 3 })}; the DNS change stands; the hook is not run again for this event` });
      }
    }
  }
}

/** Since when each zone has not served the decision at a run's end (see announceServed in propagate.ts). */
function rememberUnserved(ctx: RunContext): void {
  const decided = decidedValues(ctx.cfg, ctx.state);
  for (const m of Object.values(ctx.state.zones)) {
    if (zoneServing(m, decided).served) delete m.unservedSince;
    else m.unservedSince ??= ctx.now;
  }
}

/**
 * A move recorded in the history says whether DNS serves it at the run's end; one not served
 * yet is followed by a `served` event from the run that finds it served.
 */
function markMovesServed(ctx: RunContext, served: ReadonlyMap<string, boolean>): void {
  for (const e of ctx.events) {
    if (e.type !== 'failover' && e.type !== 'failback' && e.type !== 'change') continue;
    const group = groupOf(e);
    e.served = served.get(group) ?? false;
  }
}

/** A hook run for a group's move names the group in the history when the config names groups (the default group too); else as before groups. */
function hookTag(group: string | undefined, named: boolean): { group?: string } {
  return group !== undefined && named ? { group } : {};
}

export function metricsFrom(cfg: Config, groups: readonly { group: string; decision: HealthDecision }[], state: State, run: { now: number; durationMs: number; exitCode: number }): MetricsInput {
  const seconds = (ms: number) => ms / 1000;
  // labelled by group when the config names groups; a config of the default group alone writes what it did before groups
  const label = (group: string) => (namesGroups(groups.map((g) => ({ name: g.group }))) ? { group } : {});
  const served = groupsServed(cfg, state);
  const decided = decidedValues(cfg, state);
  return {
    servers: groups.flatMap(({ group, decision: d }) => d.servers.map((v) => ({
      name: v.name,
      ...label(group),
      raw: v.raw,
      ...(v.outcome?.votes ? { undecided: v.outcome.undecided === true } : {}),
      up: v.up,
      favoured: v.name === d.favoured.server,
      served: v.name === d.favoured.server && served.get(group) === true,
      ...(v.outcome ? { latencySeconds: seconds(v.outcome.latencyMs) } : {}),
      consecutiveFailures: v.streak.up ? 0 : v.streak.count,
    }))),
    zones: Object.entries(state.zones)
      .filter(([zone]) => cfg.zones === undefined || cfg.zones.includes(zone))
      .map(([zone, m]) => ({
        zone,
        serial: m.serial,
        lastPublishSeconds: seconds(m.publishedAt),
        served: zoneServing(m, decided).served,
        ...(m.primarySerial !== undefined ? { primarySerial: m.primarySerial } : {}),
        ...((m.signaturesExpire ?? m.servedSignaturesExpire) !== undefined ? { signaturesExpirySeconds: seconds((m.signaturesExpire ?? m.servedSignaturesExpire)!) } : {}),
        secondaries: Object.entries(m.served ?? {}).map(([secondary, serial]) => ({ secondary, serial })),
      })),
    runDurationSeconds: seconds(run.durationMs),
    lastRunSeconds: seconds(run.now),
    ...(state.lastSuccess !== undefined ? { lastSuccessSeconds: seconds(state.lastSuccess) } : {}),
    pins: groups.map(({ group, decision }) => ({ ...label(group), active: decision.pin !== undefined })),
    exitCode: run.exitCode,
    ...voteMetrics(groups, label),
    ...failoverMetrics(cfg, groups, label),
  };
}
