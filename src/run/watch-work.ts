// What makes a `zonerw watch` cycle worth a run: the same questions a one-shot run's first steps
// ask, answered from the decision, the state and the files' identities (stat, never a read). A
// steady cycle ends here: no zone file read, no DNS query, nothing written but the heartbeat.
import { configGroups, type Config } from '../config/types.js';
import type { GroupDecided } from '../core/groups.js';
import type { State } from '../core/state.js';
import { groupMarkerValues } from '../core/values.js';
import { listZones, unchangedSinceLastRun } from './load.js';
import type { Files } from './ports.js';
import { resignMayBeDueFor } from './sign.js';

/** Why a run is due this cycle (empty: a steady cycle). The first reason found is enough. */
export async function workDue(cfg: Config, files: Pick<Files, 'list' | 'identity'>, state: State, decided: readonly GroupDecided[], now: number): Promise<string | undefined> {
  const moved = decided.find(({ decision: d }) => d.favouredChanged || d.poolChanged || d.pinExpired || d.servers.some((v) => v.changed));
  if (moved) return `group ${moved.group}: ${moved.decision.rule}`;
  if (Object.keys(state.intents).length > 0) return 'an interrupted run left intents';
  const owed = Object.entries(state.zones).find(([, m]) => m.pending.length > 0 || (m.lagging?.length ?? 0) > 0);
  if (owed) return `${owed[0]}: ${owed[1].pending.length > 0 ? `${owed[1].pending.join(', ')} still owed` : 'a secondary was behind'}`;
  let zones: string[];
  try {
    zones = (await listZones(cfg, files)).zones;
  } catch {
    return 'base_dir cannot be listed'; // the run says why
  }
  if (Object.keys(state.zones).some((z) => !zones.includes(z))) return 'a base file is gone';
  const values = currentValues(cfg, decided);
  for (const zone of zones) {
    let unchanged: boolean;
    try {
      unchanged = unchangedSinceLastRun(cfg, files, zone, state.zones[zone], values);
    } catch {
      unchanged = false; // unreadable: the run says why
    }
    if (!unchanged) return `${zone}: its files or values changed since the last run`;
    if (resignMayBeDueFor(cfg, zone, state.zones[zone], now)) return `${zone}: its signatures are due for renewal`;
  }
  return undefined;
}

/** The marker values the decision gives, as a run renders them. */
function currentValues(cfg: Config, decided: readonly GroupDecided[]) {
  const byName = (name: string) => cfg.servers.find((s) => s.name === name)!;
  const groups = configGroups(cfg).map((g) => {
    const { favoured, pool } = decided.find((d) => d.group === g.name)!.decision;
    return { name: g.name, servers: g.servers, favoured: byName(favoured.server), pool: pool.map(byName) };
  });
  return groupMarkerValues(groups).values;
}
