// The folders zonerw works in, as they are on disk (not only as the config spells them).
import type { Config } from '../config/types.js';
import { ConfigError, ZonerwError } from '../errors.js';
import type { Files } from './ports.js';

/**
 * config/validate.ts compares the folders' paths; a symbolic link can still make zone_dir or
 * state_dir base_dir by another name, and then zonerw would write among (or over) the base files.
 */
export async function refuseSameFolders(cfg: Config, files: Pick<Files, 'folderId'>): Promise<void> {
  // A folder that is there but cannot be looked at is said as such (path, user, fix), never as
  // missing: its id is then null, and its problem said in the config's order.
  const problems: string[] = [];
  const idOf = (dir: string) => files.folderId(dir).catch((e: unknown) => (e instanceof ZonerwError ? e : Promise.reject(e)));
  const ids = await Promise.all([idOf(cfg.baseDir), idOf(cfg.zoneDir), idOf(cfg.stateDir)]);
  const [base, zone, state] = ids.map((id, i) => {
    if (!(id instanceof ZonerwError)) return id;
    problems.push(`${['base_dir', 'zone_dir', 'state_dir'][i]}: ${id.message}`);
    return null;
  });
  const known = (id: string | null | undefined): id is string => typeof id === 'string';
  if (known(base) && zone === base) problems.push(`zone_dir: ${cfg.zoneDir} is base_dir ${cfg.baseDir} under another name: zonerw never writes base files`);
  if (known(base) && state === base) problems.push(`state_dir: ${cfg.stateDir} is base_dir ${cfg.baseDir} under another name: zonerw never writes base files`);
  if (known(zone) && state === zone) problems.push(`state_dir: ${cfg.stateDir} is zone_dir ${cfg.zoneDir} under another name: the nameserver reads zone_dir, zonerw keeps its state apart`);
  // Checked before the lock, so that a wrong folder leaves nothing behind (not even state_dir).
  if (base === undefined) problems.push(`base_dir: ${cfg.baseDir} does not exist: create it with one <zone>.base file per zone, or fix base_dir`);
  if (zone === undefined) problems.push(`zone_dir: ${cfg.zoneDir} does not exist: zonerw does not create the nameserver's zone folder; create it, or fix zone_dir`);
  if (problems.length > 0) throw new ConfigError(cfg.file, problems);
}
