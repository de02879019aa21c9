// Safety as one pass over the finished plan (octoDNS's raise_if_unsafe): a publish that would
// leave a zone without NS records, or drop more than max_shrink of its records, is refused; only
// --force lets it through. The run, --dry-run and `zonerw check` read these same verdicts.
import { shrinkProblem } from './records.js';
import type { SafetyRule, ZoneStep } from './zone-step.js';

/** Why a publish is refused: the guard's name (as the config says it) and the words. */
export interface SafetyVerdict {
  zone: string;
  rule: SafetyRule;
  problem: string;
}

export interface SafetyOptions {
  force: boolean;
  /** the fraction (0..1) of the last published records a publish may drop; 1 allows anything */
  maxShrink: number;
}

/** The publishes judged: the unsafe ones become refusals, each with its verdict. */
export function judgeSafety(steps: readonly ZoneStep[], o: SafetyOptions): { steps: ZoneStep[]; verdicts: SafetyVerdict[] } {
  const verdicts: SafetyVerdict[] = [];
  const judged = steps.map((step): ZoneStep => {
    if (step.action !== 'publish' || o.force) return step;
    const problem = shrinkProblem(step.summary.counts, step.previousRecords, o.maxShrink);
    if (problem === undefined) return step;
    const rule: SafetyRule = step.summary.counts.ns === 0 ? 'no_ns' : 'max_shrink';
    verdicts.push({ zone: step.zone, rule, problem });
    const { zone, summary, publish, line, previousRecords } = step;
    return { action: 'refuse', zone, summary, publish, line, ...(previousRecords !== undefined ? { previousRecords } : {}), rule, problem, ...(step.remember ? { remember: step.remember } : {}) };
  });
  return { steps: judged, verdicts };
}
