// The real adapters behind the ports (src/run/ports.ts): the one module that builds them, for
// src/cli.ts to hand to a command. Each adapter module is loaded when a command first needs it.
import { dirname } from 'node:path';
import type { Config } from './config/types.js';
import { loadConfig } from './config/load.js';
import { parseDuration } from './core/format.js';
import { UsageError } from './errors.js';
import type { Deps, Log, ZoneQuery } from './run/ports.js';

export type Env = Readonly<Record<string, string | undefined>>;

const askZone: ZoneQuery = async (host, port, zone, names, timeoutMs) => (await import('./adapters/dns-query.js')).askZone(host, port, zone, names, timeoutMs);

/** ZONERW_NOW (an ISO 8601 time) pins the clock, for tests and for replaying a day's serials. */
function clock(env: Env): () => number {
  const pinned = env.ZONERW_NOW;
  if (pinned === undefined || pinned === '') return Date.now;
  const t = Date.parse(pinned);
  if (Number.isNaN(t)) throw new UsageError(`ZONERW_NOW: not an ISO 8601 time: "${pinned}"`);
  return () => t;
}

/** ZONERW_LOCK_STALE (a duration, e.g. "3s") shortens the lock's stale time: for tests, which
 *  then need not wait the real 30 s for a frozen holder's lock. */
function lockStale(env: Env): { staleMs?: number } {
  const stale = env.ZONERW_LOCK_STALE;
  if (stale === undefined || stale === '') return {};
  const ms = parseDuration(stale);
  if (ms === undefined || ms < 1000) throw new UsageError(`ZONERW_LOCK_STALE: not a duration of 1s or more: "${stale}"`);
  return { staleMs: ms };
}

/** The real adapters behind the ports; each module is loaded when a command first needs it. */
export async function realDeps(cfg: Config, env: Env, log: Log): Promise<Deps> {
  const [{ probe }, { acquireLock }, files, { createNameserver }, stateFile] = await Promise.all([
    import('./adapters/probe.js'),
    import('./adapters/lock.js'),
    import('./adapters/files.js'),
    import('./adapters/nameserver.js'),
    import('./adapters/state-file.js'),
  ]);
  const command = () => import('./adapters/command.js');
  const historyFile = () => import('./adapters/history-file.js');
  // both said before anything runs, not when first used (a watch takes the lock hours later)
  const now = clock(env);
  const stale = lockStale(env);
  return {
    now,
    // cert_min_days counts the days left from the run's clock (ZONERW_NOW included), not the wall clock
    probe: (spec) => probe(spec.kind === 'http' ? { ...spec, now } : spec),
    askVantage: async (...ask) => (await import('./adapters/blackbox.js')).askBlackbox(...ask),
    lock: (dir) => acquireLock(dir, stale),
    nameserver: createNameserver(cfg.nameserver),
    ...(cfg.dnssec ? { signer: (await import('./adapters/signer.js')).createSigner(cfg.dnssec) } : {}),
    files: files.fileOps,
    runHook: async (argv, extra, timeoutMs) => (await import('./adapters/hook.js')).runHook(argv, extra, timeoutMs, dirname(cfg.file)),
    findProgram: async (name) => (await command()).findProgram(name, env.PATH ?? ''),
    appendHistory: async (dir, events) => (await historyFile()).appendHistory(dir, events),
    readHistory: async (dir) => (await historyFile()).readHistory(dir),
    loadState: stateFile.loadState,
    peekState: stateFile.peekState,
    dns: askZone,
    warmDns: () => void import('./adapters/dns-query.js'),
    system: (await import('./adapters/system.js')).systemView,
    askSignatures: async (host, port, zone, timeoutMs) => (await import('./adapters/dns-signature.js')).askSignatures(host, port, zone, timeoutMs),
    saveState: stateFile.saveState,
    log,
  };
}

/**
 * The config, trusted (README "Trust"): the file and its folders before it is read; with
 * 'all' (a run, check) then everything it makes zonerw run or read. Else exit 78, nothing run.
 */
export async function loadTrusted(file: string, env: Env, what: 'config' | 'all'): Promise<Config> {
  const [{ createTrust }, trusting, { fileOps }, { describeReadError }] = await Promise.all([import('./adapters/trust.js'), import('./run/trust.js'), import('./adapters/files.js'), import('./adapters/read-error.js')]);
  const trust = createTrust();
  await trusting.refuseUntrustedConfig(file, trust);
  const cfg = await loadConfig(file, (err, path) => describeReadError(err, path, 'file'));
  if (what === 'all') {
    // the state file is judged (in refuseUntrustedRun) before anything read from it counts: a
    // state that turns out untrusted makes the whole check fail anyway
    const { peekState } = await import('./adapters/state-file.js');
    const { state } = await peekState(cfg.stateDir).catch(() => ({ state: undefined }));
    const remembered = (zone: string) => state?.zones[zone]?.inputs;
    await trusting.refuseUntrustedRun(cfg, trust, fileOps, env.PATH ?? '', remembered);
  }
  return cfg;
}

/** The watch's heartbeat file (state_dir/watch.json), written and removed by the watch loop. */
export async function heartbeatFiles() {
  const { writeHeartbeat, removeHeartbeat } = await import('./adapters/heartbeat.js');
  return { writeHeartbeat, removeHeartbeat };
}
