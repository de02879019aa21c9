// `zonerw` / `zonerw run`: take the lock (not for --dry-run, which only reads), carry out one
// run (src/run/pipeline.ts), let go of the lock.
import type { Config } from '../config/types.js';
import { ConfigError, type ExitCode } from '../errors.js';
import { createContext } from '../run/context.js';
import { probeServers } from '../run/observe.js';
import { carryOut } from '../run/pipeline.js';
import { lockBesideWatch } from '../run/watch-heartbeat.js';
import { tellResolvers } from '../run/ttl-told.js';
import type { Deps, Files, RunOptions } from '../run/ports.js';

export async function run(cfg: Config, opts: RunOptions, deps: Deps): Promise<ExitCode> {
  // The probes need neither the lock nor the state: the servers answer while the folders are
  // checked, the lock taken and the state read. (A run that then stops, locked out say, leaves
  // its probes behind: bin/zonerw.js exits when main returns, it does not wait for them.)
  const probing = probeServers(cfg, deps);
  if (!opts.dryRun) await refuseSameFolders(cfg, deps.files);
  // --dry-run writes nothing, not even the lock: it only reads.
  const lock = opts.dryRun ? undefined : await lockBesideWatch(deps, cfg.stateDir);
  try {
    const ctx = createContext(cfg, opts, deps, lock);
    const code = await carryOut(ctx, probing);
    await tellResolvers(ctx);
    return code;
  } finally {
    await lock?.release();
  }
}

/**
 * config/validate.ts compares the folders' paths; a symbolic link can still make zone_dir or
 * state_dir base_dir by another name, and then zonerw would write among (or over) the base files.
 */
export async function refuseSameFolders(cfg: Config, files: Pick<Files, 'folderId'>): Promise<void> {
  const [base, zone, state] = await Promise.all([files.folderId(cfg.baseDir), files.folderId(cfg.zoneDir), files.folderId(cfg.stateDir)]);
  const problems: string[] = [];
  if (base !== undefined && zone === base) problems.push(`zone_dir: ${cfg.zoneDir} is base_dir ${cfg.baseDir} under another name: zonerw never writes base files`);
  if (base !== undefined && state === base) problems.push(`state_dir: ${cfg.stateDir} is base_dir ${cfg.baseDir} under another name: zonerw never writes base files`);
  if (zone !== undefined && state === zone) problems.push(`state_dir: ${cfg.stateDir} is zone_dir ${cfg.zoneDir} under another name: the nameserver reads zone_dir, zonerw keeps its state apart`);
  // Checked before the lock, so that a wrong folder leaves nothing behind (not even state_dir).
  if (base === undefined) problems.push(`base_dir: ${cfg.baseDir} does not exist: create it with one <zone>.base file per zone, or fix base_dir`);
  if (zone === undefined) problems.push(`zone_dir: ${cfg.zoneDir} does not exist: zonerw does not create the nameserver's zone folder; create it, or fix zone_dir`);
  if (problems.length > 0) throw new ConfigError(cfg.file, problems);
}
