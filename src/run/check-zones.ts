// `zonerw check`'s zone part: every zone read, rendered and run through the nameserver's own
// checker, then planned as the next run would plan it (against the state, with the servers the
// state last favoured) and judged by the same safety pass: check fails exactly where the next
// run would refuse, in the same words (core/zone-outcomes.ts, mood `check`).
import { configGroups, type Config } from '../config/types.js';
import { outcomeProblem, type Problem } from '../core/zone-outcomes.js';
import { planZones, renderZone, type ZoneSummary } from '../core/run-plan.js';
import { dateIn, dayStart } from '../core/serial.js';
import { emptyState, type State } from '../core/state.js';
import { groupMarkerValues } from '../core/values.js';
import { summariseZone } from '../core/zone-step.js';
import { notStaged, refusalOf } from './apply.js';
import { sha256 } from './hash.js';
import { loadZone } from './load.js';
import type { Deps } from './ports.js';
import { resignBeforeFor } from './sign.js';
import { inScratch, stageZone } from './stage.js';

export async function checkZones(cfg: Config, deps: Deps, zones: readonly string[], stateKnown: boolean): Promise<{ problems: Problem[]; checkers: Set<string> }> {
  const state = stateKnown ? await deps.peekState(cfg.stateDir).then((p) => p.state, () => emptyState()) : emptyState();
  const { values, unavailable } = valuesOf(cfg, state);
  const now = deps.now();
  const serial = dayStart(dateIn(now, cfg.timezone));
  const found = new Map<string, Problem[]>(zones.map((z) => [z, []]));
  const checkers = new Set<string>();
  const summaries: ZoneSummary[] = [];
  const scratch = await deps.files.scratch();
  try {
    for (const zone of zones) {
      const load = await loadZone(cfg, deps.files, zone, values, unavailable);
      if (!load.ok) {
        const kind = load.kind === 'config' ? 'config' : load.kind === 'file' ? 'failed' : 'baseFile';
        found.get(zone)!.push(...load.problems.map((line): Problem => ({ kind, line })));
        continue;
      }
      const { input } = load;
      summaries.push(summariseZone(input, { markerRecords: false, now, resignBeforeMs: resignBeforeFor(cfg, zone), countInstalled: state.zones[zone]?.records === undefined }));
      const staged = await stageZone({ zone, input, rendered: renderZone(input, serial, sha256) }, inScratch(scratch, cfg.includeDir), { ns: deps.nameserver, includeDir: cfg.includeDir, signer: deps.signer });
      if ('checker' in staged && staged.checker) checkers.add(staged.checker);
      if (!staged.ok) found.get(zone)!.push(outcomeProblem(notStaged(staged), 'check'));
    }
  } finally {
    await scratch.dispose();
  }
  const options = { force: false, onBaseChange: cfg.onBaseChange, today: dateIn(now, cfg.timezone), now, maxShrink: cfg.maxShrink };
  const { steps } = planZones(summaries, state, new Map(), options);
  // a refusal is said before its zone's checker verdict, as the run would meet them
  for (const s of steps) if (s.action === 'refuse') found.get(s.zone)!.unshift(outcomeProblem(refusalOf(s), 'check'));
  return { problems: [...found.values()].flat(), checkers };
}

/** Each group as the state last left it (its favoured server and pool), or its first server with all of them. */
function valuesOf(cfg: Config, state: State) {
  return groupMarkerValues(configGroups(cfg).map((g) => {
    const remembered = state.groups[g.name];
    const byName = (name: string | undefined) => g.servers.find((s) => s.name === name);
    const favoured = byName(remembered?.favoured?.server) ?? g.servers[0]!;
    const pool = remembered?.pool?.map(byName);
    return { name: g.name, servers: g.servers, favoured, pool: pool && pool.every((s) => s !== undefined) && pool.length > 0 ? pool.filter((s) => s !== undefined) : g.servers };
  }));
}
