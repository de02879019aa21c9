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
import { asksPrimary, decidedValues, groupsServed, zoneServing } from './serving.js';
import { failoverMetrics, voteMetrics } from './alert-metrics.js';

/** `installed`: the zones this run installed; `listed`: every zone in base_dir (one never published serves nothing). */
export async function finish(ctx: RunContext, plan: DecisionPlan, installed: readonly string[], listed: readonly string[] = []): Promise<ExitCode> {
  const { cfg, deps, state, trouble, now } = ctx;
  if (ctx.opts.dryRun) return trouble.exitCode();
  rememberUnserved(ctx);
  const served = groupsServed(cfg, state, listed);
  markMovesServed(ctx, served);
  await runHooks(ctx, raisedEvents(plan.groups, publishedZones(ctx, installed), ctx.errors), served);
  if (trouble.exitCode() === EXIT.ok) rememberSuccess(state, now);
  ctx.guard();
  await writeState(deps, cfg.stateDir, state);
  await deps.appendHistory(cfg.stateDir, ctx.events);
  if (cfg.metricsFile) {
    const text = renderMetrics(metricsFrom(cfg, plan.groups, state, { listed, now, durationMs: performance.now() - ctx.started, exitCode: trouble.exitCode() }));
    await deps.files.install(cfg.metricsFile, text);
  }
  return trouble.exitCode();
}

/**
 * The zones the `publish` hook announces: installed by this run and not found unserved (a reload
 * the primary did not load is no publish), and those an earlier run installed that this run
 * found served (its `served` events). Without a primary to ask, an installed zone counts.
 */
function publishedZones(ctx: RunContext, installed: readonly string[]): string[] {
  const decided = decidedValues(ctx.cfg, ctx.state);
  const asked = asksPrimary(ctx.cfg);
  const now = installed.filter((z) => zoneServing(ctx.state.zones[z], decided, asked).served !== false);
  const late = ctx.events.flatMap((e) => (e.type === 'served' ? [e.zone] : []));
  return [...new Set([...now, ...late])].sort();
}

/**
 * Runs the hooks for this run's events, in config order, after the zones are installed and
 * reloaded. A hook that fails or hangs is reported (exit 1) and recorded once; it never undoes
 * the DNS change, and it is not run again for the same event.
 */
async function runHooks(ctx: RunContext, raised: readonly RaisedEvent[], served: ReadonlyMap<string, boolean | undefined>): Promise<void> {
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
        // the decision is ZONERW_TO; whether DNS serves it (every zone of the group): yes, no, or
        // unknown (no primary is asked: zonerw cannot tell)
        ZONERW_SERVED: servedWord(served.get(event.group ?? configGroups(cfg)[0]!.name)),
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

function servedWord(served: boolean | undefined): 'yes' | 'no' | 'unknown' {
  return served === undefined ? 'unknown' : served ? 'yes' : 'no';
}

/** Since when each zone has not served the decision at a run's end (see announceServed in propagate.ts). */
function rememberUnserved(ctx: RunContext): void {
  const decided = decidedValues(ctx.cfg, ctx.state);
  const asked = asksPrimary(ctx.cfg);
  for (const m of Object.values(ctx.state.zones)) {
    if (zoneServing(m, decided, asked).served !== false) delete m.unservedSince;
    else m.unservedSince ??= ctx.now;
  }
}

/**
 * A move recorded in the history says whether DNS serves it at the run's end; one not served
 * yet is followed by a `served` event from the run that finds it served.
 */
function markMovesServed(ctx: RunContext, served: ReadonlyMap<string, boolean | undefined>): void {
  for (const e of ctx.events) {
    if (e.type !== 'failover' && e.type !== 'failback' && e.type !== 'change') continue;
    // no primary asked: the event does not say (served absent)
    const s = served.get(groupOf(e));
    if (s !== undefined) e.served = s;
  }
}

/** A hook run for a group's move names the group in the history when the config names groups (the default group too); else as before groups. */
function hookTag(group: string | undefined, named: boolean): { group?: string } {
  return group !== undefined && named ? { group } : {};
}

export function metricsFrom(cfg: Config, groups: readonly { group: string; decision: HealthDecision }[], state: State, run: { listed?: readonly string[]; now: number; durationMs: number; exitCode: number }): MetricsInput {
  const seconds = (ms: number) => ms / 1000;
  // labelled by group when the config names groups; a config of the default group alone writes what it did before groups
  const label = (group: string) => (namesGroups(groups.map((g) => ({ name: g.group }))) ? { group } : {});
  const served = groupsServed(cfg, state, run.listed);
  const decided = decidedValues(cfg, state);
  const asked = asksPrimary(cfg);
  // without a primary to ask, nothing is claimed: the served gauges are left out
  const servedOf = (server: string, d: HealthDecision, group: string) => (served.get(group) === undefined ? {} : { served: server === d.favoured.server && served.get(group) === true });
  const zoneServed = (m: State['zones'][string]) => {
    const s = zoneServing(m, decided, asked).served;
    return s === undefined ? {} : { served: s };
  };
  return {
    servers: groups.flatMap(({ group, decision: d }) => d.servers.map((v) => ({
      name: v.name,
      ...label(group),
      raw: v.raw,
      ...(v.outcome?.votes ? { undecided: v.outcome.undecided === true } : {}),
      up: v.up,
      favoured: v.name === d.favoured.server,
      ...servedOf(v.name, d, group),
      ...(v.outcome ? { latencySeconds: seconds(v.outcome.latencyMs) } : {}),
      consecutiveFailures: v.streak.up ? 0 : v.streak.count,
    }))),
    zones: Object.entries(state.zones)
      .filter(([zone]) => cfg.zones === undefined || cfg.zones.includes(zone))
      .map(([zone, m]) => ({
        zone,
        serial: m.serial,
        lastPublishSeconds: seconds(m.publishedAt),
        ...zoneServed(m),
        ...(m.primarySerial !== undefined ? { primarySerial: m.primarySerial } : {}),
        ...(m.primarySeenAt !== undefined ? { primarySeenSeconds: seconds(m.primarySeenAt) } : {}),
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
