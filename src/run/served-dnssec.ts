// After the reloads, the DNSSEC each zone that should be signed is served with: asked of the
// primary with DO (SOA and DNSKEY), judged by core/served-dnssec.ts. A zone the nameserver signs
// ([nameserver] signs) served unsigned, without DNSKEY, with expired or not yet valid signatures,
// and a zone zonerw signs served with another DNSKEY set than the one zonerw signed with (a
// second signer re-signs it), are said on stderr as errors (exit 1, an error event). The expiry
// served for a zone the nameserver signs is remembered for the metrics. Two queries a zone that
// should be signed, every run; none for the others.
import { judgeServedDnssec, signedBy, type ServedDnssec } from '../core/served-dnssec.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import { failed } from '../errors.js';
import type { RunContext } from './context.js';
import { mapLimit } from './map-limit.js';
import { QUERY_TIMEOUT_MS } from './primary.js';

export async function watchServedDnssec(ctx: RunContext, listed: readonly string[]): Promise<void> {
  const at = ctx.cfg.nameserver.address;
  const ask = ctx.deps.askSignatures;
  if (!at || !ask) return;
  const zones = listed.filter((zone) => signedBy(ctx.cfg, zone) !== undefined && settled(ctx.state.zones[zone]));
  const answers = await mapLimit(zones, 32, (zone) => ask(at.host, at.port, zone, QUERY_TIMEOUT_MS));
  for (const [i, zone] of zones.entries()) judgeOne(ctx, zone, answers[i]!);
}

/** Published, and served as published (a pending reload or an unserved publish is said already). */
function settled(m: ZoneMemory | undefined): m is ZoneMemory {
  return m !== undefined && m.pending.length === 0 && m.unserved === undefined;
}

function judgeOne(ctx: RunContext, zone: string, served: ServedDnssec): void {
  const by = signedBy(ctx.cfg, zone)!;
  const m = ctx.state.zones[zone]!;
  const verdict = judgeServedDnssec(zone, served, by, ctx.now, m.keyTags);
  for (const [i, line] of verdict.lines.entries()) {
    // expired signatures of a zone zonerw signs are said while gathering, and signed again by this run
    if (by === 'zonerw' && verdict.faults[i] === 'expired') continue;
    ctx.fail(failed(line));
  }
  if (by === 'nameserver' && served.answered) {
    const { servedSignaturesExpire: _, ...rest } = m;
    ctx.state.zones[zone] = { ...rest, ...(served.expires !== undefined ? { servedSignaturesExpire: served.expires } : {}) };
  }
}
