// The folders zonerw works in, as they are on disk (not only as the config spells them).
import type { Config } from '../config/types.js';
import { ConfigError } from '../errors.js';
import type { Files } from './ports.js';

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
