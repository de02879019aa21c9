// What zonerw trusts before it acts (README "Trust"): first the config file and its folders,
// before its content is used; then, for a run and for `zonerw check`, everything the config
// makes zonerw run or read as instructions: the nameserver's control command, the zone checker,
// the signer and its verifier, every hook (its program, and the script an interpreter reads),
// base_dir, the base files and what they $INCLUDE, the `ca` files, zone_dir, state_dir and
// state.json. Any of them another user could change: exit 78 listing each, and nothing runs.
import { dirname, join } from 'node:path';
import type { Config } from '../config/types.js';
import { VERIFIERS } from '../core/dnssec.js';
import { profile } from '../core/nameserver.js';
import { HOOK_PATH } from '../core/trust.js';
import { EXIT, ZonerwError } from '../errors.js';
import { readIncludes } from './includes.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import { MAX_BASE_BYTES } from './load.js';
import { mapLimit } from './map-limit.js';
import { baseFilePath, displayPath } from './paths.js';
import type { Files, Trust } from './ports.js';

/** The user and group each nameserver runs as on Debian (nsd, bind, knot packages). */
const NAMESERVER_USER = { nsd: 'nsd', bind: 'bind', knot: 'knot' } as const;

/** Paths another user could change: each one line with its fix; exit 78. */
export class UntrustedError extends ZonerwError {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'), EXIT.config);
  }
}

/** The config file and every folder above it: checked before the file is read. */
export async function refuseUntrustedConfig(file: string, trust: Trust): Promise<void> {
  const problems = await trust.path(file, 'the config file');
  if (problems.length > 0) throw new UntrustedError(problems);
}

type Reader = Pick<Files, 'list' | 'read' | 'size' | 'identity'>;

/** Everything a run would execute or read as instructions; `searchPath`: zonerw's own PATH. */
/**
 * What the last run read of each zone (the state's `inputs`): a base file whose identity (size,
 * inode, ctime, mtime) is the one remembered, and whose included files are too, includes what it
 * included then, so a steady run judges those files without reading 1,000 base files again. A
 * chmod or chown changes the ctime: such a file is read again.
 */
export type RememberedInputs = (zone: string) => { base: string; included?: Record<string, string> } | undefined;

export async function refuseUntrustedRun(cfg: Config, trust: Trust, files: Reader, searchPath: string, remembered: RememberedInputs = () => undefined): Promise<void> {
  const problems = [...(await programProblems(cfg, trust, searchPath)), ...(await dataProblems(cfg, trust, files, remembered))];
  // one line per path: the first thing that reached it says it
  const byPath = new Map<string, string>();
  for (const line of problems) {
    const path = line.slice(0, line.indexOf(': '));
    if (!byPath.has(path)) byPath.set(path, line);
  }
  if (byPath.size > 0) throw new UntrustedError([...byPath.values()]);
}

async function programProblems(cfg: Config, trust: Trust, searchPath: string): Promise<string[]> {
  // a relative program path is run from where zonerw was started; a hook's from the config's folder
  const cwd = dirname(cfg.file);
  const own = { searchPath, cwd: process.cwd() };
  const problems: string[] = [];
  const { nameserver: ns, dnssec } = cfg;
  if (ns.kind !== 'none') problems.push(...(await trust.program(ns.control, 'nameserver.control', own)).problems);
  // the first checker found is the one that runs
  if (ns.checkzone !== 'never') problems.push(...(await firstFound(trust, profile(ns.kind).checkers.map((c) => c.program), 'the zone checker', own)));
  if (dnssec) {
    problems.push(...(await trust.program(dnssec.sign, 'dnssec.sign', own)).problems);
    problems.push(...(await firstFound(trust, VERIFIERS, 'the DNSSEC verifier', own)));
  }
  for (const [i, hook] of cfg.hooks.entries()) {
    problems.push(...(await trust.program(hook.run, `hook[${i}].run`, { searchPath: HOOK_PATH, cwd })).problems);
  }
  return problems;
}

async function firstFound(trust: Trust, names: readonly string[], what: string, opts: { searchPath: string; cwd: string }): Promise<string[]> {
  for (const name of names) {
    const found = await trust.program([name], what, opts);
    if (found.file !== undefined) return found.problems;
  }
  return [];
}

/** base_dir, the base files, what they include, the `ca` files; zone_dir (its group may write: BIND) and state_dir. */
async function dataProblems(cfg: Config, trust: Trust, files: Reader, remembered: RememberedInputs): Promise<string[]> {
  // zone_dir and what the zones include are the nameserver's too (core/trust.ts Also)
  const ns = cfg.nameserver.kind !== 'none' ? { nameserver: NAMESERVER_USER[cfg.nameserver.kind] } : {};
  const problems = [
    ...(await trust.path(cfg.baseDir, 'base_dir')),
    ...(await trust.path(cfg.zoneDir, 'zone_dir', ns)),
    ...(await trust.path(cfg.stateDir, 'state_dir')),
    // the state decides too: pins, the favoured server, the serials
    ...(await trust.path(join(cfg.stateDir, 'state.json'), 'the state file')),
  ];
  const cas = [...cfg.servers.map((s) => s.check?.caFile), ...cfg.reference.map((r) => r.caFile)].filter((f): f is string => f !== undefined);
  for (const ca of new Set(cas)) problems.push(...(await trust.path(ca, 'a check\'s ca file')));
  const zones = cfg.zones ?? (await files.list(cfg.baseDir).catch(() => [])).filter((n) => n.endsWith('.base')).map((n) => n.slice(0, -'.base'.length));
  const cache = new Map<string, string>();
  // zones judged 32 at a time (a steady run of 1,000 zones judges 1,000 base files), said in zone order
  const byZone = await mapLimit(zones, 32, async (zone) => {
    const base = baseFilePath(cfg, zone);
    // base_dir and the folders above it were judged above: each base file is judged alone
    const baseProblems = dirname(base) === cfg.baseDir ? await trust.entry(base, 'a base file') : await trust.path(base, 'a base file');
    if (baseProblems.length > 0) return baseProblems;
    const before = remembered(zone);
    // the included files unchanged too: an included file that now includes another is read again
    const unchanged = (b: NonNullable<typeof before>) => b.base === files.identity(base) && Object.entries(b.included ?? {}).every(([path, id]) => files.identity(path) === id);
    if (before !== undefined && unchanged(before)) {
      const found: string[] = [];
      for (const path of Object.keys(before.included ?? {})) found.push(...(await trust.path(path, `a file ${displayPath(cfg, base)} includes`, ns)));
      return found;
    }
    const text = await files.read(base, ZONE_ENCODING).catch(() => undefined);
    if (text === undefined || !/\$INCLUDE/i.test(text)) return [];
    const { included } = await readIncludes(text, displayPath(cfg, base), {
      files, folder: cfg.includeDir, fromIncludingFile: profile(cfg.nameserver.kind).includesFrom === 'including file',
      maxBytes: MAX_BASE_BYTES, encoding: ZONE_ENCODING, show: (p) => displayPath(cfg, p), cache,
    });
    const found: string[] = [];
    for (const f of included) found.push(...(await trust.path(f.path, `a file ${displayPath(cfg, base)} includes`, ns)));
    return found;
  });
  return [...problems, ...byZone.flat()];
}
