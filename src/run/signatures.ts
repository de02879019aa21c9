// A run that finds the signatures of a zone zonerw signs already expired (no run in between:
// the machine was off, cron stopped) says so, since when, as an error: validating resolvers
// have been answering SERVFAIL. The same run re-signs the zone (resign_before is long past).
// Found while the run gathers (src/run/gather.ts); said, like every problem, by the plan.
import type { Config } from '../config/types.js';
import { utcTime, formatSpan } from '../core/format.js';
import type { Problem } from '../core/zone-outcomes.js';
import type { State } from '../core/state.js';

/** `mood`: a run signs the zone again; --dry-run says it would (and exits as the run would). */
export function expiredSignatures(cfg: Pick<Config, 'zones'>, state: State, now: number, mood: 'done' | 'would' = 'done'): Problem[] {
  const problems: Problem[] = [];
  // only the expired ones sorted: every run passes here, and localeCompare over 1,000 zones costs ~6 ms
  const expired = Object.entries(state.zones).filter(([, m]) => m.signaturesExpire !== undefined && m.signaturesExpire <= now);
  for (const [zone, m] of expired.sort(([a], [b]) => a.localeCompare(b))) {
    const expires = m.signaturesExpire!;
    if (cfg.zones !== undefined && !cfg.zones.includes(zone)) continue;
    problems.push({ kind: 'failed', line: `${zone}: the signatures of its installed zone file expired ${utcTime(expires)} UTC (${formatSpan(now - expires)} ago): validating resolvers answer SERVFAIL for the zone while the primary serves them; ${mood === 'done' ? 'this run signs it again' : 'the run would sign it again'} (run zonerw more often than resign_before, and watch zonerw_zone_signatures_expiry_timestamp_seconds)` });
  }
  return problems;
}
