// One run, in order: lock, state, checks, decision, plan, validate, install, reload/notify,
// state, unlock. Decisions come from src/core; every side effect goes through `deps`, so tests
// can hand in fakes and the binary hands in the real adapters.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.js';
import { decideHealth, describeTransition, needsReference, rememberHealth, traceVerdict, type HealthDecision, type ServerInput } from './core/health.js';
import { fillWithLineMap } from './core/markers.js';
import { planZone, settleIntent, type PendingStep, type ZoneMemory, type ZonePlan } from './core/plan.js';
import { dateIn } from './core/serial.js';
import { countRecords, shrinkProblem } from './core/records.js';
import { ConfigError, EXIT, type ExitCode } from './errors.js';
import type { HeldLock } from './adapters/lock.js';
import type { PreparedFile } from './adapters/files.js';
import type { State } from './state.js';
import { anyReferenceUp, runChecks } from './checks.js';
import { Trouble, type Deps, type Log, type RunOptions } from './run-types.js';
import { settlePending } from './nameserver-steps.js';
import { healthEvents, metricsFrom, runHooks } from './report.js';
import { showDryRun } from './dry-run.js';
import { describePublish, pointAtBase, stamp } from './messages.js';
import { watchSecondaries } from './secondaries.js';

import { displayPath, listZones, loadZone, markerValues, sha256, SERIAL, unchangedSinceLastRun, ZONE_ENCODING, type ZoneInput } from './zones.js';
import { mapLimit } from './pool.js';
import { raisedEvents } from './core/hooks.js';
import type { HistoryEvent } from './core/history.js';
import { renderMetrics } from './core/metrics.js';

export async function run(cfg: Config, opts: RunOptions, deps: Deps): Promise<ExitCode> {
  if (!opts.dryRun) await refuseSameFolders(cfg);
  // --dry-run writes nothing, not even the lock: it only reads.
  const lock = opts.dryRun ? undefined : await deps.lock(cfg.stateDir);
  try {
    return await runLocked(cfg, opts, deps, lock);
  } finally {
    await lock?.release();
  }
}

/**
 * config.ts compares the folders' paths; a symbolic link can still make zone_dir or state_dir
 * base_dir by another name, and then zonerw would write among (or over) the base files.
 */
async function refuseSameFolders(cfg: Config): Promise<void> {
  const id = (p: string) => stat(p).then((s) => `${s.dev}:${s.ino}`, () => undefined);
  const [base, zone, state] = await Promise.all([id(cfg.baseDir), id(cfg.zoneDir), id(cfg.stateDir)]);
  const problems: string[] = [];
  if (base !== undefined && zone === base) problems.push(`zone_dir: ${cfg.zoneDir} is base_dir ${cfg.baseDir} under another name: zonerw never writes base files`);
  if (base !== undefined && state === base) problems.push(`state_dir: ${cfg.stateDir} is base_dir ${cfg.baseDir} under another name: zonerw never writes base files`);
  if (zone !== undefined && state === zone) problems.push(`state_dir: ${cfg.stateDir} is zone_dir ${cfg.zoneDir} under another name: the nameserver reads zone_dir, zonerw keeps its state apart`);
  // Checked before the lock, so that a wrong folder leaves nothing behind (not even state_dir).
  if (base === undefined) problems.push(`base_dir: ${cfg.baseDir} does not exist: create it with one <zone>.base file per zone, or fix base_dir`);
  if (zone === undefined) problems.push(`zone_dir: ${cfg.zoneDir} does not exist: zonerw does not create the nameserver's zone folder; create it, or fix zone_dir`);
  if (problems.length > 0) throw new ConfigError(cfg.file, problems);
}

const CHUNK = 200;

/** A zone rendered, written to its temp file and validated: what the install needs of it. */
interface Ready {
  zone: string;
  zoneFile: string;
  baseIdentity: string;
  plan: Extract<ZonePlan, { action: 'publish' }>;
  prepared: PreparedFile;
  /** the output line for it */
  line: string;
  /** its memory once installed, recorded as an intent before the install */
  intent: ZoneMemory;
}

async function runLocked(cfg: Config, opts: RunOptions, deps: Deps, lock: HeldLock | undefined): Promise<ExitCode> {
  const started = performance.now();
  const now = deps.now();
  // Everything said on stderr is also an event in the history (and raises the error hook).
  const events: HistoryEvent[] = [];
  const errors: string[] = [];
  const log: Log = {
    out: (line) => deps.log.out(line),
    err: (line) => {
      deps.log.err(line);
      errors.push(line);
      events.push({ t: now, type: 'error', message: line });
    },
  };
  const say = (line: string) => !opts.quiet && log.out(line);
  const trace = (line: string) => opts.verbose && log.out(line);
  const trouble = new Trouble();

  if (!opts.dryRun) {
    for (const dir of [cfg.zoneDir, cfg.stateDir]) {
      for (const name of await deps.files.removeStaleTemps(dir)) trace(`removed a temp file left by an interrupted run: ${join(dir, name)}`);
    }
  }
  const loaded = await deps.loadState(cfg.stateDir);
  if (loaded.warning) log.err(loaded.warning);
  const state = loaded.state;
  const previous = state.favoured;

  const decision = await checkAndDecide(cfg, deps, state, now);
  events.push(...healthEvents(decision, state, now));
  for (const v of decision.servers) trace(`check: ${traceVerdict(v)}`);
  trace(`decision: ${decision.rule}`);
  if (decision.pinExpired) {
    say(`pin on ${decision.pinExpired.server} expired; favouring the servers by their checks again`);
    events.push({ t: now, type: 'unpin', server: decision.pinExpired.server, by: null, expired: true });
  }
  const transition = describeTransition(decision);
  if (transition) say(transition);
  if (decision.favouredChanged || !previous) {
    // the first run records where it starts, so history can count time favoured from there
    events.push({ t: now, type: 'transition', from: previous?.server ?? null, to: decision.favoured.server, address: decision.favoured.address, reason: transition ?? decision.rule });
  }
  Object.assign(state, rememberHealth(decision), { rule: decision.rule });
  if (!decision.pin) delete state.pin;

  /** Before every write: a run that lost its lock writes nothing more (another run owns the files). */
  const guard = (): void => {
    const lost = lock?.compromised();
    if (lost) throw lost;
  };

  /** The end of every run that got this far: hooks, state, history, metrics. */
  const finish = async (published: readonly string[]): Promise<ExitCode> => {
    if (!opts.dryRun) {
      await runHooks(cfg, deps, raisedEvents(decision, previous, cfg.servers[0]!.name, published, errors, transition), state, trouble, log, events, now);
      if (trouble.exitCode() === EXIT.ok) state.lastSuccess = now;
      guard();
      await deps.saveState(cfg.stateDir, state);
      await deps.appendHistory(cfg.stateDir, events);
      if (cfg.metricsFile) {
        const text = renderMetrics(metricsFrom(cfg, decision, state, { now, durationMs: performance.now() - started, exitCode: trouble.exitCode() }));
        await deps.files.install(cfg.metricsFile, text);
      }
    }
    return trouble.exitCode();
  };

  if (decision.networkDown) {
    const down = decision.servers.filter((v) => !v.raw).map((v) => `${v.name} (${v.outcome?.reason ?? 'down'})`);
    log.err(`${down.join(', ')} look${down.length === 1 ? 's' : ''} down, and no reference host answers either: zonerw's own network seems down, so nothing was changed`);
    trouble.failed = true;
    await settlePending(deps, state, new Set(Object.keys(state.zones)), trouble);
    return finish([]);
  }

  const { zones, problems } = await listZones(cfg);
  for (const p of problems) log.err(p);
  if (problems.length > 0) trouble.baseFile = true;

  const today = dateIn(now, cfg.timezone);
  const byName = (name: string) => cfg.servers.find((s) => s.name === name)!;
  const { values, unavailable } = markerValues(cfg.servers, byName(decision.favoured.server), decision.pool.map(byName));
  // A steady run stops here for most zones: same files, same values, nothing to read.
  const toLoad = opts.force ? zones : zones.filter((zone) => state.intents[zone] !== undefined || !unchangedSinceLastRun(cfg, zone, state.zones[zone], values));
  if (toLoad.length < zones.length) trace(`${zones.length - toLoad.length} of ${zones.length} zones unchanged since the last run (files and values): not read`);
  async function prepareZones(batch: readonly string[]): Promise<Ready[]> {
    const loads = await mapLimit(batch, 32, (zone) => loadZone(cfg, zone, values, unavailable));
    const planned: { input: ZoneInput; plan: ZonePlan; memory: ZoneMemory | undefined }[] = [];
    for (const load of loads) {
      if (!load.ok) {
        for (const p of load.problems) log.err(p);
        log.err(`${load.zone}: not published; the installed zone file is unchanged`);
        if (load.kind === 'config') trouble.config = true;
        else if (load.kind === 'file') trouble.failed = true;
        else trouble.baseFile = true;
        continue;
      }
      const { input } = load;
      const memory = settleIntent(state.zones[input.zone], state.intents[input.zone], input.installed?.hash);
      // A settled intent is what is on disk: remember it now, before this run records intents of
      // its own (which it may never settle), or a second interruption forgets the first install.
      if (memory) state.zones[input.zone] = memory;
      const plan = planZone({ ...input, ...(memory ? { memory } : {}) }, { force: opts.force, onBaseChange: cfg.onBaseChange, today });
      planned.push({ input, plan, memory });
    }

    // Zones kept as they are: remember them, give one-time notices.
    for (const { input, plan, memory } of planned) {
      if (plan.action === 'wait') {
        say(`${input.zone}: ${displayPath(cfg, input.baseFile)} changed; not published (on_base_change = "warn"): run zonerw --force to publish it`);
      } else if (plan.action === 'keep') {
        const inputs = input.identity.file !== undefined ? { inputs: { base: input.identity.base, file: input.identity.file } } : {};
        if (plan.adopt && input.installed?.serial !== undefined) {
          state.zones[input.zone] = { ...memoryFor(input, input.installed.serial, input.installed.hash, now, []), ...inputs };
          trace(`${input.zone}: the installed zone file is already up to date (serial ${input.installed.serial})`);
        } else if (memory) {
          state.zones[input.zone] = { ...memory, ...inputs };
        }
        if (plan.notice && memory && input.installed) {
          say(`${input.zone}: ${displayPath(cfg, input.zoneFile)} was edited by hand; it is served as it is, and a copy is kept when zonerw next replaces it`);
          state.zones[input.zone] = { ...state.zones[input.zone]!, editSeen: input.installed.hash };
        }
      }
    }

    const publishing = planned.flatMap(({ input, plan }) => (plan.action === 'publish' ? [{ input, plan }] : []));
    const previousValues = new Map(planned.flatMap(({ input, memory }) => (memory ? [[input.zone, memory.values] as const] : [])));
    // What was last published, for max_shrink; a zone zonerw has not published yet is compared
    // with the file on disk.
    const previousRecords = new Map(
      planned.flatMap(({ input, memory }) => {
        const n = memory?.records ?? (input.installed ? countRecords(input.installed.text).records : undefined);
        return n === undefined ? [] : [[input.zone, n] as const];
      }),
    );
    if (opts.dryRun) {
      await showDryRun(cfg, { ...deps, log }, publishing, state, previousValues, previousRecords, opts.force, trouble);
      return [];
    }

    // Render and write each zone to a temp file beside its target (fsyncs overlap: many at a
    // time), then validate those temp files with the nameserver's checker, as many at a time as
    // there are cores. A content (serial aside) that the same checker accepted for this zone
    // before is not checked again: the serial is the only difference, and any serial is valid.
    // Zones with $INCLUDE are always checked (the included file may have changed).
    const memories = new Map(planned.map((p) => [p.input.zone, p.memory] as const));
    const prepared = (
      await mapLimit(publishing, 16, async ({ input, plan }) => {
        const { text, baseLine } = fillWithLineMap(input.template, { ...input.values, [SERIAL]: String(plan.serial) });
        const counts = countRecords(text);
        const refusal = opts.force ? undefined : shrinkProblem(counts, previousRecords.get(input.zone), cfg.maxShrink);
        if (refusal) {
          log.err(`${input.zone}: not published, ${refusal}: check ${displayPath(cfg, input.baseFile)}, or publish it anyway with zonerw --force`);
          trouble.failed = true;
          return undefined;
        }
        try {
          const file = await deps.files.prepare(input.zoneFile, text, ZONE_ENCODING);
          return { input, plan, baseLine, prepared: file, fileHash: sha256(text), records: counts.records };
        } catch (e) {
          log.err(`${input.zone}: ${(e as Error).message}`);
          trouble.failed = true;
          return undefined;
        }
      })
    ).filter((r) => r !== undefined);
    const checked = (
      await mapLimit(prepared, availableParallelism(), async (item) => {
        const { input, prepared: file, baseLine } = item;
        const before = memories.get(input.zone);
        if (!input.includes && before?.checker && before.validated?.includes(input.contentHash)) {
          return { ...item, checker: before.checker, validated: before.validated };
        }
        const check = await deps.nameserver.checkzone(input.zone, file.tempPath);
        if (!check.ok) {
          await file.discard();
          const words = pointAtBase(check.message ?? '', file.tempPath, displayPath(cfg, input.baseFile), baseLine);
          log.err(`${input.zone}: refused by ${check.checker ?? 'the zone check'}, not installed (the old zone stays): ${words}`);
          trouble.failed = true;
          return undefined;
        }
        const validated = check.checker ? [input.contentHash, ...(before?.validated ?? []).filter((h) => h !== input.contentHash)].slice(0, 4) : undefined;
        return { ...item, checker: check.checker, validated };
      })
    ).filter((r) => r !== undefined);
    // What the install needs, and nothing more: the parsed base files of this chunk can go.
    return checked.map(({ input, plan, prepared: file, fileHash, records, checker, validated }): Ready => ({
      zone: input.zone,
      zoneFile: input.zoneFile,
      baseIdentity: input.identity.base,
      plan,
      prepared: file,
      line: describePublish(input, plan, previousValues.get(input.zone)),
      intent: {
        ...memoryFor(input, plan.serial, fileHash, now, ['reload', 'notify']),
        records,
        ...(checker ? { checker } : {}),
        ...(validated ? { validated } : {}),
      },
    }));
  }

  // Zones go through load, plan, render, write and validate CHUNK at a time, so that a
  // transition of thousands of zones does not hold every parsed base file at once (memory).
  // --dry-run takes them in one go: it prints, and its retry list comes once, at the end.
  if (opts.dryRun) {
    await prepareZones(toLoad);
    return trouble.exitCode();
  }
  const ready: Ready[] = [];
  for (let at = 0; at < toLoad.length; at += CHUNK) ready.push(...(await prepareZones(toLoad.slice(at, at + CHUNK))));
  state.intents = {};

  // Record intents first, so an interruption between install and state save is recognised.
  for (const r of ready) state.intents[r.zone] = r.intent;
  if (ready.length > 0) {
    try {
      guard();
      await deps.saveState(cfg.stateDir, state);
    } catch (e) {
      // Nothing is installed without its intent on record; and on a full disk above all, the
      // temp files must not stay behind.
      await Promise.all(ready.map((r) => r.prepared.discard().catch(() => {})));
      throw e;
    }
  }

  const installed: string[] = [];
  for (const { zone, zoneFile, baseIdentity, plan, prepared, line } of ready) {
    const lost = lock?.compromised();
    if (lost) {
      await Promise.all(ready.map((r) => r.prepared.discard()));
      throw lost; // a RunError: another run may own zone_dir now, so install nothing more
    }
    try {
      if (plan.keepCopy) {
        const copy = await deps.files.keepCopy(zoneFile, `edited-${stamp(now)}`);
        say(`${zone}: ${displayPath(cfg, zoneFile)} was not zonerw's output; kept a copy as ${displayPath(cfg, copy)}`);
      }
      await prepared.commit({ syncDir: false });
    } catch (e) {
      await prepared.discard();
      log.err(`${zone}: ${(e as Error).message}`);
      trouble.failed = true;
      continue;
    }
    const file = deps.files.identity(zoneFile);
    state.zones[zone] = { ...state.intents[zone]!, ...(file !== undefined ? { inputs: { base: baseIdentity, file } } : {}) };
    delete state.intents[zone];
    installed.push(zone);
    events.push({ t: now, type: 'publish', zone, serial: plan.serial, why: plan.why });
    say(line);
    if (plan.aheadOfDate) {
      log.err(`${zone}: serial ${plan.serial} is ahead of today's date (over 100 changes today, or an earlier serial was ahead); it still increases`);
    }
  }
  state.intents = {};
  // One folder fsync makes all of this run's renames durable, before the nameserver is told.
  if (installed.length > 0) await deps.files.syncFolder(cfg.zoneDir);

  await settlePending({ ...deps, log }, state, new Set(zones), trouble);
  await watchSecondaries(cfg, { ...deps, log }, state, new Set(installed), zones, now, trouble);
  return finish(installed);
}

function memoryFor(input: ZoneInput, serial: number, fileHash: string, now: number, pending: PendingStep[]): ZoneMemory {
  return {
    serial,
    contentHash: input.contentHash,
    baseHash: input.baseHash,
    fileHash,
    values: input.values,
    publishedAt: now,
    pending,
  };
}

/** Reload then NOTIFY every zone that owes it, this run's and earlier runs' alike. */
/** Checks the servers, and the reference hosts when a server failed, then decides. */
async function checkAndDecide(cfg: Config, deps: Deps, state: State, now: number): Promise<HealthDecision> {
  const servers: ServerInput[] = cfg.servers.map((s) => ({
    name: s.name,
    address: s.address,
    ...(s.address6 !== undefined ? { address6: s.address6 } : {}),
    checked: s.check !== undefined,
    failAfter: s.check?.failAfter ?? 1,
    recoverAfter: s.check?.recoverAfter ?? 1,
  }));
  const outcomes = await runChecks(cfg.servers, deps.probe, deps.now);
  const referencesUp =
    cfg.reference.length > 0 && needsReference(servers, outcomes) ? await anyReferenceUp(cfg.reference, deps.probe, deps.now) : undefined;
  return decideHealth({ servers, outcomes, memory: state, allDown: cfg.allDown, now, ...(referencesUp !== undefined ? { referencesUp } : {}) });
}


