// The state after the plan: the plan computes the new state as a value (core/run-plan.ts:
// the decision, each zone's memory, the retired zones forgotten); these record what carrying it
// out observed (intents before the installs, each install, the reloads and NOTIFYs done, what the
// primary and the secondaries serve, a successful run). And the one writer of the state file:
// the run and `zonerw pin` save through writeState, nothing else calls saveState.
import type { InputIdentity } from '../core/run-plan.js';
import type { PendingStep, ZoneMemory } from '../core/zone-plan.js';
import type { State } from '../core/state.js';
import type { Deps } from './ports.js';

/** The one place the state file is written (atomically, by the state port). */
export async function writeState(deps: Pick<Deps, 'saveState'>, stateDir: string, state: State): Promise<void> {
  await deps.saveState(stateDir, state);
}

// Each records into the run's own copy (ctx.state, the plan's new state): a zone's memory is
// replaced, never changed in place, so the state as loaded and the plan stay as they were.

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
  for (const z of zones) state.zones[z] = { ...state.zones[z]!, pending: state.zones[z]!.pending.filter((p) => p !== step) };
}

/** What the secondaries served for a zone: who is behind (asked again next run), and which serials. */
export function rememberSecondaries(state: State, zone: string, lagging: readonly string[], served: ReadonlyMap<string, number>): void {
  const { lagging: _, ...m } = state.zones[zone]!;
  const seen = served.size > 0 ? { served: { ...m.served, ...Object.fromEntries(served) } } : {};
  state.zones[zone] = { ...m, ...(lagging.length > 0 ? { lagging: [...lagging] } : {}), ...seen };
}

export function rememberSuccess(state: State, now: number): void {
  state.lastSuccess = now;
}

/** The primary serves the zone's publish: the serial it serves (a signer's may be above zonerw's), and when it was seen. */
export function rememberPrimary(state: State, zone: string, serial: number, at: number): void {
  const { primarySilent: _, ...m } = state.zones[zone]!;
  state.zones[zone] = { ...m, primarySerial: serial, primarySeenAt: at };
}

/** Nothing answered at the primary's address after the reload: its serving the zone is unknown. */
export function rememberPrimarySilent(state: State, zone: string): void {
  state.zones[zone] = { ...state.zones[zone]!, primarySilent: true };
}
