// --dry-run: the plan printed, as diffs, checker verdicts and commands; `--dry-run --json`: the
// plan itself, as a plain value on stdout (core/plan-json.ts). It writes nothing in zone_dir or
// state_dir: zones are staged in a private scratch folder.
import { unifiedDiff } from '../core/diff.js';
import { quoteArg } from '../core/messages.js';
import { describeOutcome, outcomeProblem } from '../core/outcomes.js';
import { planAsJson } from '../core/plan-json.js';
import type { RunPlan, ZoneStep } from '../core/run-plan.js';
import type { ExitCode } from '../errors.js';
import { notStaged, reread, sayPlan } from './apply.js';
import type { RunContext } from './context.js';
import type { Gathered } from './gather.js';
import { ZONE_ENCODING } from './load.js';
import type { Scratch } from './ports.js';
import { inScratch, stageZone, type Stageable } from './stage.js';

type Publishing = Extract<ZoneStep, { action: 'publish' | 'refuse' }>;

export async function showPlan(ctx: RunContext, plan: RunPlan, g: Gathered): Promise<ExitCode> {
  if (ctx.opts.json) {
    sayPlan(ctx, plan, 'would', { stdout: false });
    ctx.log.out(JSON.stringify(planAsJson(plan), null, 2));
    return ctx.trouble.exitCode();
  }
  sayPlan(ctx, plan, 'would');
  if (plan.decision.networkDown) return ctx.trouble.exitCode();
  const publishing = plan.zones.filter((s): s is Publishing => s.action === 'publish' || s.action === 'refuse');
  const scratch = publishing.length > 0 ? await ctx.deps.files.scratch() : undefined;
  try {
    for (const step of publishing) await showZone(ctx, step, g, scratch!);
    showRetries(ctx, plan);
  } finally {
    await scratch?.dispose();
  }
  return ctx.trouble.exitCode();
}

/** A publish: the line, the diff, the checker's verdict and the commands; a refusal (said with the plan): its diff only. */
async function showZone(ctx: RunContext, step: Publishing, g: Gathered, scratch: Scratch): Promise<void> {
  const stageable = await reread(ctx, step, g);
  if (!stageable) return;
  if (step.action === 'publish') ctx.log.out(describeOutcome({ kind: 'publish', line: step.line }, 'would'));
  showDiff(ctx, stageable);
  if (step.action === 'refuse') return;
  const { deps } = ctx;
  const staged = await stageZone(stageable, inScratch(scratch, ctx.cfg.includeDir), { ns: deps.nameserver, includeDir: ctx.cfg.includeDir, signer: deps.signer });
  if (!staged.ok) {
    ctx.fail(outcomeProblem(notStaged(staged), 'would'));
    return;
  }
  if (deps.signer?.signs(step.zone)) ctx.log.out(`would sign with: ${deps.signer.command(step.zone, '{in}', '{out}').map(quoteArg).join(' ')} (then verify it)`);
  for (const s of ['reload', 'notify'] as const) {
    const argv = deps.nameserver.command(s, step.zone);
    if (argv) ctx.log.out(`would run: ${argv.map(quoteArg).join(' ')}`);
  }
}

function showDiff(ctx: RunContext, { zone, input, rendered }: Stageable): void {
  const diff = unifiedDiff(input.installed?.text ?? '', rendered.text, input.installed ? input.shown.file : '/dev/null', input.shown.file);
  ctx.log.out(Buffer.from(diff, ZONE_ENCODING).toString('utf8').trimEnd()); // shown as the UTF-8 it most likely is
  if (ctx.deps.signer?.signs(zone) && input.installed) ctx.log.out(`(${input.shown.file} is signed; the diff is against the zone before signing)`);
}

/** Reloads and NOTIFYs owed by earlier runs, for zones this run does not publish. */
function showRetries(ctx: RunContext, plan: RunPlan): void {
  for (const { zone, steps } of plan.retries) {
    for (const s of steps) {
      const argv = ctx.deps.nameserver.command(s, zone);
      if (argv) ctx.log.out(`would retry: ${argv.map(quoteArg).join(' ')}`);
    }
  }
}
