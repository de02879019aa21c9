// What makes a `zonerw watch` cycle worth a run: the same questions a one-shot run's first steps
// ask, answered from the decision, the state and the files' identities (stat, never a read). A
// steady cycle ends here: no zone file read, no DNS query, nothing written but the heartbeat.
import type { Config } from '../config/types.js';
import type { GroupDecided } from '../core/groups.js';
import type { State } from '../core/state.js';
import type { RenderedValues } from '../core/values.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import { listZones, unchangedSinceLastRun } from './load.js';
import { baseFilePath, zoneFilePath } from './paths.js';
import { markerValuesOf } from './gather.js';
import type { Files, Signer } from './ports.js';
import { resignMayBeDueFor } from './sign.js';

/**
 * Zones a run of the watch already took as their files are, and left as they were (a base edit
 * waiting for --force with on_base_change = "warn", a zone the checker refused): by zone, the
 * fingerprint of their files and values then, and when. The same files are not run again each
 * cycle, only once every JUDGED_RETRY_MS (a refusal can be transient: a full disk).
 */
export type Judged = Map<string, { fingerprint: string; at: number }>;
export const JUDGED_RETRY_MS = 60_000;

/** Why a run is due this cycle (undefined: a steady cycle). The first reason found is enough. */
export async function workDue(cfg: Config, files: Pick<Files, 'list' | 'identity'>, state: State, decided: readonly GroupDecided[], now: number, o: { judged?: Judged; lastRunAt?: number; signer?: Signer } = {}): Promise<string | undefined> {
  const { judged = new Map(), lastRunAt } = o;
  const moved = decided.find(({ decision: d }) => d.favouredChanged || d.poolChanged || d.pinExpired || d.servers.some((v) => v.changed));
  if (moved) return `group ${moved.group}: ${moved.decision.rule}`;
  if (Object.keys(state.intents).length > 0) return 'an interrupted run left intents';
  const owed = Object.entries(state.zones).find(([, m]) => m.pending.length > 0);
  if (owed) return `${owed[0]}: ${owed[1].pending.join(', ')} still owed`;
  // A secondary behind is notified again by a run, which then waits up to secondary_wait for it,
  // and the probes wait with it: once every JUDGED_RETRY_MS, not every cycle (a dead secondary
  // would otherwise stretch every cycle to secondary_wait and slow the failover it is beside).
  const behind = Object.entries(state.zones).find(([, m]) => (m.lagging?.length ?? 0) > 0);
  if (behind && (lastRunAt === undefined || now - lastRunAt >= JUDGED_RETRY_MS)) return `${behind[0]}: a secondary was behind`;
  let zones: string[];
  try {
    zones = (await listZones(cfg, files)).zones;
  } catch {
    return 'base_dir cannot be listed'; // the run says why
  }
  // a zone whose base file is gone stays in the state while its zone file is served (the run says
  // so, exit 65): once every JUDGED_RETRY_MS, not a full run every cycle
  if (Object.keys(state.zones).some((z) => !zones.includes(z)) && (lastRunAt === undefined || now - lastRunAt >= JUDGED_RETRY_MS)) return 'a base file is gone';
  const values = markerValuesOf(cfg, decided).values;
  for (const zone of zones) {
    if (!unchanged(cfg, files, zone, state.zones[zone], values)) {
      const j = judged.get(zone);
      if (!j || j.fingerprint !== fingerprint(cfg, files, zone, state.zones[zone], values) || now - j.at >= JUDGED_RETRY_MS) return `${zone}: its files or values changed since the last run`;
    }
    // the signer too, as the run's zonesToRead asks: a changed sign command or key set is work
    if (resignMayBeDueFor(cfg, zone, state.zones[zone], now, o.signer)) return `${zone}: its signatures are due for renewal, or its signer changed`;
  }
  return undefined;
}

/** After a run: the zones it left as they are, so that the next cycles do not run them again for the same files. */
export async function judgeAfterRun(cfg: Config, files: Pick<Files, 'list' | 'identity'>, state: State, decided: readonly GroupDecided[], now: number, judged: Judged): Promise<void> {
  judged.clear();
  let zones: string[];
  try {
    zones = (await listZones(cfg, files)).zones;
  } catch {
    return;
  }
  const values = markerValuesOf(cfg, decided).values;
  for (const zone of zones) {
    if (!unchanged(cfg, files, zone, state.zones[zone], values)) judged.set(zone, { fingerprint: fingerprint(cfg, files, zone, state.zones[zone], values), at: now });
  }
}

function unchanged(cfg: Config, files: Pick<Files, 'identity'>, zone: string, memory: ZoneMemory | undefined, values: RenderedValues): boolean {
  try {
    return unchangedSinceLastRun(cfg, files, zone, memory, values);
  } catch {
    return false; // unreadable: the run says why
  }
}

/** The identities of a zone's files (base, zone file, included as last recorded) and the values. */
function fingerprint(cfg: Config, files: Pick<Files, 'identity'>, zone: string, memory: ZoneMemory | undefined, values: RenderedValues): string {
  const id = (p: string) => {
    try {
      return files.identity(p) ?? '-';
    } catch {
      return '?';
    }
  };
  const included = Object.keys(memory?.inputs?.included ?? {}).sort().map(id);
  return JSON.stringify([id(baseFilePath(cfg, zone)), id(zoneFilePath(cfg, zone)), included, values]);
}

