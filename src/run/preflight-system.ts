// `zonerw check` asks the machine: a nameserver running while kind = "none" (runs would say
// "published" and reload nothing), the systemd unit's sandbox leaving zone_dir or state_dir
// read-only (every run from the timer fails with EROFS), and the nameserver's user unable to
// read zone_dir or a zone file (it would keep serving the old zone). Steps of commands/check.ts.
import type { Config } from '../config/types.js';
import { displayPath, zoneFilePath } from './paths.js';
import type { Deps, UnitSandbox } from './ports.js';

export interface SystemPreflight {
  cfg: Config;
  deps: Pick<Deps, 'system' | 'peekState'>;
  problem(line: string, kind: 'config' | 'baseFile' | 'failed'): void;
  folders: { zone: boolean; state: boolean };
  zones: string[];
}

const DAEMON: Record<'nsd' | 'bind' | 'knot', string> = { nsd: 'nsd', bind: 'named', knot: 'knotd' };
const KIND_OF: Record<string, string> = { nsd: 'nsd', named: 'bind', knotd: 'knot' };

/** kind = "none" (the shipped conffile's) on a machine that runs a nameserver: nothing would ever be reloaded. */
export async function noneWithNameserverRunning({ cfg, deps, problem }: SystemPreflight): Promise<void> {
  if (cfg.nameserver.kind !== 'none' || !deps.system) return;
  // only the system's nameserver (its parent is PID 1): one a user or a test started in the foreground is not the one zonerw would reload
  const running = [...new Set((await deps.system.runningNameservers()).filter((d) => d.system).map((d) => d.name))];
  if (running.length === 0) return;
  const kinds = running.map((d) => `"${KIND_OF[d]}"`).join(' or ');
  problem(`nameserver.kind: "none", but ${running.join(' and ')} runs on this machine: runs would install zone files and reload nothing (DNS keeps serving the old zones); set kind = ${kinds} in [nameserver] (with its control command and address)`, 'config');
}

/** Is `path` inside `dir` (or `dir` itself)? */
const inside = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** The folders ProtectSystem= makes read-only (systemd.exec(5)): strict everything, full /usr /boot /efi /etc, yes /usr /boot /efi. */
function readOnlyBySandbox(sandbox: UnitSandbox, path: string): boolean {
  if (sandbox.readWritePaths.some((d) => inside(path, d))) return false;
  const p = sandbox.protectSystem?.toLowerCase();
  if (p === 'strict') return !['/dev', '/proc', '/sys', '/run', '/tmp', '/var/tmp'].some((d) => inside(path, d));
  const ro = p === 'full' ? ['/usr', '/boot', '/efi', '/etc'] : p === 'yes' || p === 'true' || p === 'on' || p === '1' ? ['/usr', '/boot', '/efi'] : [];
  return ro.some((d) => inside(path, d));
}

/** The zonerw.service unit leaves zone_dir or state_dir read-only: every run from its timer would fail (EROFS). */
export async function writableUnderUnit({ cfg, deps, problem }: SystemPreflight): Promise<void> {
  const sandbox = await deps.system?.unitSandbox('zonerw.service');
  if (!sandbox) return;
  const folders = [['zone_dir', cfg.zoneDir], ['state_dir', cfg.stateDir], ...(cfg.metricsFile ? [['metrics_file', cfg.metricsFile.replace(/\/[^/]*$/, '') || '/']] : [])] as const;
  for (const [key, dir] of folders) {
    if (!readOnlyBySandbox(sandbox, dir)) continue;
    problem(
      `${key}: ${dir} is read-only for runs of zonerw.service (ProtectSystem=${sandbox.protectSystem} in ${sandbox.files.join(', ')}, and it is not in ReadWritePaths): every run from the timer would fail (EROFS); add it with systemctl edit zonerw: [Service] ReadWritePaths=${dir}`,
      'failed',
    );
  }
}

/**
 * The running nameserver's user must list zone_dir and read each zone file: else a reload keeps
 * the old zone (or a restart serves none). Asked for each user the daemon of this kind runs as
 * (a daemon run as root reads anything); nothing to ask when none runs.
 */
export async function nameserverCanRead({ cfg, deps, problem, folders, zones }: SystemPreflight): Promise<void> {
  if (cfg.nameserver.kind === 'none' || !deps.system || !folders.zone) return;
  const daemon = DAEMON[cfg.nameserver.kind];
  const uids = [...new Set((await deps.system.runningNameservers()).filter((d) => d.name === daemon).map((d) => d.uid))];
  if (uids.length === 0 || uids.includes(0)) return;
  const paths = [cfg.zoneDir, ...zones.map((z) => zoneFilePath(cfg, z))];
  for (const path of paths) {
    const why = await firstRefusal(deps.system, uids, path);
    if (!why) continue;
    const fix = path === cfg.zoneDir ? `chmod a+rx ${path}` : `chmod a+r ${path}, or give it the nameserver's group (zonerw keeps a replaced file's owner, group and mode)`;
    problem(`${displayPath(cfg, path)}: the nameserver cannot read it: ${why}; ${fix}`, 'failed');
    if (path === cfg.zoneDir) return; // the files inside are unreadable too: said once
  }
}

/** Why none of `uids` can read `path` (the first one's reason), or undefined when one can. */
async function firstRefusal(system: NonNullable<Deps['system']>, uids: readonly number[], path: string): Promise<string | undefined> {
  const reasons = await Promise.all(uids.map((uid) => system.cannotRead(uid, path)));
  return reasons.every((r) => r !== undefined) ? reasons[0] : undefined;
}
