// Gathers what the plan needs to know about each zone: its base file rendered (serial aside),
// and the zone file on disk. Reads only; base-file problems are returned, not thrown, so one
// bad zone does not stop the others.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Config, ServerConfig } from './config.js';
import { readSoaSerial } from './core/lexer.js';
import { fill, formatProblem, MARKERS, parseBase, slotsOf, type Template } from './core/markers.js';
import { zoneNameProblem } from './core/names.js';
import type { InstalledFile, RenderedValues } from './core/plan.js';
import { ConfigError } from './errors.js';
import { fileIdentity, readTextIfExists } from './adapters/files.js';

export const SERIAL = 'serial number';
/** Zone and base files are read and written as latin1: one character per byte, so that
 *  whatever encoding the operator used (UTF-8 in comments, stray bytes) is copied byte for
 *  byte. Markers and values are ASCII. */
export const ZONE_ENCODING = 'latin1';
/** Stands for the serial when comparing content "serial aside". */
const NO_SERIAL = '0';

export interface ZoneInput {
  zone: string;
  baseFile: string;
  zoneFile: string;
  template: Template;
  baseHash: string;
  /** marker values this zone uses (only those, so a zone without @IP@ ignores failovers) */
  values: RenderedValues;
  contentHash: string;
  installed?: InstalledFile & { text: string };
  /** the base file has $INCLUDE: its zone depends on other files, so it is always validated */
  includes: boolean;
  /** fileIdentity of the base and the zone file, taken before they were read */
  identity: { base: string; file: string | undefined };
}

/** `file`: the zone file could not be read (one zone's trouble, not a wrong base file). */
export type ZoneLoad = { ok: true; input: ZoneInput } | { ok: false; zone: string; problems: string[]; kind: 'base' | 'config' | 'file' };

/** Base files are rendered in memory (about 100 bytes of heap per byte of text): a bound, not a crash. */
export const MAX_BASE_BYTES = 16 * 1024 * 1024;

/** A file name as one printable line: control characters (a newline in a name) escaped. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function zoneFilePath(cfg: Config, zone: string): string {
  return join(cfg.zoneDir, cfg.zoneFile.replace('{zone}', zone));
}

/** Names as the user will recognise them: relative to the config file's folder. */
export function displayPath(cfg: Config, path: string): string {
  const rel = relative(join(cfg.file, '..'), path);
  return rel.startsWith('..') ? path : rel;
}

/** The zones to publish: the configured list, or every *.base in base_dir. */
export async function listZones(cfg: Config): Promise<{ zones: string[]; problems: string[] }> {
  if (cfg.zones) return { zones: cfg.zones, problems: [] };
  let names: string[];
  try {
    names = await readdir(cfg.baseDir);
  } catch (e) {
    throw new ConfigError(cfg.file, [`base_dir: cannot read ${cfg.baseDir}: ${(e as Error).message}`]);
  }
  const zones: string[] = [];
  const problems: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.base')).sort()) {
    const zone = name.slice(0, -'.base'.length);
    const problem = zoneNameProblem(zone);
    if (problem) problems.push(`${printable(displayPath(cfg, join(cfg.baseDir, name)))}: ${problem}; rename the file to <zone>.base`);
    else zones.push(zone);
  }
  if (zones.length === 0 && problems.length === 0) {
    throw new ConfigError(cfg.file, [`base_dir: no *.base files in ${cfg.baseDir}; write one per zone, like example.com.base`]);
  }
  return { zones, problems };
}

/**
 * `unavailable` says why a marker has no value this config can give (e.g. @IP6@ while a server
 * lacks address6): a zone that uses it is a configuration problem, reported with that reason.
 */
export async function loadZone(cfg: Config, zone: string, markerValues: RenderedValues, unavailable: Record<string, string> = {}): Promise<ZoneLoad> {
  const baseFile = join(cfg.baseDir, `${zone}.base`);
  const shown = displayPath(cfg, baseFile);
  const zoneFile = zoneFilePath(cfg, zone);
  // Identities first: an edit racing this read then shows up as a change on the next run.
  const baseId = fileIdentity(baseFile);
  const fileId = fileIdentity(zoneFile);
  const size = await stat(baseFile).then((s) => s.size, () => 0);
  if (size > MAX_BASE_BYTES) {
    return { ok: false, zone, kind: 'base', problems: [`${shown}: too large (${size} bytes; a base file may have at most ${MAX_BASE_BYTES})`] };
  }
  let baseText: string | undefined;
  try {
    baseText = await readTextIfExists(baseFile, ZONE_ENCODING);
  } catch (e) {
    return { ok: false, zone, kind: 'base', problems: [`${shown}: ${(e as Error).message.replace(`cannot read ${baseFile}: `, 'cannot read it: ')}`] };
  }
  if (baseText === undefined) {
    return { ok: false, zone, kind: 'base', problems: [`${shown}: missing (${cfg.zones ? 'zones lists' : 'expected for'} ${zone}); write it or remove the zone from zones`] };
  }
  const parsed = parseBase(baseText, shown);
  if (!parsed.ok) return { ok: false, zone, kind: 'base', problems: parsed.problems.map(formatProblem) };
  const template = parsed.template;
  const values: RenderedValues = {};
  const lacking: string[] = [];
  for (const marker of MARKERS) {
    const slots = slotsOf(template, marker);
    if (marker === SERIAL || slots.length === 0) continue;
    const value = markerValues[marker];
    if (value !== undefined) values[marker] = value;
    else lacking.push(`${shown}:${slots[0]!.line}: uses @${marker}@, but ${unavailable[marker] ?? 'zonerw has no value for it'}`);
  }
  if (lacking.length > 0) return { ok: false, zone, kind: 'config', problems: lacking };
  const input: ZoneInput = {
    includes: /^\$INCLUDE\b/im.test(baseText),
    identity: { base: baseId ?? '', file: fileId },
    zone,
    baseFile,
    zoneFile,
    template,
    baseHash: sha256(baseText),
    values,
    contentHash: sha256(fill(template, { ...values, [SERIAL]: NO_SERIAL })),
  };
  let text: string | undefined;
  try {
    text = await readTextIfExists(zoneFile, ZONE_ENCODING);
  } catch (e) {
    return { ok: false, zone, kind: 'file', problems: [`${zone}: ${(e as Error).message}`] };
  }
  if (text !== undefined) {
    const serial = readSoaSerial(text);
    input.installed = {
      text,
      hash: sha256(text),
      ...(serial !== undefined ? { serial } : {}),
      matchesRender: serial !== undefined && fill(template, { ...values, [SERIAL]: String(serial) }) === text,
    };
  }
  return { ok: true, input };
}

/**
 * The steady run's shortcut: a zone whose base file and zone file are, by identity, the ones
 * last seen, and whose marker values are unchanged, needs neither reading nor rendering.
 */
export function unchangedSinceLastRun(cfg: Config, zone: string, memory: { inputs?: { base: string; file: string }; values: RenderedValues } | undefined, values: RenderedValues): boolean {
  if (!memory?.inputs) return false;
  for (const [marker, before] of Object.entries(memory.values)) {
    const now = values[marker];
    if (now === undefined) return false;
    if (Array.isArray(before) || Array.isArray(now)) {
      if (!Array.isArray(before) || !Array.isArray(now) || before.join(' ') !== now.join(' ')) return false;
    } else if (before !== now) return false;
  }
  return fileIdentity(join(cfg.baseDir, `${zone}.base`)) === memory.inputs.base && fileIdentity(zoneFilePath(cfg, zone)) === memory.inputs.file;
}

/**
 * What each marker becomes with `favoured` behind @IP@ and `pool` behind @IPS@; the IPv6
 * markers only when every server has an address6, else `unavailable` says why, for the
 * message of a zone that uses them.
 */
export function markerValues(
  servers: readonly ServerConfig[],
  favoured: ServerConfig,
  pool: readonly ServerConfig[],
): { values: RenderedValues; unavailable: Record<string, string> } {
  const values: RenderedValues = { IP: favoured.address, IPS: pool.map((s) => s.address) };
  const without6 = servers.filter((s) => s.address6 === undefined).map((s) => `"${s.name}"`);
  const unavailable: Record<string, string> = {};
  if (without6.length === 0) {
    values.IP6 = favoured.address6!;
    values.IPS6 = pool.map((s) => s.address6!);
  } else {
    const why = `server ${without6.join(', ')} ${without6.length === 1 ? 'has' : 'have'} no address6; add address6 to every [[server]], or use IPv6 markers nowhere`;
    unavailable.IP6 = why;
    unavailable.IPS6 = why;
  }
  return { values, unavailable };
}
