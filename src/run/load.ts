// Observe the zones: which there are, each base file parsed and rendered (serial aside), and the
// zone file on disk. Reads only, through deps.files; base-file problems are returned, not
// thrown, so one bad zone does not stop the others.
import { join } from 'node:path';
import { configGroups, type Config } from '../config/types.js';
import { presignedProblems } from '../core/dnssec.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import { readSoaSerial } from '../core/lexer.js';
import { fill, formatProblem, markerBase, markerGroup, MARKERS, markersUsed, parseBase, SERIAL, slotsOf, type Template } from '../core/markers.js';
import { profile } from '../core/nameserver.js';
import { zoneFileNameProblem, zoneNameProblem } from '../core/names.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import type { IncludedFile, ZoneInput } from '../core/run-plan.js';
import { valuesStillHold, type RenderedValues } from '../core/values.js';
import { ConfigError } from '../errors.js';
import { sha256, sha256Of } from './hash.js';
import { readIncludes, type IncludeOptions } from './includes.js';
import { baseFilePath, displayPath, zoneFilePath } from './paths.js';
import type { Files } from './ports.js';

/** Stands for the serial when comparing content "serial aside". */
const NO_SERIAL = '0';

/** `file`: the zone file could not be read (one zone's trouble, not a wrong base file). */
export type ZoneLoad = { ok: true; input: ZoneInput } | { ok: false; zone: string; problems: string[]; kind: 'base' | 'config' | 'file' };

/** Base files are rendered in memory (about 100 bytes of heap per byte of text): a bound, not a crash. */
export const MAX_BASE_BYTES = 16 * 1024 * 1024;

/** A file name as one printable line: control characters (a newline in a name) escaped. */
function printable(s: string): string {
  return s.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** The included files as hashed: each one's path and text. */
const includedParts = (included: readonly IncludedFile[]) => included.flatMap((f) => [f.path, f.text]);

/** The zones to publish: the configured list, or every *.base in base_dir. */
export async function listZones(cfg: Config, files: Pick<Files, 'list'>): Promise<{ zones: string[]; problems: string[] }> {
  if (cfg.zones) return { zones: cfg.zones, problems: [] };
  let names: string[];
  try {
    names = await files.list(cfg.baseDir);
  } catch (e) {
    throw new ConfigError(cfg.file, [`base_dir: ${(e as Error).message}`]);
  }
  const zones: string[] = [];
  const problems: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.base')).sort()) {
    const zone = name.slice(0, -'.base'.length);
    const problem = zoneNameProblem(zone) ?? zoneFileNameProblem(zone, cfg.zoneFile);
    if (problem) problems.push(`${printable(displayPath(cfg, join(cfg.baseDir, name)))}: ${problem}; rename the file to <zone>.base`);
    else zones.push(zone);
  }
  if (zones.length === 0 && problems.length === 0) {
    throw new ConfigError(cfg.file, [`base_dir: no *.base files in ${cfg.baseDir}; write one per zone, like example.com.base`]);
  }
  return { zones, problems };
}

/** No zones listed and no *.base file in base_dir yet (a fresh install): check says so and passes; a run refuses (listZones). */
export async function noZonesYet(cfg: Config, files: Pick<Files, 'list'>): Promise<boolean> {
  if (cfg.zones) return false;
  const names = await files.list(cfg.baseDir).catch(() => undefined); // unreadable: listZones says it
  return names !== undefined && !names.some((n) => n.endsWith('.base'));
}

/**
 * The zones the state remembers that are gone from base_dir (only when zones are found there,
 * not listed): `orphaned` still have a zone file, which the nameserver keeps serving and which
 * zonerw no longer touches; `retired` have none left either, and can be forgotten.
 */
export function goneZones(cfg: Config, files: Pick<Files, 'identity'>, listed: readonly string[], remembered: Iterable<string>): { orphaned: string[]; retired: string[] } {
  const orphaned: string[] = [];
  const retired: string[] = [];
  if (cfg.zones) return { orphaned, retired };
  const present = new Set(listed);
  for (const zone of [...remembered].sort()) {
    if (present.has(zone)) continue;
    let file: string | undefined;
    try {
      file = files.identity(zoneFilePath(cfg, zone));
    } catch {
      file = 'unreadable'; // there is something there: not retired
    }
    (file === undefined ? retired : orphaned).push(zone);
  }
  return { orphaned, retired };
}

/**
 * One zone as it stands. `unavailable` says why a marker has no value this config can give
 * (e.g. @IP6@ while a server lacks address6): a zone that uses it is a configuration problem.
 * `withInstalled` false: the zone file is not read (a run staging a publish it planned needs only the base).
 */
export async function loadZone(cfg: Config, files: Files, zone: string, markerValues: RenderedValues, unavailable: Record<string, string> = {}, withInstalled = true): Promise<ZoneLoad> {
  const baseFile = baseFilePath(cfg, zone);
  const zoneFile = zoneFilePath(cfg, zone);
  const shown = { base: displayPath(cfg, baseFile), file: displayPath(cfg, zoneFile) };
  // Identities first: an edit racing this read then shows up as a change on the next run.
  const identity = { base: files.identity(baseFile) ?? '', file: files.identity(zoneFile) };
  const base = await readBase(cfg, files, zone, baseFile, shown.base);
  if (!base.ok) return base;
  const parsed = parseBase(base.text, shown.base, zone, configGroups(cfg).map((g) => g.name));
  if (!parsed.ok) return { ok: false, zone, kind: 'base', problems: parsed.problems.map(formatProblem) };
  const signed = presignedProblems(base.text, shown.base);
  if (signed.length > 0) return { ok: false, zone, kind: 'base', problems: signed.map(formatProblem) };
  const { template } = parsed;
  const values = valuesUsed(template, markerValues);
  if ('lacking' in values) {
    const problems = values.lacking.map(({ marker, line }) => `${shown.base}:${line}: uses @${marker}@, but ${unavailable[marker] ?? 'zonerw has no value for it'}`);
    return { ok: false, zone, kind: 'config', problems };
  }
  const includeOptions = includeOptionsFor(cfg, files);
  const includes = await readIncludes(base.text, shown.base, includeOptions);
  if (includes.problems.length > 0) return { ok: false, zone, kind: 'base', problems: includes.problems };
  const { included } = includes;
  const rendered = fill(template, { ...values.used, [SERIAL]: NO_SERIAL });
  const input: ZoneInput = {
    zone, baseFile, zoneFile, shown, template, values: values.used, included,
    identity: { ...identity, included: includes.identities },
    baseHash: sha256(base.text),
    contentHash: included.length === 0 ? sha256(rendered) : sha256Of([rendered, ...includedParts(included)]),
    ...(included.length > 0 ? { includedHash: sha256Of(includedParts(included)) } : {}),
  };
  if (!withInstalled) return { ok: true, input };
  try {
    const installed = await readInstalled(zoneFile, files, input, includeOptions);
    if (installed) input.installed = installed;
  } catch (e) {
    return { ok: false, zone, kind: 'file', problems: [`${zone}: ${(e as Error).message}`] };
  }
  return { ok: true, input };
}

/** Where this config's nameserver reads included files from. */
function includeOptionsFor(cfg: Config, files: Files): IncludeOptions {
  return {
    files, folder: cfg.includeDir, fromIncludingFile: profile(cfg.nameserver.kind).includesFrom === 'including file',
    maxBytes: MAX_BASE_BYTES, encoding: ZONE_ENCODING, show: (p) => displayPath(cfg, p), cache: new Map(),
  };
}

/** The values of the markers a template uses, or the markers this config has no value for (with their first line). */
function valuesUsed(template: Template, markerValues: RenderedValues): { used: RenderedValues } | { lacking: { marker: string; line: number }[] } {
  const used: RenderedValues = {};
  const lacking: { marker: string; line: number }[] = [];
  for (const marker of inOrder(markersUsed(template), markerValues)) {
    const value = markerValues[marker];
    if (value !== undefined) used[marker] = value;
    else lacking.push({ marker, line: slotsOf(template, marker)[0]!.line });
  }
  return lacking.length > 0 ? { lacking } : { used };
}

/**
 * The address markers of `keys` in the order a zone's line names them: by group, in the order
 * the values have them (the config's: the default group first), then in the order of MARKERS.
 */
function inOrder(keys: Iterable<string>, markerValues: RenderedValues): string[] {
  const groups = [...new Set(Object.keys(markerValues).map(markerGroup))];
  const rank = (key: string) => groups.indexOf(markerGroup(key)) * MARKERS.length + MARKERS.indexOf(markerBase(key));
  return [...keys].filter((k) => k !== SERIAL).sort((a, b) => rank(a) - rank(b));
}

/** The zone file on disk, if there is one; what it includes is read (leniently) for its record count. */
async function readInstalled(zoneFile: string, files: Files, input: ZoneInput, o: IncludeOptions): Promise<ZoneInput['installed']> {
  const text = await files.read(zoneFile, ZONE_ENCODING);
  if (text === undefined) return undefined;
  const serial = readSoaSerial(text);
  const included = /\$INCLUDE/i.test(text) ? (await readIncludes(text, zoneFile, o)).included.map((f) => f.text) : [];
  return {
    text,
    hash: sha256(text),
    ...(serial !== undefined ? { serial } : {}),
    matchesRender: serial !== undefined && fill(input.template, { ...input.values, [SERIAL]: String(serial) }) === text,
    included,
  };
}

async function readBase(cfg: Config, files: Files, zone: string, baseFile: string, shown: string): Promise<{ ok: true; text: string } | Extract<ZoneLoad, { ok: false }>> {
  const refuse = (problem: string) => ({ ok: false as const, zone, kind: 'base' as const, problems: [`${shown}: ${problem}`] });
  let text: string | undefined;
  try {
    const size = (await files.size(baseFile)) ?? 0;
    if (size > MAX_BASE_BYTES) return refuse(`too large (${size} bytes; a base file may have at most ${MAX_BASE_BYTES})`);
    text = await files.read(baseFile, ZONE_ENCODING);
  } catch (e) {
    return refuse((e as Error).message.replace(`cannot read ${baseFile}: `, 'cannot read it: '));
  }
  if (text === undefined) return refuse(`missing (${cfg.zones ? 'zones lists' : 'expected for'} ${zone}); write it or remove the zone from zones`);
  return { ok: true, text };
}

/**
 * The steady run's shortcut: a zone whose base file, zone file and included files are, by
 * identity, the ones last seen, and whose marker values are unchanged, needs neither reading
 * nor rendering. (The included files can only change by an edit of one of them or of the base.)
 */
export function unchangedSinceLastRun(cfg: Config, files: Pick<Files, 'identity'>, zone: string, memory: ZoneMemory | undefined, values: RenderedValues): boolean {
  const inputs = memory?.inputs;
  if (!memory || !inputs?.included || !valuesStillHold(memory.values, values)) return false;
  if (files.identity(baseFilePath(cfg, zone)) !== inputs.base || files.identity(zoneFilePath(cfg, zone)) !== inputs.file) return false;
  return Object.entries(inputs.included).every(([path, identity]) => files.identity(path) === identity);
}
