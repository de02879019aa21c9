// Gather: everything a run plans from, read before anything is decided for the zones. The state,
// the groups' decisions (from the probes, started before the lock), the zones in base_dir and
// which of them are gone, each zone that may have changed read and summarised, and the serial the
// primary serves for each zone that may publish. Problems met here are collected for the plan,
// not said: the plan says every one, once, in order.
import { configGroups, type Config } from '../config/types.js';
import type { GroupDecided } from '../core/groups.js';
import { describeOutcome, type Mood, type Problem, type ProblemKind } from '../core/zone-outcomes.js';
import type { GoneZone, RunInputs } from '../core/run-plan.js';
import { dateIn } from '../core/serial.js';
import type { State } from '../core/state.js';
import { groupMarkerValues, type RenderedValues } from '../core/values.js';
import { mayPublish, summariseZone, type ZoneSummary } from '../core/zone-step.js';
import type { RunContext } from './context.js';
import { goneZones, listZones, loadZone, unchangedSinceLastRun, type ZoneLoad } from './load.js';
import { shownPaths, zoneFilePath } from './paths.js';
import { mapLimit } from './map-limit.js';
import { decideServers, type Probed } from './observe.js';
import type { Files } from './ports.js';
import { servedSerials } from './primary.js';
import { resignBeforeFor, resignMayBeDueFor } from './sign.js';
import { expiredSignatures } from './signatures.js';

/** What the run read: the plan's inputs, and the zones' marker values (a publish is rendered again with them when staged). */
export interface Gathered {
  inputs: RunInputs;
  /** every zone listed (read or not) */
  listed: string[];
  values: RenderedValues;
  unavailable: Record<string, string>;
}

export async function gather(ctx: RunContext, probing: Promise<Probed>): Promise<Gathered> {
  const { cfg } = ctx;
  const problems: Problem[] = [];
  const state = await loadRunState(ctx, problems);
  problems.push(...expiredSignatures(cfg, state, ctx.now, ctx.opts.dryRun ? 'would' : 'done'));
  const decided = decideServers(cfg, await probing, state, ctx.now);
  const options = { force: ctx.opts.force, onBaseChange: cfg.onBaseChange, today: dateIn(ctx.now, cfg.timezone), now: ctx.now, maxShrink: cfg.maxShrink };
  const warnings: string[] = [];
  const base = { decided, state, problems, warnings, options, served: new Map<string, number>() };
  if (decided.some((g) => g.decision.networkDown)) {
    return { inputs: { ...base, zones: [], gone: { orphaned: [], retired: [] } }, listed: [], values: {}, unavailable: {} };
  }
  // A run that may publish loads the DNS code while the zones are listed and read (a steady run
  // reads nothing, so it loads and asks nothing).
  if (decided.some((g) => g.decision.favouredChanged) || ctx.opts.force) warmDns(ctx);
  const listing = await listZones(cfg, ctx.deps.files);
  problems.push(...listing.problems.map((line): Problem => ({ kind: 'baseFile', line })));
  const gone = goneOf(cfg, ctx.deps.files, listing.zones, state);
  const { values, unavailable } = markerValuesOf(cfg, decided);
  const toRead = zonesToRead(ctx, state, listing.zones, values);
  if (toRead.length > 0) warmDns(ctx);
  const zones = await readZones(ctx, state, toRead, values, unavailable, problems);
  const known = (s: ZoneSummary) => ({ memory: state.zones[s.zone], intent: state.intents[s.zone] });
  const publishing = zones.filter((s) => mayPublish(s, known(s), options)).map((s) => s.zone);
  const served = await servedSerials(cfg, ctx.deps.dns, publishing, (line) => warnings.push(line));
  return { inputs: { ...base, zones, gone, served }, listed: listing.zones, values, unavailable };
}

function warmDns(ctx: RunContext): void {
  if (ctx.cfg.nameserver.address) ctx.deps.warmDns?.();
}

/** The state as last saved; a state file it cannot use is said (and a run starts afresh). */
async function loadRunState(ctx: RunContext, problems: Problem[]): Promise<State> {
  const loaded = await ctx.deps.loadState(ctx.cfg.stateDir);
  if (loaded.warning) problems.push({ kind: 'reported', line: loaded.warning });
  return loaded.state;
}

/** Each group's marker values: its favoured server, and the pool the round robin lists (the run and the watch alike). */
export function markerValuesOf(cfg: Config, decided: readonly GroupDecided[]) {
  const byName = (name: string) => cfg.servers.find((s) => s.name === name)!;
  return groupMarkerValues(configGroups(cfg).map((g) => {
    const { favoured, pool } = decided.find((p) => p.group === g.name)!.decision;
    return { name: g.name, servers: g.servers, favoured: byName(favoured.server), pool: pool.map(byName) };
  }));
}

/**
 * A base file deleted from base_dir does not silently drop its zone: said on every run (exit 65)
 * while its zone file is still served; forgotten once the zone file is gone too.
 */
function goneOf(cfg: Config, files: Pick<Files, 'identity'>, listed: readonly string[], state: State): RunInputs['gone'] {
  const { orphaned, retired } = goneZones(cfg, files, listed, Object.keys(state.zones));
  const shown = (zone: string): GoneZone => ({ zone, shown: shownPaths(cfg, zone) });
  return { orphaned: orphaned.map(shown), retired: retired.map(shown) };
}

/** A steady run stops here for most zones: same files, same values, nothing to read. */
function zonesToRead(ctx: RunContext, state: State, zones: readonly string[], values: RenderedValues): string[] {
  const { cfg } = ctx;
  if (ctx.opts.force) return [...zones];
  const toRead = zones.filter((zone) => state.intents[zone] !== undefined || !unchangedSinceLastRun(cfg, ctx.deps.files, zone, state.zones[zone], values) || resignMayBeDueFor(cfg, zone, state.zones[zone], ctx.now, ctx.deps.signer));
  if (toRead.length < zones.length) ctx.trace(`${zones.length - toRead.length} of ${zones.length} zones unchanged since the last run (files and values): not read`);
  return toRead;
}

/** Each zone read and summarised (its texts let go of at once: a plan of many zones holds no text); a zone that cannot be read is a problem. */
async function readZones(ctx: RunContext, state: State, zones: readonly string[], values: RenderedValues, unavailable: Record<string, string>, problems: Problem[]): Promise<ZoneSummary[]> {
  const { cfg } = ctx;
  // the marker records are asked of the primary and the secondaries: with neither, not worth a second pass over each zone
  const markerRecords = cfg.nameserver.address !== undefined || cfg.secondaries.all.length > 0 || Object.keys(cfg.secondaries.byZone).length > 0;
  const read = await mapLimit(zones, 32, async (zone) => {
    const load = await loadZone(cfg, ctx.deps.files, zone, values, unavailable);
    if (!load.ok) return load;
    const resignBeforeMs = resignBeforeFor(cfg, zone);
    // a zone zonerw signs: the signer's identity now (a changed signer or key set signs it again)
    const signer = resignBeforeMs !== undefined ? ctx.deps.signer?.identity(zone) : undefined;
    return summariseZone(load.input, { markerRecords, now: ctx.now, resignBeforeMs, signer, countInstalled: state.zones[zone]?.records === undefined });
  });
  const summaries: ZoneSummary[] = [];
  for (const r of read) {
    if ('ok' in r) problems.push(...loadProblems(r, ctx.opts.dryRun ? 'would' : 'done', !zoneFileExists(cfg, ctx.deps.files, r.zone)));
    else summaries.push(r);
  }
  return summaries;
}

/**
 * A zone that could not be loaded: a wrong base file (65), a config that cannot render it (78),
 * or its zone file unreadable (1); its last line worded by the describer, in the mood of the
 * command (`first`: there is no zone file yet, so none to stay unchanged).
 */
export function loadProblems(load: Extract<ZoneLoad, { ok: false }>, mood: Mood, first: boolean): Problem[] {
  const kind: ProblemKind = load.kind === 'config' ? 'config' : load.kind === 'file' ? 'failed' : 'baseFile';
  const tail = describeOutcome({ kind: 'unloaded', zone: load.zone, ...(first ? { first } : {}) }, mood);
  return [...load.problems, tail].map((line) => ({ kind, line }));
}

/** Whether the zone has a zone file (one that cannot be looked at counts: something is there). */
export function zoneFileExists(cfg: Config, files: Pick<Files, 'identity'>, zone: string): boolean {
  try {
    return files.identity(zoneFilePath(cfg, zone)) !== undefined;
  } catch {
    return true;
  }
}
