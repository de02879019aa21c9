// A run that finds the signatures of a zone zonerw signs already expired (no run in between:
// the machine was off, cron stopped) says so, since when, as an error: validating resolvers
// have been answering SERVFAIL. The same run re-signs the zone (resign_before is long past).
import { utcTime, formatSpan } from '../core/format.js';
import type { RunContext } from './context.js';

export function noticeExpiredSignatures(ctx: RunContext): void {
  for (const [zone, m] of Object.entries(ctx.state.zones).sort(([a], [b]) => a.localeCompare(b))) {
    const expires = m.signaturesExpire;
    if (expires === undefined || expires > ctx.now) continue;
    if (ctx.cfg.zones !== undefined && !ctx.cfg.zones.includes(zone)) continue;
    ctx.log.err(`${zone}: the signatures the primary serves expired ${utcTime(expires)} UTC (${formatSpan(ctx.now - expires)} ago): validating resolvers answer SERVFAIL for the zone; this run signs it again (run zonerw more often than resign_before, and watch zonerw_zone_signatures_expiry_timestamp_seconds)`);
    ctx.trouble.failed = true;
  }
}
