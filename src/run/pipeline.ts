// One run, as a list of steps: clean up, load the state, observe the servers and decide, plan
// the zones, stage them (render, write, validate), install, propagate (reload, notify,
// secondaries), report (hooks, state, history, metrics). Decisions come from src/core; every
// side effect goes through ctx.deps, so tests can hand in fakes and the binary the real adapters.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describeGoneBase, describeRetired, describeUnfinished } from '../core/messages.js';
import { dateIn, serialGreater } from '../core/serial.js';
import { planDecision, planZoneStep, rememberValidation, type DecisionPlan, type ZoneStep, type ZoneStepOptions } from '../core/run-plan.js';
import { groupMarkerValues, type RenderedValues } from '../core/values.js';
import { configGroups } from '../config/types.js';
import type { ExitCode } from '../errors.js';
import type { RunContext } from './context.js';
import { showPlan } from './dry-run.js';
import { installZones, type Ready } from './install.js';
import { sha256 } from './hash.js';
import { countLoadFailure, goneZones, listZones, loadZone, unchangedSinceLastRun } from './load.js';
import { shownPaths } from './paths.js';
import { missingChecker } from './checker.js';
import { mapLimit } from './map-limit.js';
import { decideServers, type Probed } from './observe.js';
import { sayVotes } from './vantages.js';
import { servedSerials } from './primary.js';
import { settlePending, watchSecondaries } from './propagate.js';
import { forgetZone, rememberDecision, rememberPlanned } from './remember.js';
import { finish } from './report.js';
import { noticeExpiredSignatures } from './signatures.js';
import { besideZoneFile, checkerName, stageZone, stageZones, type Checking, type PublishStep, type Staged } from './stage.js';
import { resignBeforeFor, resignMayBeDueFor, shortSignaturesProblem, signedMemory } from './sign.js';

/** Zones go through load, plan, render, write and validate this many at a time (memory). */
const CHUNK = 200;

/** `probing`: the servers' probes, started by the caller before the lock (they need no state). */
export async function carryOut(ctx: RunContext, probing: Promise<Probed>): Promise<ExitCode> {
  await warnMissingChecker(ctx);
  await removeStaleTemps(ctx);
  await loadRunState(ctx);
  if (!ctx.opts.dryRun) noticeExpiredSignatures(ctx);
  const decided = await decide(ctx, probing);
  if (decided.networkDown) {
    ctx.log.err(decided.networkDown);
    ctx.trouble.failed = true;
    await settlePending(ctx, new Set(Object.keys(ctx.state.zones)));
    return finish(ctx, decided, []);
  }
  // A run that will publish asks the primary: the DNS code loads while the zones are listed and
  // read (a steady run reads nothing, so it loads and asks nothing).
  const warm = () => ctx.cfg.nameserver.address && ctx.deps.warmDns?.();
  if (decided.groups.some((g) => g.transition) || ctx.opts.force) warm();
  const { zones, values, unavailable } = await listZonesAndValues(ctx, decided);
  const toRead = zonesToRead(ctx, zones, values);
  if (toRead.length > 0) warm();
  if (ctx.opts.dryRun) {
    // --dry-run takes the zones in one go: it prints, and its retry list comes once, at the end.
    await showPlan(ctx, await planZones(ctx, toRead, values, unavailable, { askServed: true }));
    return ctx.trouble.exitCode();
  }
  const ready: Ready[] = [];
  for (let at = 0; at < toRead.length; at += CHUNK) {
    ready.push(...(await stageForInstall(ctx, await planZones(ctx, toRead.slice(at, at + CHUNK), values, unavailable, { askServed: false }))));
  }
  const installed = await installZones(ctx, ready);
  await settlePending(ctx, new Set(zones));
  await watchSecondaries(ctx, new Set(installed), zones);
  return finish(ctx, decided, installed);
}

/**
 * checkzone = "auto" with no checker to be found: zones would go out unvalidated. Said on every
 * run (cron mails it) until the checker is installed; a warning, not an error: the run goes on.
 */
async function warnMissingChecker(ctx: RunContext): Promise<void> {
  const missing = await missingChecker(ctx.cfg.nameserver, ctx.deps.findProgram);
  if (missing) ctx.deps.log.err(`warning: ${missing}; until then zones are installed without validation`);
}

async function removeStaleTemps(ctx: RunContext): Promise<void> {
  if (ctx.opts.dryRun) return;
  for (const dir of [ctx.cfg.zoneDir, ctx.cfg.stateDir]) {
    for (const name of await ctx.deps.files.removeStaleTemps(dir)) ctx.trace(`removed a temp file left by an interrupted run: ${join(dir, name)}`);
  }
}

async function loadRunState(ctx: RunContext): Promise<void> {
  const loaded = await ctx.deps.loadState(ctx.cfg.stateDir);
  if (loaded.warning) ctx.log.err(loaded.warning);
  ctx.state = loaded.state;
}

/** Decides every group from what the probes found, and says what the decisions mean; the state remembers them. */
async function decide(ctx: RunContext, probing: Promise<Probed>): Promise<DecisionPlan> {
  const decision = decideServers(ctx.cfg, await probing, ctx.state, ctx.now);
  sayVotes(decision, ctx, ctx.cfg);
  const plan = planDecision(decision, ctx.state, ctx.now);
  ctx.events.push(...plan.events);
  for (const line of plan.trace) ctx.trace(line);
  for (const line of plan.say) ctx.say(line);
  rememberDecision(ctx.state, plan);
  return plan;
}

async function listZonesAndValues(ctx: RunContext, decided: DecisionPlan) {
  const { cfg } = ctx;
  const { zones, problems } = await listZones(cfg, ctx.deps.files);
  for (const p of problems) ctx.log.err(p);
  if (problems.length > 0) ctx.trouble.baseFile = true;
  noticeGoneZones(ctx, zones);
  const byName = (name: string) => cfg.servers.find((s) => s.name === name)!;
  const groups = configGroups(cfg).map((g) => {
    const { favoured, pool } = decided.groups.find((p) => p.group === g.name)!.decision;
    return { name: g.name, servers: g.servers, favoured: byName(favoured.server), pool: pool.map(byName) };
  });
  const { values, unavailable } = groupMarkerValues(groups);
  return { zones, values, unavailable };
}

/**
 * A base file deleted from base_dir does not silently drop its zone: said on every run (exit 65)
 * while its zone file is still served; forgotten once the zone file is gone too.
 */
function noticeGoneZones(ctx: RunContext, zones: readonly string[]): void {
  const { orphaned, retired } = goneZones(ctx.cfg, ctx.deps.files, zones, Object.keys(ctx.state.zones));
  for (const zone of orphaned) ctx.log.err(describeGoneBase(zone, shownPaths(ctx.cfg, zone)));
  if (orphaned.length > 0) ctx.trouble.baseFile = true;
  if (ctx.opts.dryRun) return;
  for (const zone of retired) {
    ctx.say(describeRetired(zone, shownPaths(ctx.cfg, zone)));
    forgetZone(ctx.state, zone);
  }
}

/** A steady run stops here for most zones: same files, same values, nothing to read. */
function zonesToRead(ctx: RunContext, zones: readonly string[], values: RenderedValues): string[] {
  const { cfg, state } = ctx;
  if (ctx.opts.force) return [...zones];
  const toRead = zones.filter((zone) => state.intents[zone] !== undefined || !unchangedSinceLastRun(cfg, ctx.deps.files, zone, state.zones[zone], values) || resignMayBeDueFor(cfg, zone, state.zones[zone], ctx.now, ctx.deps.signer));
  if (toRead.length < zones.length) ctx.trace(`${zones.length - toRead.length} of ${zones.length} zones unchanged since the last run (files and values): not read`);
  return toRead;
}

/** How a zone is planned; `resignBeforeMs` for the zones zonerw signs. */
function stepOptions(ctx: RunContext, zone: string): ZoneStepOptions {
  const { cfg, opts } = ctx;
  // the marker records are asked of the primary and the secondaries: with neither, not worth a second pass over each zone
  const asked = cfg.nameserver.address !== undefined || cfg.secondaries.all.length > 0 || Object.keys(cfg.secondaries.byZone).length > 0;
  const resignBeforeMs = resignBeforeFor(cfg, zone);
  return {
    force: opts.force, onBaseChange: cfg.onBaseChange, today: dateIn(ctx.now, cfg.timezone), now: ctx.now, maxShrink: cfg.maxShrink, markerRecords: asked, hash: sha256,
    ...(resignBeforeMs !== undefined ? { resignBeforeMs } : {}),
    ...(resignBeforeMs !== undefined && ctx.deps.signer ? { signer: ctx.deps.signer.identity(zone) } : {}),
  };
}

/**
 * Loads and plans a batch of zones; gives the notices of the zones kept; returns the steps that
 * publish (or refuse to). `askServed`: asks the primary for the serial it serves before planning
 * the publishes (--dry-run); a run asks while it stages instead (stageForInstall).
 */
async function planZones(ctx: RunContext, batch: readonly string[], values: RenderedValues, unavailable: Record<string, string>, o: { askServed: boolean }): Promise<ZoneStep[]> {
  const { cfg, state } = ctx;
  const loads = await mapLimit(batch, 32, (zone) => loadZone(cfg, ctx.deps.files, zone, values, unavailable));
  const planned: { input: Extract<(typeof loads)[number], { ok: true }>['input']; step: ZoneStep }[] = [];
  for (const load of loads) {
    if (!load.ok) {
      for (const p of load.problems) ctx.log.err(p);
      ctx.log.err(`${load.zone}: not published; the installed zone file is unchanged`);
      countLoadFailure(ctx.trouble, load.kind);
      continue;
    }
    const { zone } = load.input;
    planned.push({ input: load.input, step: planZoneStep(load.input, knownOf(ctx, zone), stepOptions(ctx, zone)) });
  }
  const publishing = planned.flatMap((p) => (p.step.action === 'publish' ? [p.step.zone] : []));
  const served = o.askServed ? await servedSerials(cfg, ctx.deps.dns, publishing) : new Map<string, number>();
  const steps: ZoneStep[] = [];
  for (const p of planned) {
    const step = p.step.action === 'publish' ? aboveServed(ctx, p.step, served.get(p.step.zone)) : p.step;
    rememberPlanned(state, step);
    if ((step.action === 'keep' || step.action === 'wait') && step.say) ctx.say(step.say);
    if (step.action === 'keep' && step.trace) ctx.trace(step.trace);
    if (step.action === 'publish' || step.action === 'refuse') steps.push(step);
  }
  return steps;
}

/**
 * A publish takes a serial above what the primary serves (a signer may have numbered ahead): the
 * step planned again with that serial, or the step as it is when its serial is above already.
 */
function aboveServed<S extends Extract<ZoneStep, { action: 'publish' }>>(ctx: RunContext, step: S, served: number | undefined): ZoneStep {
  if (served === undefined || serialGreater(step.publish.serial, served)) return step;
  ctx.trace(`${step.zone}: the primary serves serial ${served}: the new serial goes above it`);
  return planZoneStep(step.input, { ...knownOf(ctx, step.zone), served }, stepOptions(ctx, step.zone));
}

/** The one line for a zone that could not be written or validated. */
function notStagedLine(s: Extract<Staged<PublishStep>, { ok: false }>): string {
  const { zone } = s.step;
  if (s.refusal === 'write') return `${zone}: ${s.message}`;
  if (s.refusal === 'unfinished') return `${zone}: ${describeUnfinished(s.checker, s.reason)}; the zone was not installed`;
  // On a first run there is no old zone to stay.
  return `${zone}: refused by ${checkerName(s)}, not installed (${s.step.input.installed ? 'the old zone stays' : 'there is no zone file yet'}): ${s.words}`;
}

/** What the state knows of a zone for planning: its memory and any intent left by an interrupted run. */
function knownOf(ctx: RunContext, zone: string) {
  const { state } = ctx;
  return { ...(state.zones[zone] ? { memory: state.zones[zone] } : {}), ...(state.intents[zone] ? { intent: state.intents[zone] } : {}) };
}

/** Writes each publishing zone beside its zone file and validates it; what the install needs, and nothing more. */
async function stageForInstall(ctx: RunContext, steps: readonly ZoneStep[]): Promise<Ready[]> {
  const publishing: PublishStep[] = [];
  for (const step of steps) {
    if (step.action === 'publish') publishing.push(step);
    else if (step.action === 'refuse') {
      ctx.log.err(`${step.zone}: not published, ${step.problem}: check ${step.input.shown.base}, or publish it anyway with zonerw --force`);
      ctx.trouble.failed = true;
    }
  }
  // The primary is asked for the serial it serves while the zones are written and validated
  // (only zones about to be published: a steady run sends no query). A zone whose new serial is
  // not above it (a signer numbered ahead) is planned again above it and staged again; the
  // checker's verdict on its content stands (only the serial differs).
  const place = besideZoneFile(ctx.deps.files.prepare);
  const checking: Checking = { ns: ctx.deps.nameserver, includeDir: ctx.cfg.includeDir, signer: ctx.deps.signer };
  const servedP = servedSerials(ctx.cfg, ctx.deps.dns, publishing.map((s) => s.zone), (line) => ctx.warn(line));
  const staged = await stageZones(publishing, place, checking, availableParallelism());
  const served = await servedP;
  for (const [i, s] of staged.entries()) {
    if (!s.ok) continue;
    const again = aboveServed(ctx, s.step, served.get(s.step.zone));
    if (again === s.step || again.action !== 'publish') continue;
    await s.file.discard();
    const checked = s.checker ? { validatedBefore: { checker: s.checker, validated: rememberValidation(again.input.contentHash, again.remember?.validated) } } : {};
    staged[i] = await stageZone({ ...again, ...checked }, place, checking);
  }
  const ready: Ready[] = [];
  for (const s of staged) {
    if (!s.ok) {
      ctx.log.err(notStagedLine(s));
      ctx.trouble.failed = true;
      continue;
    }
    const { step } = s;
    const checked = step.validatedBefore ?? (s.checker ? { checker: s.checker, validated: rememberValidation(step.input.contentHash, step.remember?.validated) } : undefined);
    const short = shortSignaturesProblem(step.zone, s.signed, ctx.now, resignBeforeFor(ctx.cfg, step.zone));
    if (short) {
      ctx.log.err(short); // still installed: the zone is signed and verified, only renewed too often
      ctx.trouble.failed = true;
    }
    ready.push({ zone: step.zone, input: step.input, publish: step.publish, line: step.line, file: s.file, intent: { ...step.intent, ...(checked ?? {}), ...signedMemory(s.signed) } });
  }
  return ready;
}
