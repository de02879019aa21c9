// One check of any kind: dispatches to the HTTP(S) or the TCP probe, importing only the one
// a check needs, so a run loads only what its config uses. It never throws.
import type { ProbeResult, ProbeSpec } from '../core/probe.js';

/** `clock` (monotonic ms, performance.now by default) measures the latency. */
export async function probe(spec: ProbeSpec, clock?: () => number): Promise<ProbeResult> {
  try {
    switch (spec.kind) {
      case 'http': {
        const { probeHttp } = await import('./http-check.js');
        return await probeHttp(spec, clock);
      }
      case 'tcp': {
        const { probeTcp } = await import('./tcp-check.js');
        return await probeTcp(spec, clock);
      }
      default:
        return { up: false, reason: `unknown check kind: ${String((spec as { kind?: unknown }).kind)}`, latencyMs: 0 };
    }
  } catch (err) {
    // Only a bug gets here (the probes themselves never throw); still down, not a crash.
    return { up: false, reason: `check failed: ${err instanceof Error ? err.message : String(err)}`, latencyMs: 0 };
  }
}
