// --dry-run: the plan printed, as diffs, checker verdicts and commands; `--dry-run --json`: the
// plan itself, with each publish's validation verdict, as a plain value on stdout (core/plan-json.ts). It writes nothing in zone_dir or
// state_dir: zones are staged in a private scratch folder.
import { ZONE_ENCODING } from '../core/encoding.js';
import { quoteArg } from '../core/messages.js';
import { describeOutcome, outcomeProblem } from '../core/zone-outcomes.js';
import { planAsJson, type ZoneValidation } from '../core/plan-json.js';
import type { RunPlan, ZoneStep } from '../core/run-plan.js';
import type { ExitCode } from '../errors.js';
import { notStaged, reread, sayPlan } from './apply.js';
import type { RunContext } from './context.js';
import type { Gathered } from './gather.js';
import type { Scratch } from './ports.js';
import { inScratch, stageZone } from './stage.js';

type Publishing = Extract<ZoneStep, { action: 'publish' | 'refuse' }>;

/**
 * The plan said in its mood, then each publish staged and validated in a scratch folder before a
 * word is said of it: "would publish" only for a zone the run would publish, and the exit code the
 * run's. Under --json the same validation runs, its verdict goes into the JSON (a zone the
 * checker refuses is a `refuse` with rule `validation`), and every other line goes to stderr.
 */
export async function showPlan(ctx: RunContext, plan: RunPlan, g: Gathered): Promise<ExitCode> {
  const json = ctx.opts.json === true;
  sayPlan(ctx, plan, 'would', { stdout: !json });
  const verdicts = new Map<string, ZoneValidation>();
  if (!plan.decision.networkDown) {
    const publishing = plan.zones.filter((s): s is Publishing => s.action === 'publish' || s.action === 'refuse');
    const scratch = publishing.length > 0 ? await ctx.deps.files.scratch() : undefined;
    try {
      for (const step of publishing) {
        const v = await showZone(ctx, step, g, scratch!, json);
        if (v) verdicts.set(step.zone, v);
      }
      if (!json) showRetries(ctx, plan);
    } finally {
      await scratch?.dispose();
    }
  }
  if (json) ctx.log.out(JSON.stringify(planAsJson(plan, verdicts), null, 2));
  return ctx.trouble.exitCode();
}

/**
 * A publish: staged and validated first; then its line, the diff and the commands, or, refused,
 * the refusal and the diff. A refusal by the safety pass (said with the plan): its diff only.
 * Returns the validation's verdict (none for a safety refusal).
 */
async function showZone(ctx: RunContext, step: Publishing, g: Gathered, scratch: Scratch, json: boolean): Promise<ZoneValidation | undefined> {
  const stageable = await reread(ctx, step, g);
  if (!stageable) return step.action === 'publish' ? { verdict: 'not read', checker: null, line: null } : undefined;
  const { deps } = ctx;
  const { input, rendered } = stageable;
  // jsdiff comes with it: loaded by --dry-run only
  const { signCommandLine, zoneDiffLines } = await import('./dry-run-show.js');
  const signs = deps.signer?.signs(step.zone) === true;
  const sides = { installed: input.installed?.text, shown: input.shown.file };
  const showRender = () => {
    if (json) return;
    for (const line of zoneDiffLines({ ...sides, wouldInstall: rendered.text, ...(signs ? { signing: 'unsigned render' as const } : {}) })) ctx.log.out(line);
  };
  if (step.action === 'refuse') {
    showRender();
    return undefined;
  }
  const staged = await stageZone(stageable, inScratch(scratch, ctx.cfg.includeDir), { ns: deps.nameserver, includeDir: ctx.cfg.includeDir, signer: deps.signer });
  if (!staged.ok) {
    const problem = outcomeProblem(notStaged(staged, input.installed === undefined), 'would');
    ctx.fail(problem);
    showRender();
    return { verdict: staged.refusal === 'unfinished' ? 'unfinished' : 'refused', checker: 'checker' in staged ? (staged.checker ?? null) : null, line: problem.line };
  }
  const verdict: ZoneValidation = { verdict: staged.checker ? 'validated' : 'not validated', checker: staged.checker ?? null, line: null };
  if (json) return verdict;
  ctx.log.out(describeOutcome({ kind: 'publish', line: step.line }, 'would'));
  if (!signs) showRender();
  else {
    // the diff of what would be installed: the signer's output
    const signed = (await deps.files.read(staged.file.tempPath, ZONE_ENCODING)) ?? '';
    for (const line of zoneDiffLines({ ...sides, wouldInstall: signed, signing: 'signed' })) ctx.log.out(line);
    ctx.log.out(signCommandLine(deps.signer!, step.zone, input.zoneFile));
  }
  for (const s of ['reload', 'notify'] as const) {
    const argv = deps.nameserver.command(s, step.zone);
    if (argv) ctx.log.out(`would run: ${argv.map(quoteArg).join(' ')}`);
  }
  return verdict;
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
