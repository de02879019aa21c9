// Every change a run makes to its state, in one place: the steps compute, these record.
import type { DecisionPlan, InputIdentity, ZoneStep } from '../core/run-plan.js';
import type { PendingStep, ZoneMemory } from '../core/zone-plan.js';
import type { State } from '../core/state.js';

/** Every group's decision (a group no longer configured is forgotten), and the servers'. */
export function rememberDecision(state: State, plan: DecisionPlan): void {
  state.servers = plan.health.servers;
  state.groups = plan.health.groups;
}

/** What the plan says the state holds for a zone from now on (a settled intent, an adopted file). */
export function rememberPlanned(state: State, step: ZoneStep): void {
  if (step.remember) state.zones[step.zone] = step.remember;
}

/** This run's intents replace any earlier ones (those were settled while planning). */
export function recordIntents(state: State, intents: readonly { zone: string; intent: ZoneMemory }[]): void {
  state.intents = {};
  for (const { zone, intent } of intents) state.intents[zone] = intent;
}

/** An installed zone: its intent becomes its memory, with the identities of its files. */
export function rememberInstalled(state: State, zone: string, identity: InputIdentity): void {
  const { base, file, included } = identity;
  state.zones[zone] = { ...state.intents[zone]!, ...(file !== undefined ? { inputs: { base, file, included } } : {}) };
  delete state.intents[zone];
}

export function forgetIntents(state: State): void {
  state.intents = {};
}

/** A nameserver step done for these zones: no longer owed. */
export function rememberDone(state: State, zones: Iterable<string>, step: PendingStep): void {
  for (const z of zones) state.zones[z]!.pending = state.zones[z]!.pending.filter((p) => p !== step);
}

/** What the secondaries served for a zone: who is behind (asked again next run), and which serials. */
export function rememberSecondaries(state: State, zone: string, lagging: readonly string[], served: ReadonlyMap<string, number>): void {
  const m = state.zones[zone]!;
  if (lagging.length > 0) m.lagging = [...lagging];
  else delete m.lagging;
  for (const [name, serial] of served) (m.served ??= {})[name] = serial;
}

/** A retired zone (its base file and zone file both gone): nothing more to remember of it. */
export function forgetZone(state: State, zone: string): void {
  delete state.zones[zone];
  delete state.intents[zone];
}

export function rememberSuccess(state: State, now: number): void {
  state.lastSuccess = now;
}

/** The primary serves the zone's publish: the serial it serves (a signer's may be above zonerw's). */
export function rememberPrimary(state: State, zone: string, serial: number): void {
  state.zones[zone]!.primarySerial = serial;
}
