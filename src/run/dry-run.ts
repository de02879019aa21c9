// --dry-run: the plan printed, as diffs, checker verdicts and commands; `--dry-run --json`: the
// plan itself, as a plain value on stdout (core/plan-json.ts). It writes nothing in zone_dir or
// state_dir: zones are staged in a private scratch folder.
import { ZONE_ENCODING } from '../core/encoding.js';
import { quoteArg } from '../core/messages.js';
import { describeOutcome, outcomeProblem } from '../core/zone-outcomes.js';
import { planAsJson } from '../core/plan-json.js';
import type { RunPlan, ZoneStep } from '../core/run-plan.js';
import type { ExitCode } from '../errors.js';
import { notStaged, reread, sayPlan } from './apply.js';
import type { RunContext } from './context.js';
import type { Gathered } from './gather.js';
import type { Scratch } from './ports.js';
import { inScratch, stageZone } from './stage.js';

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

/** A publish: its line, the diff, the checker's verdict and the commands; a refusal (said with the plan): its diff only. */
async function showZone(ctx: RunContext, step: Publishing, g: Gathered, scratch: Scratch): Promise<void> {
  const stageable = await reread(ctx, step, g);
  if (!stageable) return;
  const { deps } = ctx;
  const { input, rendered } = stageable;
  // jsdiff comes with it: loaded by --dry-run only
  const { signCommandLine, zoneDiffLines } = await import('./dry-run-show.js');
  const signs = deps.signer?.signs(step.zone) === true;
  const sides = { installed: input.installed?.text, shown: input.shown.file };
  const showRender = () => {
    for (const line of zoneDiffLines({ ...sides, wouldInstall: rendered.text, ...(signs ? { signing: 'unsigned render' as const } : {}) })) ctx.log.out(line);
  };
  if (step.action === 'publish') ctx.log.out(describeOutcome({ kind: 'publish', line: step.line }, 'would'));
  if (!signs || step.action === 'refuse') showRender();
  if (step.action === 'refuse') return;
  const staged = await stageZone(stageable, inScratch(scratch, ctx.cfg.includeDir), { ns: deps.nameserver, includeDir: ctx.cfg.includeDir, signer: deps.signer });
  if (!staged.ok) {
    if (signs) showRender(); // not signed: the render is all there is to compare
    ctx.fail(outcomeProblem(notStaged(staged), 'would'));
    return;
  }
  if (signs) {
    // the diff of what would be installed: the signer's output
    const signed = (await deps.files.read(staged.file.tempPath, ZONE_ENCODING)) ?? '';
    for (const line of zoneDiffLines({ ...sides, wouldInstall: signed, signing: 'signed' })) ctx.log.out(line);
    ctx.log.out(signCommandLine(deps.signer!, step.zone, input.zoneFile));
  }
  for (const s of ['reload', 'notify'] as const) {
    const argv = deps.nameserver.command(s, step.zone);
    if (argv) ctx.log.out(`would run: ${argv.map(quoteArg).join(' ')}`);
  }
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
