// `zonerw check` asks DNS, not only the config: does the primary serve what is installed (a
// reload pending from the last run, a reload that loads nothing, a zone the nameserver loads from
// another file), does every installed zone carry the decision, and do the secondaries answer
// and keep up? Each problem one line with its fix. Steps of commands/check.ts, in a file of their own.
import { secondariesFor, type Config } from '../config/types.js';
import { describeDiffers, describeVerdict, favouredDiffers } from '../core/served.js';
import { askPrimary, expectedOf, secondaryReference } from './primary.js';
import type { Deps } from './ports.js';
import { displayPath, zoneFilePath } from './paths.js';
import { lookAtSecondaries } from './secondaries.js';
import { mapLimit } from './map-limit.js';
import { decidedValues } from './serving.js';

/** The state the last run left, or undefined when there is none to read (the state step says why). */
async function peek({ cfg, deps, folders }: DnsPreflight) {
  if (!folders.state) return undefined;
  return deps.peekState(cfg.stateDir).then((r) => r.state, () => undefined);
}

/** What these steps need of check's preflight. */
export interface DnsPreflight {
  cfg: Config;
  deps: Pick<Deps, 'peekState' | 'dns'>;
  problem(line: string, kind: 'config' | 'baseFile' | 'failed'): void;
  /** the control command is missing or does not answer: said already */
  noControl: boolean;
  folders: { state: boolean };
}

/**
 * Every zone the last runs installed: a reload still owed, a primary that does not serve the
 * installed file, an installed file that does not carry the favoured server (its publish was
 * refused or failed). Asked once each, no waiting.
 */
export async function installedServed(p: DnsPreflight): Promise<void> {
  const { cfg, deps, problem } = p;
  const state = await peek(p);
  if (!state) return;
  const decided = decidedValues(cfg, state);
  const at = cfg.nameserver.address;
  let silent = false; // nothing answers (said by primaryAnswers): not asked again for every zone
  const zones = Object.keys(state.zones).sort();
  const answers = await mapLimit(zones, 32, async (zone) => {
    if (!at || p.noControl || silent) return undefined;
    const asked = await askPrimary(cfg, deps.dns, zone, state.zones[zone]!);
    if (asked && !asked.answer.answered) silent = true;
    return asked;
  });
  for (const [i, zone] of zones.entries()) {
    const m = state.zones[zone]!;
    const file = displayPath(cfg, zoneFilePath(cfg, zone));
    const differ = favouredDiffers(m.values, decided);
    if (differ.length > 0) {
      problem(`${zone}: DNS does not serve the favoured server: the installed ${file} carries ${describeDiffers(differ)} (the favoured; its publish was refused or failed); fix what the last run said on stderr (the zone lines above say it too), then run zonerw`, 'failed');
    }
    const pending = m.pending.includes('reload') ? ` (a reload is pending from the last run, serial ${m.serial})` : '';
    const asked = answers[i];
    if (asked && !asked.verdict.current && asked.verdict.why !== 'no answer') {
      const advice = `check nameserver.control (does it reload?), the nameserver's log, that its config loads ${file} for ${zone}, and that its user can read it; the next run retries the reload`;
      problem(`${zone}: the primary ${at!.name} does not serve what is installed${pending}: it ${describeVerdict(asked.verdict, expectedOf(m))}; ${advice}`, 'failed');
    } else if (pending && !(asked?.verdict.current ?? false)) {
      problem(`${zone}: ${pending.slice(2, -1)}: the last run's reload failed or was not seen served; fix what it said on stderr (zonerw status shows the zone); the next run retries it`, 'failed');
    }
  }
}

/**
 * The secondaries of every installed zone: one that does not answer, or serves less than the
 * primary. A failure when strict_secondaries is set (a run would fail), else a warning.
 */
export async function secondariesKeepUp(p: DnsPreflight & { deps: Pick<Deps, 'log'> }): Promise<void> {
  const { cfg, deps } = p;
  const state = await peek(p);
  if (!state) return;
  const zones = Object.keys(state.zones).filter((z) => secondariesFor(cfg, z).length > 0).sort();
  if (zones.length === 0) return;
  const at = cfg.nameserver.address;
  const watch = await Promise.all(zones.map(async (zone) => {
    const m = state.zones[zone]!;
    const asked = at ? await askPrimary(cfg, deps.dns, zone, m) : undefined;
    // compared with what the primary serves: a primary behind is its own problem (primaryServes)
    const { serial, records } = secondaryReference(m, asked);
    return { zone, expected: { serial, records }, fresh: false };
  }));
  const views = await lookAtSecondaries(cfg, watch, deps.dns);
  for (const v of views) {
    if (v.current) continue;
    const expected = watch.find((w) => w.zone === v.zone)!.expected;
    const fix = v.served === undefined
      ? 'start it, or fix its address in secondaries'
      : `the next run sends the zone's NOTIFY again; if it stays behind, check that the primary allows it transfers (NSD provide-xfr, BIND allow-transfer, Knot acl) and notifies it, and the secondary's log`;
    const line = `${v.zone}: secondary ${v.secondary.name} ${v.verdict.current ? 'is current' : describeVerdict(v.verdict, expected)}; ${fix}`;
    if (cfg.strictSecondaries) p.problem(line, 'failed');
    else deps.log.err(`warning: ${line}`);
  }
}
