// One run, in order: lock, state, checks, decision, plan, validate, install, reload/notify,
// state, unlock. Decisions come from src/core; every side effect goes through `deps`, so tests
// can hand in fakes and the binary hands in the real adapters.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { secondariesFor, type Config } from './config.js';
import { decideHealth, describeTransition, needsReference, rememberHealth, traceVerdict, type HealthDecision, type ServerInput } from './core/health.js';
import { fillWithLineMap, slotsOf } from './core/markers.js';
import { planZone, settleIntent, type MarkerValues, type PendingStep, type ZoneMemory, type ZonePlan } from './core/plan.js';
import { dateIn } from './core/serial.js';
import { unifiedDiff } from './core/diff.js';
import { countRecords, shrinkProblem } from './core/records.js';
import { ConfigError, EXIT, type ExitCode } from './errors.js';
import type { HeldLock } from './adapters/lock.js';
import type { PreparedFile } from './adapters/files.js';
import type { Nameserver } from './adapters/nameserver.js';
import type { LoadedState } from './adapters/state-file.js';
import type { State } from './state.js';
import { anyReferenceUp, runChecks, type Probe } from './checks.js';
import { displayPath, listZones, loadZone, sha256, SERIAL, unchangedSinceLastRun, ZONE_ENCODING, type ZoneInput } from './zones.js';
import { mapLimit } from './pool.js';
import { raisedEvents, type RaisedEvent } from './core/hooks.js';
import type { HistoryEvent } from './core/history.js';
import { renderMetrics, type MetricsInput } from './core/metrics.js';
import type { CommandResult } from './adapters/command.js';
import { describeLagging, lookAtSecondaries, type SoaQuery, type ZoneToWatch } from './secondaries.js';

export interface RunOptions {
  force: boolean;
  dryRun: boolean;
  verbose: boolean;
  quiet: boolean;
}

export interface Log {
  /** what happened: cron mails it, so only when something did */
  out(line: string): void;
  /** what went wrong */
  err(line: string): void;
}

export interface Deps {
  now(): number;
  probe: Probe;
  lock(stateDir: string): Promise<HeldLock>;
  nameserver: Nameserver;
  files: {
    prepare(path: string, content: string, encoding: BufferEncoding): Promise<PreparedFile>;
    /** prepare + commit, for files outside zone_dir (metrics) */
    install(path: string, content: string): Promise<void>;
    removeStaleTemps(dir: string): Promise<string[]>;
    keepCopy(path: string, suffix: string): Promise<string>;
    syncFolder(dir: string): Promise<void>;
    identity(path: string): string | undefined;
  };
  loadState(stateDir: string): Promise<LoadedState>;
  /** asks a secondary for a zone's SOA serial */
  soa: SoaQuery;
  /** runs a hook's argv (no shell) with extra environment variables */
  runHook(argv: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<CommandResult>;
  appendHistory(stateDir: string, events: readonly HistoryEvent[]): Promise<void>;
  saveState(stateDir: string, state: State): Promise<void>;
  log: Log;
}

/** Everything a run found wrong; the exit code follows the most specific kind. */
class Trouble {
  config = false;
  baseFile = false;
  failed = false;
  exitCode(): ExitCode {
    return this.config ? EXIT.config : this.baseFile ? EXIT.data : this.failed ? EXIT.failed : EXIT.ok;
  }
}

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
  const { values, unavailable } = markerValues(cfg, decision);
  // A steady run stops here for most zones: same files, same values, nothing to read.
  const toLoad = opts.force ? zones : zones.filter((zone) => state.intents[zone] !== undefined || !unchangedSinceLastRun(cfg, zone, state.zones[zone], values));
  if (toLoad.length < zones.length) trace(`${zones.length - toLoad.length} of ${zones.length} zones unchanged since the last run (files and values): not read`);
  const loads = await mapLimit(toLoad, 32, (zone) => loadZone(cfg, zone, values, unavailable));
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
  state.intents = {};

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
    return trouble.exitCode();
  }

  // Render, write to a temp file beside the target, and validate there, in parallel.
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
  const ready = (
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

  // Record intents first, so an interruption between install and state save is recognised.
  for (const { input, plan, fileHash, records, checker, validated } of ready) {
    state.intents[input.zone] = {
      ...memoryFor(input, plan.serial, fileHash, now, ['reload', 'notify']),
      records,
      ...(checker ? { checker } : {}),
      ...(validated ? { validated } : {}),
    };
  }
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
  for (const { input, plan, prepared } of ready) {
    const lost = lock?.compromised();
    if (lost) {
      await Promise.all(ready.map((r) => r.prepared.discard()));
      throw lost; // a RunError: another run may own zone_dir now, so install nothing more
    }
    try {
      if (plan.keepCopy) {
        const copy = await deps.files.keepCopy(input.zoneFile, `edited-${stamp(now)}`);
        say(`${input.zone}: ${displayPath(cfg, input.zoneFile)} was not zonerw's output; kept a copy as ${displayPath(cfg, copy)}`);
      }
      await prepared.commit({ syncDir: false });
    } catch (e) {
      await prepared.discard();
      log.err(`${input.zone}: ${(e as Error).message}`);
      trouble.failed = true;
      continue;
    }
    const file = deps.files.identity(input.zoneFile);
    state.zones[input.zone] = { ...state.intents[input.zone]!, ...(file !== undefined ? { inputs: { base: input.identity.base, file } } : {}) };
    delete state.intents[input.zone];
    installed.push(input.zone);
    events.push({ t: now, type: 'publish', zone: input.zone, serial: plan.serial, why: plan.why });
    say(describePublish(input, plan, previousValues.get(input.zone)));
    if (plan.aheadOfDate) {
      log.err(`${input.zone}: serial ${plan.serial} is ahead of today's date (over 100 changes today, or an earlier serial was ahead); it still increases`);
    }
  }
  state.intents = {};
  // One folder fsync makes all of this run's renames durable, before the nameserver is told.
  if (installed.length > 0) await deps.files.syncFolder(cfg.zoneDir);

  await settlePending({ ...deps, log }, state, new Set(zones), trouble);
  await watchSecondaries(cfg, { ...deps, log }, state, new Set(installed), zones, now, trouble);
  return finish(installed);
}

/**
 * Asks the secondaries for the zones published now (waiting for the transfer) and for the
 * zones some secondary was behind on before; one stderr line for all that are behind.
 */
async function watchSecondaries(cfg: Config, deps: Deps, state: State, fresh: ReadonlySet<string>, zones: readonly string[], now: number, trouble: Trouble): Promise<void> {
  const watch: ZoneToWatch[] = [];
  for (const zone of zones) {
    const m = state.zones[zone];
    if (!m || m.pending.length > 0 || secondariesFor(cfg, zone).length === 0) continue;
    if (fresh.has(zone)) watch.push({ zone, serial: m.serial, fresh: true });
    else if (m.lagging?.length) watch.push({ zone, serial: m.serial, fresh: false, only: m.lagging });
  }
  if (watch.length === 0) return;
  const views = await lookAtSecondaries(cfg, watch, deps.soa);
  for (const w of watch) {
    const lagging = views.filter((v) => v.zone === w.zone && !v.current).map((v) => v.secondary.name);
    const m = state.zones[w.zone]!;
    if (lagging.length > 0) m.lagging = lagging;
    else delete m.lagging;
    for (const v of views.filter((x) => x.zone === w.zone && x.served !== undefined)) (m.served ??= {})[v.secondary.name] = v.served!;
  }
  const line = describeLagging(views, (zone) => state.zones[zone], now);
  if (line) {
    deps.log.err(line);
    if (cfg.strictSecondaries) trouble.failed = true;
  }
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
/** From this many zones on, one control command covers them (when the nameserver can). */
const BATCH_FROM = 8;
const LIST_CHUNK = 200;

/**
 * Reload then NOTIFY every zone that owes it, this run's and earlier runs' alike. Many zones
 * go in one command where the nameserver allows (nsd-control without a zone, knotc with a
 * list); otherwise one command a zone, a few at a time. A zone whose reload failed gets no
 * NOTIFY (for data the server has not loaded) and keeps both pending for the next run.
 */
async function settlePending(deps: Deps, state: State, zones: ReadonlySet<string>, trouble: Trouble): Promise<void> {
  const owing = Object.keys(state.zones).filter((z) => zones.has(z) && state.zones[z]!.pending.length > 0).sort();
  for (const step of ['reload', 'notify'] as const) {
    const due = owing.filter((z) => state.zones[z]!.pending[0] === step);
    if (due.length === 0) continue;
    const groups: (string | readonly string[])[] =
      due.length < BATCH_FROM || deps.nameserver.batching === 'one'
        ? due
        : deps.nameserver.batching === 'all'
          ? [[]]
          : Array.from({ length: Math.ceil(due.length / LIST_CHUNK) }, (_, i) => due.slice(i * LIST_CHUNK, (i + 1) * LIST_CHUNK));
    const results = await mapLimit(groups, 4, async (group) => ({ group, r: await deps.nameserver.run(step, group) }));
    const failed = new Set<string>();
    for (const { group, r } of results) {
      const covered = typeof group === 'string' ? [group] : group.length === 0 ? due : group;
      if (r.ok) continue;
      const argv = deps.nameserver.command(step, group)?.map(quoteArg).join(' ');
      const words = (r.stderr.trim() || r.stdout.trim() || r.reason).split('\n').join('; ');
      const who = covered.length === 1 ? covered[0] : `${covered.length} zones`;
      deps.log.err(`${who}: ${argv} failed (${r.reason}): ${words}; will retry on the next run`);
      trouble.failed = true;
      for (const z of covered) failed.add(z);
    }
    for (const z of due) if (!failed.has(z)) state.zones[z]!.pending = state.zones[z]!.pending.filter((p) => p !== step);
  }
}

/** A check event for each server whose raw result differs from the last run's (or is new). */
function healthEvents(d: HealthDecision, before: State, now: number): HistoryEvent[] {
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
async function runHooks(cfg: Config, deps: Deps, raised: readonly RaisedEvent[], state: State, trouble: Trouble, log: Log, events: HistoryEvent[], now: number): Promise<void> {
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

function metricsFrom(cfg: Config, d: HealthDecision, state: State, run: { now: number; durationMs: number; exitCode: number }): MetricsInput {
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

/** What each marker becomes this run; IPv6 markers only when every server has an address6. */
function markerValues(cfg: Config, d: HealthDecision): { values: MarkerValues; unavailable: Record<string, string> } {
  const pool = d.pool.map((name) => cfg.servers.find((s) => s.name === name)!);
  const values: MarkerValues = { IP: d.favoured.address, IPS: pool.map((s) => s.address) };
  const without6 = cfg.servers.filter((s) => s.address6 === undefined).map((s) => `"${s.name}"`);
  const unavailable: Record<string, string> = {};
  if (without6.length === 0) {
    values.IP6 = d.favoured.address6!;
    values.IPS6 = pool.map((s) => s.address6!);
  } else {
    const why = `server ${without6.join(', ')} ${without6.length === 1 ? 'has' : 'have'} no address6; add address6 to every [[server]], or use IPv6 markers nowhere`;
    unavailable.IP6 = why;
    unavailable.IPS6 = why;
  }
  return { values, unavailable };
}

/**
 * `example.com: serial 2026112203, www mail -> 198.51.100.7`: for each marker whose value
 * changed since `previous` (all of them on a first publication), the records it fills.
 */
export function describePublish(input: ZoneInput, plan: Extract<ZonePlan, { action: 'publish' }>, previous?: MarkerValues): string {
  const parts: string[] = [];
  const fresh = plan.why.includes('first') || plan.why.includes('missing') || previous === undefined;
  for (const [marker, value] of Object.entries(input.values)) {
    const before = previous?.[marker];
    const same = Array.isArray(value) && Array.isArray(before) ? value.join(' ') === before.join(' ') : value === before;
    if (!fresh && same) continue;
    const owners = [...new Set(slotsOf(input.template, marker).map((s) => s.owner || input.zone))];
    const shown = owners.length > 6 ? `${owners.slice(0, 5).join(' ')} and ${owners.length - 5} more` : owners.join(' ');
    parts.push(`${shown} -> ${Array.isArray(value) ? value.join(' ') : value}`);
  }
  if (plan.why.includes('base')) parts.push('base file changed');
  if (plan.why.includes('missing')) parts.push('zone file was missing');
  if (plan.why.includes('first')) parts.push('first run');
  if (plan.why.includes('forced')) parts.push('forced');
  return `${input.zone}: serial ${plan.serial}${parts.length > 0 ? `, ${parts.join(', ')}` : ''}`;
}

async function showDryRun(
  cfg: Config,
  deps: Deps,
  publishing: { input: ZoneInput; plan: Extract<ZonePlan, { action: 'publish' }> }[],
  state: State,
  previousValues: ReadonlyMap<string, MarkerValues>,
  previousRecords: ReadonlyMap<string, number>,
  force: boolean,
  trouble: Trouble,
): Promise<void> {
  const { log } = deps;
  // Validate in a private temp folder: a dry run writes nothing in zone_dir or state_dir.
  const scratch = publishing.length > 0 ? await mkdtemp(join(tmpdir(), 'zonerw-dry-')) : undefined;
  try {
    for (const { input, plan } of publishing) {
      const { text, baseLine } = fillWithLineMap(input.template, { ...input.values, [SERIAL]: String(plan.serial) });
      log.out(`would publish ${describePublish(input, plan, previousValues.get(input.zone))}`);
      const shown = displayPath(cfg, input.zoneFile);
      const diff = unifiedDiff(input.installed?.text ?? '', text, input.installed ? shown : '/dev/null', shown);
      log.out(Buffer.from(diff, ZONE_ENCODING).toString('utf8').trimEnd()); // shown as the UTF-8 it most likely is
      const refusal = force ? undefined : shrinkProblem(countRecords(text), previousRecords.get(input.zone), cfg.maxShrink);
      if (refusal) {
        log.err(`${input.zone}: would not be published, ${refusal}`);
        trouble.failed = true;
        continue;
      }
      const file = join(scratch!, input.zone);
      await writeFile(file, text, ZONE_ENCODING);
      const check = await deps.nameserver.checkzone(input.zone, file);
      if (!check.ok) {
        log.err(`${input.zone}: would be refused by ${check.checker ?? 'the zone check'}: ${pointAtBase(check.message ?? '', file, displayPath(cfg, input.baseFile), baseLine)}`);
        trouble.failed = true;
        continue;
      }
      for (const step of ['reload', 'notify'] as const) {
        const argv = deps.nameserver.command(step, input.zone);
        if (argv) log.out(`would run: ${argv.map(quoteArg).join(' ')}`);
      }
    }
    for (const [zone, memory] of Object.entries(state.zones)) {
      if (memory.pending.length > 0 && !publishing.some((p) => p.input.zone === zone)) {
        for (const step of memory.pending) {
          const argv = deps.nameserver.command(step, zone);
          if (argv) log.out(`would retry: ${argv.map(quoteArg).join(' ')}`);
        }
      }
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The checker names the rendered file and its line; the operator must fix the base file, and
 * @IPS@ shifts lines, so `rendered:7:` becomes `base/example.com.base:5:`.
 */
export function pointAtBase(message: string, renderedPath: string, basePath: string, baseLine: readonly number[]): string {
  return message.split(renderedPath).map((part, i) => {
    if (i === 0) return part;
    const m = /^:(\d+)/.exec(part);
    const line = m ? baseLine[Number(m[1]) - 1] : undefined;
    return basePath + (m && line !== undefined ? `:${line}${part.slice(m[0].length)}` : part);
  }).join('');
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** 20261122T024500Z: for copies of hand-edited files */
function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
