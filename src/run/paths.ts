// Where a zone's files are, and how their paths are shown: relative to the config file's
// folder, as the user wrote them.
import { join, relative } from 'node:path';
import type { Config } from '../config/types.js';

export function zoneFilePath(cfg: Config, zone: string): string {
  return join(cfg.zoneDir, cfg.zoneFile.replace('{zone}', zone));
}

export function baseFilePath(cfg: Config, zone: string): string {
  return join(cfg.baseDir, `${zone}.base`);
}

/** Names as the user will recognise them: relative to the config file's folder. */
export function displayPath(cfg: Config, path: string): string {
  const rel = relative(join(cfg.file, '..'), path);
  return rel.startsWith('..') ? path : rel;
}

/** Both paths of a zone as the user recognises them. */
export function shownPaths(cfg: Config, zone: string): { base: string; file: string } {
  return { base: displayPath(cfg, baseFilePath(cfg, zone)), file: displayPath(cfg, zoneFilePath(cfg, zone)) };
}
