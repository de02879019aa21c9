// `zonerw check`: is everything in order? Validates the config (already loaded by the CLI),
// every base file, and each zone rendered and run through the nameserver's own checker, and
// reports every problem at once. It touches nothing: no lock, no state, no zone_dir.
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Config } from './config.js';
import { fillWithLineMap } from './core/markers.js';
import { countRecords, shrinkProblem } from './core/records.js';
import { dateIn, dayStart } from './core/serial.js';
import { EXIT, type ExitCode } from './errors.js';
import type { Nameserver } from './adapters/nameserver.js';
import type { Log } from './run-types.js';
import { pointAtBase } from './messages.js';
import { displayPath, listZones, loadZone, markerValues, SERIAL, ZONE_ENCODING } from './zones.js';

export async function verify(cfg: Config, deps: { nameserver: Nameserver; log: Log; now: number; path: string }): Promise<ExitCode> {
  const { log } = deps;
  let config = false;
  let base = false;
  let failed = false;

  if (cfg.nameserver.kind !== 'none' && !(await findProgram(cfg.nameserver.control[0]!, deps.path))) {
    log.err(`nameserver.control: ${cfg.nameserver.control[0]} is not installed or not on PATH; install it, or give its full path`);
    config = true;
  }
  const { zones, problems } = await listZones(cfg);
  for (const p of problems) log.err(p);
  if (problems.length > 0) base = true;

  // Render as the first server would be published, with every server in the round robin.
  const { values, unavailable } = markerValues(cfg.servers, cfg.servers[0]!, cfg.servers);
  const serial = String(dayStart(dateIn(deps.now, cfg.timezone)));
  const scratch = await mkdtemp(join(tmpdir(), 'zonerw-check-'));
  const checkers = new Set<string>();
  try {
    for (const zone of zones) {
      const load = await loadZone(cfg, zone, values, unavailable);
      if (!load.ok) {
        for (const p of load.problems) log.err(p);
        if (load.kind === 'config') config = true;
        else base = true;
        continue;
      }
      const { text, baseLine } = fillWithLineMap(load.input.template, { ...load.input.values, [SERIAL]: serial });
      const shown = displayPath(cfg, load.input.baseFile);
      const empty = shrinkProblem(countRecords(text), undefined, 1);
      if (empty) {
        log.err(`${shown}: ${empty}`);
        failed = true;
      }
      const file = join(scratch, zone);
      await writeFile(file, text, ZONE_ENCODING);
      const check = await deps.nameserver.checkzone(zone, file);
      if (check.checker) checkers.add(check.checker);
      if (!check.ok) {
        log.err(`${zone}: refused by ${check.checker ?? 'the zone check'}: ${pointAtBase(check.message ?? '', file, shown, baseLine)}`);
        failed = true;
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (!config && !base && !failed) {
    const how = checkers.size > 0 ? `validated with ${[...checkers].join(' and ')}` : 'no zone checker installed: not validated';
    log.out(`ok: ${displayPath(cfg, cfg.file)}: ${cfg.servers.length} server${cfg.servers.length === 1 ? '' : 's'}, ${zones.length} zone${zones.length === 1 ? '' : 's'} (${how})`);
  }
  return config ? EXIT.config : base ? EXIT.data : failed ? EXIT.failed : EXIT.ok;
}

async function findProgram(name: string, path: string): Promise<boolean> {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const c of candidates) {
    if (await access(c, constants.X_OK).then(() => true, () => false)) return true;
  }
  return false;
}
