// `zonerw` / `zonerw run`: take the lock (not for --dry-run, which only reads), carry out one
// run (src/run/pipeline.ts), let go of the lock.
import type { Config } from '../config/types.js';
import type { ExitCode } from '../errors.js';
import { createContext } from '../run/context.js';
import { refuseSameFolders } from '../run/folders.js';
import { probeServers } from '../run/observe.js';
import { carryOut } from '../run/pipeline.js';
import type { Deps, RunOptions } from '../run/ports.js';
import { lockBesideWatch } from '../run/watch-heartbeat.js';
import { tellResolvers } from '../run/ttl-told.js';

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
