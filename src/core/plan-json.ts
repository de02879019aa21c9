// `zonerw --dry-run --json`: the run plan as a plain value (the way `changeset status --output`
// writes its release plan). Its shape is documented in the README ("The plan as JSON"); a field
// is only ever added.
import type { RunPlan, ZoneStep } from './run-plan.js';

export const PLAN_JSON_VERSION = 1;

/**
 * A publish staged and validated by --dry-run: `validated` (by `checker`), `not validated` (no
 * checker runs), `refused` or `unfinished` (the checker's verdict, or a write or signer failure:
 * `line`), `not read` (its files changed or could not be read again).
 */
export interface ZoneValidation {
  verdict: 'validated' | 'not validated' | 'refused' | 'unfinished' | 'not read';
  checker: string | null;
  line: string | null;
}

/** `validation`: each publish's verdict; a publish whose verdict is not a pass is written as a `refuse` (rule `validation`): the run would not publish it. */
export function planAsJson(plan: RunPlan, validation: ReadonlyMap<string, ZoneValidation> = new Map()): unknown {
  const d = plan.decision;
  return {
    version: PLAN_JSON_VERSION,
    networkDown: d.networkDown ?? null,
    groups: d.groups.map((g) => ({
      group: g.group,
      favoured: g.decision.favoured,
      previous: g.previous ?? null,
      changed: g.decision.favouredChanged,
      rule: g.decision.rule,
      transition: g.transition ?? null,
      servers: g.decision.servers.map((v) => ({ name: v.name, up: v.up, raw: v.raw, reason: v.outcome?.reason ?? null })),
    })),
    zones: plan.zones.map((step) => withValidation(zoneJson(step), validation.get(step.zone))),
    safety: plan.safety,
    problems: plan.problems.map((p) => ({ kind: p.kind, line: p.line })),
    retired: plan.retired.map((r) => r.zone),
    retries: plan.retries,
    hooks: plan.hooks.map((h) => ({ on: h.on, group: h.group ?? null, from: h.from ?? null, to: h.to, reason: h.reason })),
    lines: { say: [...d.say, ...plan.say], trace: [...d.trace, ...plan.trace] },
  };
}

function zoneJson(step: ZoneStep): Record<string, unknown> {
  const { zone, action } = step;
  switch (step.action) {
    case 'publish':
    case 'refuse': {
      const { serial, why, keepCopy, aheadOfDate } = step.publish;
      const records = { records: step.summary.counts.records, ns: step.summary.counts.ns, previous: step.previousRecords ?? null };
      const refusal = step.action === 'refuse' ? { rule: step.rule, problem: step.problem } : {};
      return { zone, action, serial, why, keepCopy, aheadOfDate, line: step.line, records, ...refusal };
    }
    case 'keep':
      return { zone, action, serial: step.remember?.serial ?? null, say: step.say ?? null };
    case 'wait':
      return { zone, action, serial: step.remember?.serial ?? null, say: step.say };
  }
}

function withValidation(zone: Record<string, unknown>, v: ZoneValidation | undefined): Record<string, unknown> {
  if (!v) return zone;
  const passed = v.verdict === 'validated' || v.verdict === 'not validated';
  return passed ? { ...zone, validation: v } : { ...zone, action: 'refuse', rule: 'validation', problem: v.line, validation: v };
}
