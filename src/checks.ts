// Runs every server's check (in parallel: a run should not take the sum of the timeouts),
// retrying up to `attempts` times within this run. Which answer counts is health.ts's call.
import type { ServerConfig } from './config.js';
import type { CheckOutcome } from './core/health.js';
import type { HttpProbeSpec, ProbeResult } from './adapters/http-check.js';

export type Probe = (spec: HttpProbeSpec) => Promise<ProbeResult>;

export async function checkServers(
  servers: readonly ServerConfig[],
  probe: Probe,
  now: () => number,
): Promise<Map<string, CheckOutcome>> {
  const entries = await Promise.all(
    servers.map(async (s): Promise<[string, CheckOutcome] | undefined> => {
      const check = s.check;
      if (!check) return undefined;
      const spec: HttpProbeSpec = { url: check.url, timeoutMs: check.timeoutMs };
      if (check.host !== undefined) spec.host = check.host;
      if (check.expectStatus !== undefined) spec.expectStatus = check.expectStatus;
      let result: ProbeResult | undefined;
      let attempts = 0;
      let latencyMs = 0;
      while (attempts < check.attempts && !result?.up) {
        attempts++;
        result = await probe(spec);
        latencyMs = result.latencyMs;
      }
      return [s.name, { up: result!.up, reason: result!.reason, latencyMs, attempts, at: now() }];
    }),
  );
  return new Map(entries.filter((e): e is [string, CheckOutcome] => e !== undefined));
}
