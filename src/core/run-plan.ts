// The run plan: the whole run as one value, computed from everything the run gathered before
// anything is done (octoDNS plans every zone before it applies anything; changesets' pure
// assembleReleasePlan). In: the groups' decisions, the state, each zone read (as a summary),
// the problems met while reading, the zones whose base file is gone, the serials seen served,
// the options and the clock. Out: the decision with its lines, each zone's step (a publish with
// its serial already above what is served), the safety verdicts, the retries owed, the history
// events and the new state (the hooks a run raises follow from what it did: src/run/report.ts). `zonerw` carries it out, `--dry-run` prints it
// (`--dry-run --json` as it is), `zonerw check` reads its zone steps and safety verdicts.
import { planDecision, type DecisionPlan } from './decision-plan.js';
import type { GroupDecided } from './groups.js';
import type { HistoryEvent } from './history.js';
import { describeGoneBase, describeRetired } from './messages.js';
import type { Problem } from './zone-outcomes.js';
import { judgeSafety, type SafetyOptions, type SafetyVerdict } from './safety.js';
import type { State } from './state.js';
import { planZoneStep, type Known, type ZoneStep, type ZoneStepOptions, type ZoneSummary } from './zone-step.js';
import type { PendingStep } from './zone-plan.js';

export { planDecision, type DecisionPlan, type GroupPlan } from './decision-plan.js';
export { renderZone, rememberValidation, type IncludedFile, type InputIdentity, type PublishPlan, type Rendered, type ZoneInput, type ZoneIntent, type ZoneStep, type ZoneSummary } from './zone-step.js';

/** A zone whose base file is gone, with its paths as shown. */
export interface GoneZone {
  zone: string;
  shown: { base: string; file: string };
}

export interface RunInputs {
  decided: readonly GroupDecided[];
  state: State;
  /** the zones this run read, in order (the others are unchanged since the last run) */
  zones: readonly ZoneSummary[];
  /** what went wrong while gathering (a base file that cannot be used, a zone file unreadable), in order */
  problems: readonly Problem[];
  /** what the gathering found worth knowing, needing no action (a secondary ahead of the primary) */
  warnings: readonly string[];
  /** `orphaned`: the base file is gone, the zone file still served; `retired`: both are gone */
  gone: { orphaned: readonly GoneZone[]; retired: readonly GoneZone[] };
  /** the highest serial seen served, per zone (asked for the zones that may publish) */
  served: ReadonlyMap<string, number>;
  options: ZoneStepOptions & SafetyOptions;
}

export interface RunPlan {
  decision: DecisionPlan;
  /** each zone read: its step (publish, refuse, keep, wait) */
  zones: ZoneStep[];
  /** the publishes the safety pass refused, and why (also in `zones` as refusals) */
  safety: SafetyVerdict[];
  /** everything wrong but the refusals, in the order met: each is said once */
  problems: Problem[];
  /** warnings: said unless --quiet, recorded in the history as warnings */
  warnings: string[];
  /** output lines of the zones kept or waiting, in order */
  say: string[];
  /** -v lines of the zones */
  trace: string[];
  /** zones retired (base file and zone file gone): forgotten, each with its line */
  retired: { zone: string; line: string }[];
  /** reloads and NOTIFYs owed by earlier runs, for zones this run does not publish */
  retries: { zone: string; steps: PendingStep[] }[];
  events: HistoryEvent[];
  /** the state from now on (before the installs: their intents and outcomes are recorded as they happen) */
  state: State;
}

export function planRun(input: RunInputs): RunPlan {
  const { state, options } = input;
  const decision = planDecision(input.decided, state, options.now);
  const problems: Problem[] = decision.networkDown ? [{ kind: 'failed', line: decision.networkDown }] : [];
  problems.push(...input.problems, ...input.gone.orphaned.map((g): Problem => ({ kind: 'baseFile', line: describeGoneBase(g.zone, g.shown) })));
  const { steps, verdicts } = planZones(input.zones, state, input.served, options);
  const next = nextState(state, decision, steps, input.gone.retired);
  return {
    decision,
    zones: steps,
    safety: verdicts,
    problems,
    warnings: [...input.warnings],
    say: steps.flatMap((s) => ((s.action === 'keep' || s.action === 'wait') && s.say ? [s.say] : [])),
    trace: steps.flatMap((s) => (s.action === 'keep' && s.trace ? [s.trace] : [])),
    retired: input.gone.retired.map((g) => ({ zone: g.zone, line: describeRetired(g.zone, g.shown) })),
    retries: retriesOf(next, new Set(steps.flatMap((s) => (s.action === 'publish' || s.action === 'refuse' ? [s.zone] : [])))),
    events: decision.events,
    state: next,
  };
}

/** Each zone's step, then the safety pass over them: the run's zone part, which `zonerw check` reads too. */
export function planZones(zones: readonly ZoneSummary[], state: State, served: ReadonlyMap<string, number>, options: ZoneStepOptions & SafetyOptions): { steps: ZoneStep[]; verdicts: SafetyVerdict[] } {
  return judgeSafety(zones.map((s) => planZoneStep(s, knownOf(state, s.zone, served), options)), options);
}

/** What the state knows of a zone for planning, and the serial seen served. */
export function knownOf(state: State, zone: string, served: ReadonlyMap<string, number>): Known {
  return { memory: state.zones[zone], intent: state.intents[zone], served: served.get(zone) };
}

/** The state after the plan: the decision's health, each zone's memory as planned, the retired zones forgotten. */
function nextState(state: State, decision: DecisionPlan, steps: readonly ZoneStep[], retired: readonly GoneZone[]): State {
  const zones = { ...state.zones };
  const intents = { ...state.intents };
  for (const { zone } of retired) {
    delete zones[zone];
    delete intents[zone];
  }
  for (const step of steps) if (step.remember) zones[step.zone] = step.remember;
  return { ...state, servers: decision.health.servers, groups: decision.health.groups, zones, intents };
}

function retriesOf(state: State, publishing: ReadonlySet<string>): RunPlan['retries'] {
  return Object.entries(state.zones).flatMap(([zone, m]) => (m.pending.length > 0 && !publishing.has(zone) ? [{ zone, steps: [...m.pending] }] : []));
}
