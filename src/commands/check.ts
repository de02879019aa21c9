// `zonerw check`: is everything in order? Validates the config (already loaded by the CLI),
// every base file, and each zone rendered and run through the nameserver's own checker, and
// reports every problem at once. It touches nothing: no lock, no state, no zone_dir.
import { configGroups, type Config } from '../config/types.js';
import { describeUnfinished } from '../core/messages.js';
import { shrinkProblem } from '../core/records.js';
import { renderZone } from '../core/run-plan.js';
import { dateIn, dayStart } from '../core/serial.js';
import { groupMarkerValues } from '../core/values.js';
import { Trouble, type ExitCode } from '../errors.js';
import { countLoadFailure, displayPath, listZones, loadZone, sha256 } from '../run/load.js';
import { missingChecker } from '../run/checker.js';
import type { Deps } from '../run/ports.js';
import { checkerName, inScratch, stageZone } from '../run/stage.js';

export async function check(cfg: Config, _opts: Record<string, never>, deps: Deps): Promise<ExitCode> {
  const { log } = deps;
  const trouble = new Trouble();
  const control = cfg.nameserver.control[0];
  if (cfg.nameserver.kind !== 'none' && control !== undefined && !(await deps.findProgram(control))) {
    const where = control.includes('/') ? 'no such program, or it cannot be run' : 'not on PATH, nor in /usr/local/sbin, /usr/sbin, /sbin';
    log.err(`nameserver.control: ${control} is not installed (${where}); install it, or give its full path`);
    trouble.config = true;
  }
  // checkzone = "auto" without a checker would install zones unvalidated: not "ok"
  const noChecker = await missingChecker(cfg.nameserver, deps.findProgram);
  if (noChecker) {
    log.err(noChecker);
    trouble.failed = true;
  }
  const { zones, problems } = await listZones(cfg, deps.files);
  for (const p of problems) log.err(p);
  if (problems.length > 0) trouble.baseFile = true;
  const checkers = await checkZones(cfg, deps, zones, trouble);
  const code = trouble.exitCode();
  if (code === 0) {
    const how = checkers.size > 0 ? `validated with ${[...checkers].join(' and ')}` : 'no zone checker installed: not validated';
    const groups = cfg.groups ? ` in ${cfg.groups.length} group${cfg.groups.length === 1 ? '' : 's'}` : '';
    log.out(`ok: ${displayPath(cfg, cfg.file)}: ${cfg.servers.length} server${cfg.servers.length === 1 ? '' : 's'}${groups}, ${zones.length} zone${zones.length === 1 ? '' : 's'} (${how})`);
  }
  return code;
}

/** Each zone rendered as each group's first server would be published, with every server of the group in the round robin. */
async function checkZones(cfg: Config, deps: Deps, zones: readonly string[], trouble: Trouble): Promise<Set<string>> {
  const { log } = deps;
  const { values, unavailable } = groupMarkerValues(configGroups(cfg).map((g) => ({ name: g.name, servers: g.servers, favoured: g.servers[0]!, pool: g.servers })));
  const serial = dayStart(dateIn(deps.now(), cfg.timezone));
  const checkers = new Set<string>();
  const scratch = await deps.files.scratch();
  try {
    for (const zone of zones) {
      const load = await loadZone(cfg, deps.files, zone, values, unavailable);
      if (!load.ok) {
        for (const p of load.problems) log.err(p);
        countLoadFailure(trouble, load.kind);
        continue;
      }
      const { input } = load;
      const rendered = renderZone(input, serial, sha256);
      const empty = shrinkProblem(rendered, undefined, 1);
      if (empty) {
        log.err(`${input.shown.base}: ${empty}`);
        trouble.failed = true;
      }
      const staged = await stageZone({ zone, input, rendered }, inScratch(scratch, cfg.includeDir), { ns: deps.nameserver, includeDir: cfg.includeDir, signer: deps.signer });
      if ('checker' in staged && staged.checker) checkers.add(staged.checker);
      if (!staged.ok) {
        log.err(
          staged.refusal === 'write' ? `${zone}: ${staged.message}`
          : staged.refusal === 'unfinished' ? `${zone}: ${describeUnfinished(staged.checker, staged.reason)}; not validated`
          : `${zone}: refused by ${checkerName(staged)}: ${staged.words}`,
        );
        trouble.failed = true;
      }
    }
  } finally {
    await scratch.dispose();
  }
  return checkers;
}
