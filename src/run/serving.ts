// Is the decision served? The decision ("favoured") is what zonerw chose; the service ("served")
// is what DNS gives: a zone serves the favoured server only when its installed file carries the
// decision's marker values and the primary was found serving that file (no reload owed). Used by
// the run's end (metrics, hooks, history) and by status, which asks the primary live instead.
import { configGroups, type Config } from '../config/types.js';
import { markerGroup } from '../core/markers.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import { describeDiffers, favouredDiffers, type MarkerDiffer } from '../core/served.js';
import type { State } from '../core/state.js';
import { groupMarkerValues, type RenderedValues } from '../core/values.js';
import { namesGroups } from '../core/groups.js';

/** The marker values the recorded decision gives (every group's), from the state and the config's servers. */
export function decidedValues(cfg: Pick<Config, 'groups' | 'servers' | 'allDown'>, state: Pick<State, 'groups'>): RenderedValues {
  const groups = configGroups(cfg).flatMap((g) => {
    const memory = state.groups[g.name];
    const favoured = g.servers.find((s) => s.name === memory?.favoured?.server);
    if (!memory || !favoured) return [];
    const pool = (memory.pool ?? [favoured.name]).flatMap((n) => g.servers.filter((s) => s.name === n));
    return [{ name: g.name, servers: g.servers, favoured, pool }];
  });
  return groupMarkerValues(groups).values;
}

export type Serving = { served: true } | { served: false; why: string; differ: MarkerDiffer[] };

/**
 * Whether a zone serves the decision, as the runs observed it (no question asked): its installed
 * file carries the decision's values, and no reload is owed (a reload counts as done only once
 * the primary was found serving the file, when [nameserver] address is set).
 */
export function zoneServing(memory: ZoneMemory | undefined, decided: RenderedValues): Serving {
  if (!memory) return { served: false, why: 'not published yet', differ: [] };
  const differ = favouredDiffers(memory.values, decided);
  if (differ.length > 0) return { served: false, why: `the installed zone file carries ${describeDiffers(differ)} (its publish was refused or failed)`, differ };
  if (memory.pending.includes('reload')) return { served: false, why: 'its reload is pending (the primary was not found serving it)', differ: [] };
  return { served: true };
}

/** The zones that use a group's markers (every zone when the config names no groups). */
export function zonesOfGroup(cfg: Pick<Config, 'groups' | 'servers' | 'allDown'>, state: Pick<State, 'zones'>, group: string): string[] {
  const named = namesGroups(configGroups(cfg));
  return Object.keys(state.zones).filter((z) => !named || Object.keys(state.zones[z]!.values).some((k) => markerGroup(k) === group)).sort();
}

/** By group: whether every zone that uses its markers serves the decision. */
export function groupsServed(cfg: Pick<Config, 'groups' | 'servers' | 'allDown' | 'zones'>, state: State): Map<string, boolean> {
  const decided = decidedValues(cfg, state);
  const served = new Map<string, boolean>();
  for (const g of configGroups(cfg)) {
    const zones = zonesOfGroup(cfg, state, g.name).filter((z) => cfg.zones === undefined || cfg.zones.includes(z));
    served.set(g.name, zones.every((z) => zoneServing(state.zones[z], decided).served));
  }
  return served;
}
