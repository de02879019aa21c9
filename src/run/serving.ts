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

/** `served` undefined: the file carries the decision, but no primary is asked (kind = "none" or
 *  [nameserver] address = false): zonerw cannot tell whether DNS serves it, and does not claim it. */
export type Serving = { served: true } | { served: false; why: string; differ: MarkerDiffer[] } | { served: undefined; why: string };

/**
 * Whether a zone serves the decision, as the runs observed it (no question asked): its installed
 * file carries the decision's values, and no reload is owed (a reload counts as done only once
 * the primary was found serving the file, when [nameserver] address is set). A zone zonerw never
 * published serves nothing of it. `asked`: a primary is asked at all.
 */
export function zoneServing(memory: ZoneMemory | undefined, decided: RenderedValues, asked = true): Serving {
  if (!memory) return { served: false, why: 'not published yet', differ: [] };
  const differ = favouredDiffers(memory.values, decided);
  if (differ.length > 0) return { served: false, why: `the installed zone file carries ${describeDiffers(differ)} (its publish was refused or failed)`, differ };
  if (memory.pending.includes('reload')) {
    // nothing answered: the file is installed and reloaded, and what DNS serves is not known
    if (memory.primarySilent) return { served: undefined, why: 'installed and reloaded, but nothing answered at [nameserver] address to confirm it' };
    return { served: false, why: 'its reload is pending (the primary was not found serving it)', differ: [] };
  }
  if (!asked) return { served: undefined, why: 'no primary is asked (kind = "none" or [nameserver] address = false)' };
  return { served: true };
}

/** Whether the config has zonerw ask a primary what it serves. */
export function asksPrimary(cfg: { nameserver?: Pick<Config['nameserver'], 'address'> }): boolean {
  return Boolean(cfg.nameserver?.address);
}

/**
 * The zones that use a group's markers (every zone when the config names no groups): those in
 * the state whose installed values use them, and every zone listed in base_dir that zonerw has
 * not published (its markers are not known: it counts for every group).
 */
export function zonesOfGroup(cfg: Pick<Config, 'groups' | 'servers' | 'allDown'>, state: Pick<State, 'zones'>, group: string, listed: readonly string[] = []): string[] {
  const named = namesGroups(configGroups(cfg));
  const known = Object.keys(state.zones).filter((z) => !named || Object.keys(state.zones[z]!.values).some((k) => markerGroup(k) === group));
  const never = listed.filter((z) => state.zones[z] === undefined);
  return [...new Set([...known, ...never])].sort();
}

/**
 * By group: whether every zone that uses its markers serves the decision (true), one does not
 * (false: refused, failed, not published, reload pending; also when no zone serves it at all),
 * or the files carry it but no primary is asked (undefined: not claimed).
 */
export function groupsServed(cfg: Pick<Config, 'groups' | 'servers' | 'allDown' | 'zones' | 'nameserver'>, state: State, listed: readonly string[] = []): Map<string, boolean | undefined> {
  const decided = decidedValues(cfg, state);
  const asked = asksPrimary(cfg);
  const served = new Map<string, boolean | undefined>();
  for (const g of configGroups(cfg)) {
    const zones = zonesOfGroup(cfg, state, g.name, listed).filter((z) => cfg.zones === undefined || cfg.zones.includes(z));
    const each = zones.map((z) => zoneServing(state.zones[z], decided, asked).served);
    served.set(g.name, each.length === 0 || each.includes(false) ? false : each.includes(undefined) ? undefined : true);
  }
  return served;
}
