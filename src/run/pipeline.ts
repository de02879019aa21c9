// One run: gather -> plan -> apply. Gather reads everything the run plans from (state, probes,
// zones, served serials: src/run/gather.ts); planRun (src/core/run-plan.ts, pure) returns the
// whole run as one value; apply carries it out (src/run/apply.ts: stage, install; then
// propagate: reload, notify, secondaries; then report: hooks, state, history, metrics), or
// --dry-run prints it (src/run/dry-run.ts). Every side effect goes through ctx.deps, so tests
// hand in fakes and the binary the real adapters.
import { join } from 'node:path';
import { planRun, type RunPlan } from '../core/run-plan.js';
import type { ExitCode } from '../errors.js';
import { sayPlan, stagePublishes } from './apply.js';
import { missingChecker } from './checker.js';
import type { RunContext } from './context.js';
import { showPlan } from './dry-run.js';
import { gather, type Gathered } from './gather.js';
import { installZones } from './install.js';
import type { Probed } from './observe.js';
import { settlePending, watchSecondaries } from './propagate.js';
import { finish } from './report.js';
import { watchServedDnssec } from './served-dnssec.js';

/** The run's one entry. `probing`: the servers' probes, started by the caller before the lock (they need no state). */
export async function carryOut(ctx: RunContext, probing: Promise<Probed>): Promise<ExitCode> {
  await warnMissingChecker(ctx);
  await removeStaleTemps(ctx);
  const gathered = await gather(ctx, probing);
  const plan = planRun(gathered.inputs);
  return ctx.opts.dryRun ? showPlan(ctx, plan, gathered) : apply(ctx, plan, gathered);
}

async function apply(ctx: RunContext, plan: RunPlan, gathered: Gathered): Promise<ExitCode> {
  sayPlan(ctx, plan, 'done');
  ctx.state = plan.state;
  if (plan.decision.networkDown) {
    await settlePending(ctx, new Set(Object.keys(ctx.state.zones)));
    return finish(ctx, plan.decision, []);
  }
  const installed = await installZones(ctx, await stagePublishes(ctx, plan, gathered));
  await settlePending(ctx, new Set(gathered.listed));
  await watchSecondaries(ctx, new Set(installed), gathered.listed);
  await watchServedDnssec(ctx, gathered.listed);
  return finish(ctx, plan.decision, installed, gathered.listed);
}

/**
 * checkzone = "auto" with no checker to be found: zones would go out unvalidated. Said on every
 * run (cron mails it) until the checker is installed; a warning, not an error: the run goes on.
 */
async function warnMissingChecker(ctx: RunContext): Promise<void> {
  const missing = await missingChecker(ctx.cfg.nameserver, ctx.deps.findProgram);
  if (missing) ctx.warn(`warning: ${missing}; until then zones are installed without validation`);
}

async function removeStaleTemps(ctx: RunContext): Promise<void> {
  if (ctx.opts.dryRun) return;
  for (const dir of [ctx.cfg.zoneDir, ctx.cfg.stateDir]) {
    for (const name of await ctx.deps.files.removeStaleTemps(dir)) ctx.trace(`removed a temp file left by an interrupted run: ${join(dir, name)}`);
  }
}
