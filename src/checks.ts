// Runs checks (in parallel: a run should not take the sum of the timeouts), retrying up to
// `attempts` times within this run. Which answer counts is health.ts's call.
import type { CheckConfig } from './config.js';
import type { CheckOutcome } from './core/health.js';
import type { CheckSpec } from './adapters/probe.js';
import type { ProbeResult } from './adapters/http-check.js';

export type Probe = (spec: CheckSpec) => Promise<ProbeResult>;

export async function runCheck(check: CheckConfig, probe: Probe, now: () => number): Promise<CheckOutcome> {
  let result: ProbeResult | undefined;
  let attempts = 0;
  while (attempts < check.attempts && !result?.up) {
    attempts++;
    result = await probe(check.spec);
  }
  return { up: result!.up, reason: result!.reason, latencyMs: result!.latencyMs, attempts, at: now() };
}

/** Checks every named check at once; a name without a check is left out of the result. */
export async function runChecks(
  checks: readonly { name: string; check?: CheckConfig | undefined }[],
  probe: Probe,
  now: () => number,
): Promise<Map<string, CheckOutcome>> {
  const entries = await Promise.all(
    checks.map(async ({ name, check }) => (check ? ([name, await runCheck(check, probe, now)] as const) : undefined)),
  );
  return new Map(entries.filter((e) => e !== undefined));
}

/** Whether any reference host answers; they are asked together and the first answer settles it. */
export async function anyReferenceUp(references: readonly CheckConfig[], probe: Probe, now: () => number): Promise<boolean> {
  const outcomes = await runChecks(references.map((check, i) => ({ name: String(i), check })), probe, now);
  return [...outcomes.values()].some((o) => o.up);
}
