// `ttl_warn_above`: the TTL of a marked record above which `zonerw check` warns, and a failover
// says until when resolvers may still hold the old address.
import { parseDuration } from '../core/format.js';
import { describe, type Reader, type Table } from './reader.js';

/** 300 s: what failover services use; users of a dead server wait at most five minutes more. */
export const TTL_WARN_ABOVE_DEFAULT = 300;

/** Seconds, when the key is given (a number of seconds or a duration like "5m"). */
export function readTtlWarnAbove(r: Reader, top: Table): number | undefined {
  const v = top.ttl_warn_above;
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms !== undefined && ms >= 1000 && ms <= 7 * 86_400_000) return Math.round(ms / 1000);
  r.problem('ttl_warn_above', `must be a TTL in seconds like 300, or a duration like "5m" or "1h" (1s to 7d), not ${describe(v)}`);
  return undefined;
}
