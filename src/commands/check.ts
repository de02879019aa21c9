// `zonerw check`: would a real run succeed? A preflight, in the order a run meets things: the
// config (already loaded by the CLI) and its control command; the folders (base_dir, zone_dir,
// state_dir exist, are distinct, and zonerw may write where it writes); the state and history
// files; every base file, each zone rendered and run through the nameserver's own checker, and
// each installed zone file replaceable keeping its owner; the nameserver answering its control
// command. Every problem at once, each one line with its fix; exit 0 only when a run would get
// through. It changes nothing: no lock, no state, no zone_dir write (rights are asked, not tried).
import { dirname, join } from 'node:path';
import type { Config } from '../config/types.js';
import { describeGoneBase, quoteArg } from '../core/messages.js';
import { describeFailure } from '../core/outcome.js';
import { ConfigError, Trouble, type ExitCode } from '../errors.js';
import { checkZones } from '../run/check-zones.js';
import { goneZones, listZones, noZonesYet } from '../run/load.js';
import { displayPath, shownPaths, zoneFilePath } from '../run/paths.js';
import { missingChecker } from '../run/checker.js';
import { refuseSameFolders } from '../run/folders.js';
import type { Deps } from '../run/ports.js';
import { signaturesOutlastResign } from '../run/signer-validity.js';
import { servedDnssecHolds } from '../run/check-dnssec.js';
import { vantagesAnswer } from './check-vantages.js';
import { installedServed, secondariesKeepUp } from '../run/preflight-served.js';
import { nameserverCanRead, noneWithNameserverRunning, writableUnderUnit } from '../run/preflight-system.js';
import { warnLongTtls } from '../run/ttl-told.js';

/** What the steps found, and what they leave for the steps after them. */
interface Preflight {
  cfg: Config;
  deps: Deps;
  trouble: Trouble;
  /** one line with its fix, on stderr */
  problem(line: string, kind: 'config' | 'baseFile' | 'failed'): void;
  /** set by the folder step: which folders exist */
  folders: { base: boolean; zone: boolean; state: boolean };
  /** the control command is not installed, or does not answer (said once: the nameserver is not there) */
  noControl: boolean;
  /** base_dir listed once for the steps that need it (a rejection: no *.base files, base_dir unreadable) */
  listing(): ReturnType<typeof listZones>;
  zones: string[];
  checkers: Set<string>;
}

/** The steps, in the order a run meets what they check. */
const STEPS: ((p: Preflight) => Promise<void>)[] = [controlInstalled, checkerInstalled, folders, stateFiles, zonesRenderAndValidate, warnLongTtls, signaturesOutlastResign, zoneFilesReplaceable, nameserverAnswers, primaryAnswers, vantagesAnswer,
  noneWithNameserverRunning, writableUnderUnit, nameserverCanRead, installedServed, secondariesKeepUp, servedDnssecHolds];

export async function check(cfg: Config, _opts: Record<string, never>, deps: Deps): Promise<ExitCode> {
  const trouble = new Trouble();
  let listed: ReturnType<typeof listZones> | undefined;
  const p: Preflight = {
    cfg, deps, trouble,
    problem(line, kind) {
      deps.log.err(line);
      trouble[kind] = true;
    },
    folders: { base: true, zone: true, state: true },
    noControl: false,
    listing: () => (listed ??= listZones(cfg, deps.files)),
    zones: [],
    checkers: new Set(),
  };
  for (const step of STEPS) await step(p);
  const code = trouble.exitCode();
  if (code === 0) {
    const how = p.checkers.size > 0 ? `validated with ${[...p.checkers].join(' and ')}` : notValidatedWhy(cfg);
    const groups = cfg.groups ? ` in ${cfg.groups.length} group${cfg.groups.length === 1 ? '' : 's'}` : '';
    const zones = p.zones.length === 0 ? 'no zones yet' : `${p.zones.length} zone${p.zones.length === 1 ? '' : 's'} (${how})`;
    deps.log.out(`ok: ${displayPath(cfg, cfg.file)}: ${cfg.servers.length} server${cfg.servers.length === 1 ? '' : 's'}${groups}, ${zones}`);
  }
  return code;
}

async function controlInstalled(p: Preflight): Promise<void> {
  const { cfg, deps, problem } = p;
  const control = cfg.nameserver.control[0];
  if (cfg.nameserver.kind !== 'none' && control !== undefined && !(await deps.findProgram(control))) {
    p.noControl = true;
    const where = control.includes('/') ? 'no such program, or it cannot be run' : 'not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin';
    problem(`nameserver.control: ${control} is not installed (${where}); install it, or give its full path`, 'config');
  }
}

/** checkzone = "auto" without a checker would install zones unvalidated: not "ok". */
async function checkerInstalled(p: Preflight): Promise<void> {
  const noChecker = await missingChecker(p.cfg.nameserver, p.deps.findProgram);
  if (noChecker) p.problem(noChecker, 'failed');
}

/** The folders exist (zone_dir is the nameserver's: never created), are three, and zonerw may write in zone_dir and state_dir. */
async function folders(p: Preflight): Promise<void> {
  const { cfg, deps, problem } = p;
  try {
    await refuseSameFolders(cfg, deps.files);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const line of e.problems) problem(line, 'config');
  }
  const exists = async (dir: string) => (await deps.files.folderId(dir).catch(() => undefined)) !== undefined; // unreadable: said above
  p.folders = { base: await exists(cfg.baseDir), zone: await exists(cfg.zoneDir), state: await exists(cfg.stateDir) };
  if (p.folders.zone) {
    const zoneDir = await deps.files.writable(cfg.zoneDir);
    if (zoneDir) problem(`zone_dir: ${zoneDir}`, 'failed');
  }
  // A state_dir that does not exist yet is made by the first run: its parent must allow it.
  const stateDir = await deps.files.writable(cfg.stateDir);
  if (stateDir) problem(`state_dir: ${stateDir}`, 'failed');
  // its files are then out of reach for the same reason: said once, with the one fix, not again for each
  if (stateDir) p.folders.state = false;
}

/** state.json readable and replaceable, the history appendable, a leftover lock removable, the metrics file writable. */
async function stateFiles(p: Preflight): Promise<void> {
  const { cfg, deps, problem } = p;
  const { files } = deps;
  if (!p.folders.state) return; // a first run makes it, empty
  try {
    const peeked = await deps.peekState(cfg.stateDir);
    if (peeked.refused) problem(`state_dir: ${join(cfg.stateDir, 'state.json')}: ${peeked.problem}: every run refuses it; upgrade zonerw, or move the file away to start afresh`, 'failed');
    // A zone whose base file was deleted is said by every run (exit 65).
    if (p.folders.base) {
      const listed = await p.listing().then((l) => l.zones, () => undefined);
      for (const zone of listed ? goneZones(cfg, files, listed, Object.keys(peeked.state.zones)).orphaned : []) {
        problem(describeGoneBase(zone, shownPaths(cfg, zone)), 'baseFile');
      }
    }
  } catch (e) {
    problem(`state_dir: ${(e as Error).message}`, 'failed');
  }
  const stateJson = await files.replaceable(join(cfg.stateDir, 'state.json'));
  if (stateJson) problem(`state_dir: ${stateJson}`, 'failed');
  for (const name of ['history.jsonl', 'zonerw.lock']) {
    const path = join(cfg.stateDir, name);
    if ((await files.size(path)) === undefined && (await files.folderId(path)) === undefined) continue;
    const why = await files.writable(path);
    if (why) problem(`state_dir: ${why}`, 'failed');
  }
  if (cfg.metricsFile) {
    const folder = dirname(cfg.metricsFile);
    const why = (await files.folderId(folder)) === undefined
      ? `${folder} does not exist; create it, or fix metrics_file`
      : ((await files.writable(folder)) ?? (await files.replaceable(cfg.metricsFile)));
    if (why) problem(`metrics_file: ${why}`, 'failed');
  }
}

/** Each zone rendered, validated, and planned as the next run would (src/run/check-zones.ts): its refusals are check's failures. */
async function zonesRenderAndValidate(p: Preflight): Promise<void> {
  if (!p.folders.base) return; // said by the folder step
  if (await noZonesYet(p.cfg, p.deps.files)) {
    // a fresh install: nothing wrong yet, nothing to publish either (a run exits 78 until then)
    p.deps.log.err(`warning: no zones yet: put one <zone>.base file per zone in ${p.cfg.baseDir} (like example.com.base); until then a run exits 78`);
    return;
  }
  const { zones, problems } = await p.listing();
  p.zones = zones;
  for (const line of problems) p.problem(line, 'baseFile');
  const found = await checkZones(p.cfg, p.deps, zones, p.folders.state);
  for (const { line, kind } of found.problems) if (kind !== 'reported') p.problem(line, kind);
  for (const c of found.checkers) p.checkers.add(c);
}

/** zonerw replaces a zone file keeping its owner and mode: as another user than root, only its own files. */
async function zoneFilesReplaceable(p: Preflight): Promise<void> {
  if (!p.folders.zone) return;
  for (const zone of p.zones) {
    const why = await p.deps.files.replaceable(zoneFilePath(p.cfg, zone));
    if (why) p.problem(`${zone}: ${why}`, 'failed');
  }
}

/** The control command answers (nsd-control status, rndc status, knotc status): else every publish ends with a failed reload. */
async function nameserverAnswers(p: Preflight): Promise<void> {
  const { deps, noControl, problem } = p;
  if (noControl) return; // said by the first step
  const status = await deps.nameserver.status();
  if (!status || status.result.ok) return;
  const { argv, result: r } = status;
  p.noControl = true;
  const hinted = /\(running as /.test(r.stderr);
  problem(
    `nameserver.control: ${argv.map(quoteArg).join(' ')} ${describeFailure(r)}` +
      (hinted ? '' : '; start the nameserver, or fix nameserver.control: a run installs zone files but cannot reload them until this answers'),
    'failed',
  );
}

/**
 * Something answers DNS at [nameserver] address: else no publish is ever confirmed as served (a
 * zone counts as served only when the primary is found serving it), and every run exits 1. Asked for the first zone's SOA; a
 * zone it does not serve yet (REFUSED, SERVFAIL before the first publish) still proves it listens.
 */
async function primaryAnswers({ cfg, deps, zones, noControl, problem }: Preflight): Promise<void> {
  const at = cfg.nameserver.address;
  // a nameserver whose control command is missing or does not answer is said once, above
  if (!at || zones.length === 0 || noControl) return;
  const answer = await deps.dns(at.host, at.port, zones[0]!, [], 1_000);
  if (answer.answered) return;
  problem(`nameserver.address: nothing answers DNS at ${at.name} (${answer.problem ?? 'no answer'}); set nameserver.address to where the nameserver listens ("HOST:PORT"), or to false if zonerw cannot query it`, 'failed');
}

/** Why `check` validated no zone: validation turned off, no checker for kind "none", or none installed. */
function notValidatedWhy(cfg: Config): string {
  if (cfg.nameserver.checkzone === 'never') return 'validation off (checkzone = "never")';
  if (cfg.nameserver.kind === 'none') return 'no zone checker for kind = "none": not validated';
  return 'no zone checker installed: not validated';
}
