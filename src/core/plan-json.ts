// `zonerw --dry-run --json`: the run plan as a plain value (the way `changeset status --output`
// writes its release plan). Its shape is documented in the README ("The plan as JSON"); a field
// is only ever added.
import { raisedEvents, type RaisedEvent } from './hooks.js';
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
    hooks: wouldRaise(plan, validation).map((h) => ({ on: h.on, group: h.group ?? null, from: h.from ?? null, to: h.to, reason: h.reason })),
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

/**
 * The hooks the run would raise, as it raises them (src/run/report.ts): `publish` for the zones it
 * would publish (safety and the checker passed), `error` for every problem, safety refusal and
 * validation refusal. Not plan.hooks, which counts every planned publish and no refusal.
 */
function wouldRaise(plan: RunPlan, validation: ReadonlyMap<string, ZoneValidation>): RaisedEvent[] {
  const passed = (zone: string) => {
    const v = validation.get(zone);
    return v === undefined || v.verdict === 'validated' || v.verdict === 'not validated';
  };
  const published = plan.zones.flatMap((s) => (s.action === 'publish' && passed(s.zone) ? [s.zone] : []));
  const errors = [
    ...plan.problems.filter((p) => p.kind !== 'reported').map((p) => p.line),
    ...plan.zones.flatMap((s) => (s.action === 'refuse' ? [`${s.zone}: ${s.problem}`] : [])),
    ...plan.zones.flatMap((s) => (s.action === 'publish' && !passed(s.zone) ? [validation.get(s.zone)!.line ?? `${s.zone}: ${validation.get(s.zone)!.verdict}`] : [])),
  ];
  return raisedEvents(plan.decision.groups, published, errors);
}

function withValidation(zone: Record<string, unknown>, v: ZoneValidation | undefined): Record<string, unknown> {
  if (!v) return zone;
  const passed = v.verdict === 'validated' || v.verdict === 'not validated';
  return passed ? { ...zone, validation: v } : { ...zone, action: 'refuse', rule: 'validation', problem: v.line, validation: v };
}
