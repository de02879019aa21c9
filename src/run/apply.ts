// Apply: a run carries its plan out. It says what the plan says (the decision, every problem
// once, the zones kept), takes the plan's new state, stages each publish (rendered again from its
// files, in bounded batches: the plan holds no zone text), installs, and propagates. Nothing here
// decides: the plan did (src/core/run-plan.ts).
import { availableParallelism } from 'node:os';
import { outcomeProblem, type Mood, type Outcome } from '../core/zone-outcomes.js';
import { rememberValidation, renderZone, type RunPlan, type ZoneStep } from '../core/run-plan.js';
import { failed } from '../errors.js';
import type { RunContext } from './context.js';
import { loadProblems, zoneFileExists, type Gathered } from './gather.js';
import type { Ready } from './install.js';
import { sha256 } from './hash.js';
import { loadZone } from './load.js';
import { mapLimit } from './map-limit.js';
import { resignedLine } from './resign.js';
import { signedMemory, resignBeforeFor, shortSignaturesProblem } from './sign.js';
import { sayVotes } from './vantages.js';
import { besideZoneFile, stageZones, type Checking, type Place, type PublishStep, type Stageable, type Staged } from './stage.js';

/** Zones are read again, rendered, written and validated this many at a time (memory). */
const CHUNK = 200;

/** What every reader of a plan says first, in its mood: the decision, each problem once, the zones kept or waiting, the refusals. */
export function sayPlan(ctx: RunContext, plan: RunPlan, mood: Mood, o: { stdout: boolean } = { stdout: true }): void {
  ctx.events.push(...plan.events);
  sayVotes(plan.decision.groups, o.stdout ? ctx : { warn: ctx.warn, say: () => {} }, ctx.cfg);
  if (o.stdout) for (const line of plan.decision.trace) ctx.trace(line);
  if (o.stdout) for (const line of plan.decision.say) ctx.say(line);
  for (const p of plan.problems) ctx.fail(p);
  if (plan.decision.networkDown) return;
  for (const line of plan.warnings) ctx.warn(line);
  if (mood === 'done') for (const r of plan.retired) ctx.say(r.line);
  for (const step of plan.zones) {
    if (o.stdout && (step.action === 'keep' || step.action === 'wait') && step.say) ctx.say(step.say);
    if (o.stdout && step.action === 'keep' && step.trace) ctx.trace(step.trace);
    if (step.action === 'refuse') ctx.fail(outcomeProblem(refusalOf(step), mood));
  }
}

export function refusalOf(step: Extract<ZoneStep, { action: 'refuse' }>): Extract<Outcome, { kind: 'refuse' }> {
  return { kind: 'refuse', zone: step.zone, base: step.summary.shown.base, problem: step.problem };
}

/** A staging that failed, as its outcome; `first`: the zone has no zone file yet. */
export function notStaged(s: Extract<Staged<Stageable>, { ok: false }>, first = false): Exclude<Outcome, { kind: 'publish' | 'refuse' }> {
  const { zone } = s.step;
  if (s.refusal === 'write') return { kind: 'write', zone, message: s.message };
  if (s.refusal === 'unfinished') return { kind: 'unfinished', zone, checker: s.checker, reason: s.reason };
  return { kind: 'checker', zone, checker: s.checker, words: s.words, ...(first ? { first } : {}) };
}

/**
 * A publish read again from its files and rendered with its planned serial: what staging needs.
 * A zone whose files changed since the plan read them is not published this run (the next run
 * plans it afresh).
 */
export async function reread(ctx: RunContext, step: PublishStep | Extract<ZoneStep, { action: 'refuse' }>, g: Pick<Gathered, 'values' | 'unavailable'>): Promise<Stageable | undefined> {
  // only --dry-run shows a diff against the zone file
  const load = await loadZone(ctx.cfg, ctx.deps.files, step.zone, g.values, g.unavailable, ctx.opts.dryRun);
  if (!load.ok) {
    for (const p of loadProblems(load, ctx.opts.dryRun ? 'would' : 'done', !zoneFileExists(ctx.cfg, ctx.deps.files, step.zone))) ctx.fail(p);
    return undefined;
  }
  if (load.input.contentHash !== step.summary.contentHash) {
    ctx.fail(failed(`${step.zone}: ${step.summary.shown.base} (or a file it includes) changed while this run read it; not published, the next run publishes it`));
    return undefined;
  }
  const rendered = renderZone(load.input, step.publish.serial, sha256);
  return { zone: step.zone, input: load.input, rendered, ...(step.action === 'publish' && step.validatedBefore ? { validatedBefore: step.validatedBefore } : {}) };
}

/** Writes each publish beside its zone file and validates it, a batch at a time; what the install needs, and nothing more. */
export async function stagePublishes(ctx: RunContext, plan: RunPlan, g: Gathered): Promise<Ready[]> {
  const publishing = plan.zones.filter((s): s is PublishStep => s.action === 'publish');
  const place = besideZoneFile(ctx.deps.files.prepare);
  const checking: Checking = { ns: ctx.deps.nameserver, includeDir: ctx.cfg.includeDir, signer: ctx.deps.signer };
  const ready: Ready[] = [];
  for (let at = 0; at < publishing.length; at += CHUNK) {
    ready.push(...(await stageBatch(ctx, publishing.slice(at, at + CHUNK), g, place, checking)));
  }
  return ready;
}

async function stageBatch(ctx: RunContext, steps: readonly PublishStep[], g: Gathered, place: Place, checking: Checking): Promise<Ready[]> {
  const read = await mapLimit(steps, 32, (step) => reread(ctx, step, g));
  const pairs = steps.flatMap((step, i) => (read[i] ? [{ step, stageable: read[i] }] : []));
  const staged = await stageZones(pairs.map((p) => p.stageable), place, checking, availableParallelism());
  const ready: Ready[] = [];
  for (const [i, s] of staged.entries()) {
    const { step } = pairs[i]!;
    if (!s.ok) {
      ctx.fail(outcomeProblem(notStaged(s, step.summary.installed === undefined), 'done'));
      continue;
    }
    const checked = step.validatedBefore ?? (s.checker ? { checker: s.checker, validated: rememberValidation(step.summary.contentHash, step.remember?.validated) } : undefined);
    const short = shortSignaturesProblem(step.zone, s.signed, ctx.now, resignBeforeFor(ctx.cfg, step.zone));
    if (short) ctx.fail(failed(short)); // still installed: the zone is signed and verified, only renewed too often
    const intent = { ...step.intent, fileHash: s.step.rendered.fileHash, ...(checked ?? {}), ...signedMemory(s.signed) };
    ready.push({ zone: step.zone, input: step.summary, publish: step.publish, line: resignedLine(step.line, step.publish, s.signed), file: s.file, intent });
  }
  return ready;
}
