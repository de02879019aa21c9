// What the signatures a nameserver serves say: when the earliest RRSIG over the zone's SOA
// expires (RFC 4034 3.1.5), and how that reads. Pure: the answer and the clock come in.
import { formatSpan, utcTime } from './format.js';

/** A nameserver's answer to SOA with the DO bit. */
export interface SignatureAnswer {
  answered: boolean;
  /** RRSIGs over the SOA were in the answer */
  signed: boolean;
  /** the earliest of their expirations, ms since the epoch */
  expires?: number;
  /** the latest of their inceptions, ms since the epoch */
  inception?: number;
  /** the key tags of the DNSKEY RRset at the apex (asked with DO too), sorted; undefined: not asked or not answered */
  keyTags?: number[];
  problem?: string;
}

/** `signatures expire 2026-12-15 10:00:00 UTC (in 10d)`, or, loudly, `SIGNATURES EXPIRED 2026-12-15 10:00:00 UTC (5d ago): ...`. */
export function describeSignatures(expires: number, now: number): string {
  return expires > now
    ? `signatures expire ${utcTime(expires)} UTC (in ${formatSpan(expires - now)})`
    : `SIGNATURES EXPIRED ${utcTime(expires)} UTC (${formatSpan(now - expires)} ago): validating resolvers answer SERVFAIL for the zone; re-sign it (a run re-signs the zones zonerw signs)`;
}
