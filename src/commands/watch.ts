// `zonerw watch`: a long-running zonerw for systemd. Every `[watch] interval` it probes the
// servers and decides with hysteresis; only when there is work (a transition, a base or include
// edit, a pending reload or retry, a pin, a re-sign due: run/watch-work.ts) it takes the lock and
// carries out the same run as a one-shot `zonerw` (run/pipeline.ts carryOut), with this cycle's
// probes. A steady cycle reads no zone file, sends no DNS query, and writes only the heartbeat
// (state_dir/watch.json: pid, start, last probe, cycles, RSS, CPU; run/watch-heartbeat.ts).
//
// Signals: SIGHUP reloads the config (a broken one is said once, the old one kept); SIGTERM and
// SIGINT let the current run finish (never mid-install) and exit 0.
import { hostname } from 'node:os';
import { configGroups, type Config } from '../config/types.js';
import { WATCH_DEFAULTS } from '../config/watch.js';
import { rememberHealth, type ServerMemory } from '../core/health.js';
import type { GroupDecided } from '../core/groups.js';
import { emptyState, type State } from '../core/state.js';
import { formatMs } from '../core/format.js';
import { EXIT, LockedError, ZonerwError, type ExitCode } from '../errors.js';
import { createContext } from '../run/context.js';
import { decideServers, probeServers, type Probed } from '../run/observe.js';
import { carryOut } from '../run/pipeline.js';
import type { Deps, Log, RunOptions } from '../run/ports.js';
import { heartbeatPath, type Heartbeat } from '../run/watch-heartbeat.js';
import { renderWatchMetrics, watchMetricsPath } from '../core/watch-metrics.js';
import { judgeAfterRun, workDue, type Judged } from '../run/watch-work.js';
import { tellResolvers } from '../run/ttl-told.js';
import { refuseSameFolders } from '../run/folders.js';

/** What the watch needs beyond a run's ports: its config and ports again (SIGHUP), and its heartbeat file. */
export interface WatchIo {
  load(): Promise<Config>;
  deps(cfg: Config): Promise<Deps>;
  writeHeartbeat(path: string, content: string): Promise<void>;
  removeHeartbeat(path: string): Promise<void>;
  /** process, in the binary */
  signals: Pick<NodeJS.Process, 'on' | 'off'>;
}

type Signal = 'SIGHUP' | 'SIGTERM' | 'SIGINT';
const STATE_NAME = 'state.json'; // adapters/state-file.ts names it; only its identity is looked at here

export async function watch(cfg: Config, opts: Pick<RunOptions, 'verbose' | 'quiet'>, deps: Deps, io: WatchIo): Promise<ExitCode> {
  await refuseSameFolders(cfg, deps.files);
  const w = new Watcher(cfg, opts, deps, io);
  const handlers: [Signal, () => void][] = [['SIGHUP', () => w.requestReload()], ['SIGTERM', () => w.stop()], ['SIGINT', () => w.stop()]];
  for (const [sig, fn] of handlers) io.signals.on(sig, fn);
  try {
    await w.loop();
  } finally {
    for (const [sig, fn] of handlers) io.signals.off(sig, fn);
    await io.removeHeartbeat(heartbeatPath(w.cfg.stateDir)).catch(() => {});
    // a watch stopped on purpose is not one that stopped probing
    if (w.cfg.metricsFile) await io.removeHeartbeat(watchMetricsPath(w.cfg.metricsFile)).catch(() => {});
  }
  return EXIT.ok;
}

class Watcher {
  private stopping = false;
  private reloadWanted = false;
  private wake: () => void = () => {};
  /** ends the current cycle's probes early on SIGTERM (one promise a cycle: a race against one
   *  long-lived promise would pile a reaction on it every cycle, and memory would grow) */
  private interrupt: (() => void) | undefined;
  private state: State = emptyState();
  private stateId: string | undefined = 'unread';
  /** the servers' hysteresis memory, carried from cycle to cycle (a steady cycle saves nothing) */
  private carried: Record<string, ServerMemory> | undefined;
  /** lines said about a standing condition, by topic: said once, and again when they change */
  private notices = new Map<string, string>();
  /** what the last run said: a run that says the same again (a nameserver still down) is not repeated */
  private lastRunLines = new Set<string>();
  /** when this watch last carried out a run (a secondary behind is retried once a minute from it) */
  private lastRunAt: number | undefined;
  private judged: Judged = new Map();
  private readonly beat: Omit<Heartbeat, 'sees' | 'rssBytes' | 'cpuMs'>;

  constructor(public cfg: Config, private opts: Pick<RunOptions, 'verbose' | 'quiet'>, private deps: Deps, private io: WatchIo) {
    this.beat = { pid: process.pid, host: hostname(), startedAt: deps.now(), intervalMs: this.interval(), cycles: 0, applies: 0 };
  }

  private interval(): number {
    return (this.cfg.watch ?? WATCH_DEFAULTS).intervalMs;
  }

  requestReload(): void {
    this.reloadWanted = true;
    this.wake();
  }

  stop(): void {
    this.stopping = true;
    this.interrupt?.();
    this.wake();
  }

  async loop(): Promise<void> {
    if (!this.opts.quiet) this.deps.log.out(`zonerw watch: probing every ${formatMs(this.interval())} (pid ${process.pid})`);
    while (!this.stopping) {
      const started = performance.now();
      if (this.reloadWanted) await this.reload();
      try {
        await this.cycle();
      } catch (e) {
        this.notice('cycle', e instanceof ZonerwError ? `zonerw: ${e.message}` : `zonerw: internal error in a watch cycle: ${(e as Error).message}`);
      }
      await this.sleep(this.interval() - (performance.now() - started));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping || this.reloadWanted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** SIGHUP: the new config and its ports, or the old ones kept and why said (once). */
  private async reload(): Promise<void> {
    this.reloadWanted = false;
    try {
      const cfg = await this.io.load();
      await refuseSameFolders(cfg, this.deps.files);
      this.deps = await this.io.deps(cfg);
      this.cfg = cfg;
      this.beat.intervalMs = this.interval();
      this.stateId = 'unread';
      this.judged.clear();
      this.notices.delete('config');
      this.deps.log.out(`zonerw watch: config reloaded from ${cfg.file}`);
    } catch (e) {
      const why = e instanceof ZonerwError ? e.message : (e as Error).message;
      this.notice('config', `zonerw watch: config not reloaded, the one loaded before stays in use:\n${why}`);
    }
  }

  private async cycle(): Promise<void> {
    await this.refreshState();
    const stopped = new Promise<undefined>((resolve) => (this.interrupt = () => resolve(undefined)));
    const probed = await Promise.race([probeServers(this.cfg, this.deps), stopped]);
    this.interrupt = undefined;
    if (!probed || this.stopping) return; // stopping: a probe in flight is left behind, nothing was written
    const now = this.deps.now();
    const before = this.carried ?? this.state.servers;
    const decided = decideServers(this.cfg, probed, { groups: this.state.groups, servers: before }, now);
    // as a run remembers it (rememberHealth: a server with no verdict yet stays unknown)
    this.carried = Object.assign({}, ...decided.map((g) => rememberHealth(g.decision).servers)) as Record<string, ServerMemory>;
    this.beat.cycles++;
    this.beat.lastProbeAt = now;
    const networkDown = decided.find((g) => g.decision.networkDown);
    this.notice('network', networkDown ? `zonerw watch: ${networkDown.decision.rule}` : undefined);
    const reason = networkDown ? undefined : await workDue(this.cfg, this.deps.files, this.state, decided, now, { judged: this.judged, ...(this.lastRunAt !== undefined ? { lastRunAt: this.lastRunAt } : {}), ...(this.deps.signer ? { signer: this.deps.signer } : {}) });
    await this.writeHeartbeat(decided);
    if (reason && !this.stopping && (await this.apply(reason, probed, before))) {
      await judgeAfterRun(this.cfg, this.deps.files, this.state, decided, now, this.judged);
    }
  }

  /** The state as a run left it, read again only when its file changed (a run, a pin). */
  private async refreshState(force = false): Promise<void> {
    const id = this.deps.files.identity(`${this.cfg.stateDir}/${STATE_NAME}`);
    if (!force && id === this.stateId) return;
    const peeked = await this.deps.peekState(this.cfg.stateDir);
    this.state = peeked.state;
    this.stateId = id;
  }

  /** The same run as a one-shot `zonerw`, with this cycle's probes and the hysteresis carried so far; false when locked out. */
  private async apply(reason: string, probed: Probed, before: Record<string, ServerMemory>): Promise<boolean> {
    if (this.opts.verbose) this.deps.log.out(`zonerw watch: a run is due: ${reason}`);
    let lock;
    try {
      lock = await this.deps.lock(this.cfg.stateDir);
    } catch (e) {
      if (!(e instanceof LockedError)) throw e;
      this.notice('lock', `zonerw watch: ${e.message}; trying again next cycle`);
      return false;
    }
    this.notices.delete('lock');
    const said = new Set<string>();
    const log: Log = { out: (l) => this.sayNew(said, l, 'out'), err: (l) => this.sayNew(said, l, 'err') };
    // the run decides from the state's memory: the watch's, which has seen every cycle since
    const loadState: Deps['loadState'] = async (dir) => {
      const loaded = await this.deps.loadState(dir);
      return { ...loaded, state: { ...loaded.state, servers: { ...loaded.state.servers, ...before } } };
    };
    try {
      const opts: RunOptions = { force: false, dryRun: false, verbose: this.opts.verbose, quiet: this.opts.quiet };
      const ctx = createContext(this.cfg, opts, { ...this.deps, log, loadState }, lock);
      this.lastRunAt = ctx.now;
      await carryOut(ctx, Promise.resolve(probed));
      await tellResolvers(ctx);
      this.notices.delete('run');
    } catch (e) {
      if (!(e instanceof ZonerwError)) throw e;
      for (const line of e.message.split('\n')) log.err(`zonerw: ${line}`);
    } finally {
      await lock.release().catch((e: Error) => this.notice('release', `zonerw watch: ${e.message}`));
      this.lastRunLines = said;
    }
    this.beat.applies++;
    this.beat.lastApplyAt = this.deps.now();
    const old = this.stateId;
    await this.refreshState(true);
    if (this.stateId !== old) this.carried = this.state.servers;
    return true;
  }

  /** A run's line, unless the run before said the same (a nameserver that stays down), durations aside. */
  private sayNew(said: Set<string>, line: string, to: keyof Log): void {
    const key = `${to} ${line.replace(/\d+(\.\d+)?\s?(ms|s)\b/g, '#')}`;
    said.add(key);
    if (!this.lastRunLines.has(key)) this.deps.log[to](line);
  }

  /** A standing condition: said when it starts or changes; undefined: it ended. */
  private notice(topic: string, line: string | undefined): void {
    if (line === undefined) {
      this.notices.delete(topic);
      return;
    }
    if (this.notices.get(topic) === line) return;
    this.notices.set(topic, line);
    for (const l of line.split('\n')) this.deps.log.err(l);
  }

  private async writeHeartbeat(decided: readonly GroupDecided[]): Promise<void> {
    const hb: Heartbeat = {
      ...this.beat,
      rssBytes: process.memoryUsage.rss(),
      cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      sees: describeSight(this.cfg, decided),
    };
    try {
      await this.io.writeHeartbeat(heartbeatPath(this.cfg.stateDir), `${JSON.stringify(hb)}\n`);
      this.notices.delete('heartbeat');
    } catch (e) {
      this.notice('heartbeat', `zonerw watch: cannot write ${heartbeatPath(this.cfg.stateDir)} (status will not see this watch): ${(e as Error).message}`);
    }
    await this.writeWatchMetrics();
  }

  /** With metrics_file: the watch's own textfile beside it, so that an alert sees a watch that stopped probing. */
  private async writeWatchMetrics(): Promise<void> {
    if (!this.cfg.metricsFile) return;
    const path = watchMetricsPath(this.cfg.metricsFile);
    try {
      await this.io.writeHeartbeat(path, renderWatchMetrics({ startedAt: this.beat.startedAt, lastProbeAt: this.beat.lastProbeAt ?? this.beat.startedAt, intervalMs: this.beat.intervalMs }));
      this.notices.delete('watch-metrics');
    } catch (e) {
      this.notice('watch-metrics', `zonerw watch: cannot write ${path} (an alert on zonerw_watch_last_probe_timestamp_seconds will fire): ${(e as Error).message}`);
    }
  }
}

/** One line a group: `favouring main 192.0.2.1; main up, backup down (counts as up)`. */
function describeSight(cfg: Config, decided: readonly GroupDecided[]): string[] {
  const named = configGroups(cfg).length > 1;
  return decided.map(({ group, decision: d }) => {
    const servers = d.servers.map((v) => (v.unknown ? `${v.name} no verdict yet (not counted as up)` : v.outcome?.undecided ? `${v.name} no verdict (counts as ${v.up ? 'up' : 'down'})` : `${v.name} ${v.raw ? 'up' : 'down'}${v.raw === v.up ? '' : ` (counts as ${v.up ? 'up' : 'down'})`}`));
    return `${named ? `group ${group}: ` : ''}favouring ${d.favoured.server} ${d.favoured.address}; ${servers.join(', ')}`;
  });
}
