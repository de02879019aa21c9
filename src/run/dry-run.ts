// --dry-run: the plan printed, as diffs, checker verdicts and commands. It writes nothing in
// zone_dir or state_dir: zones are staged in a private scratch folder.
import { describeUnfinished, quoteArg } from '../core/messages.js';
import type { ZoneStep } from '../core/run-plan.js';
import type { RunContext } from './context.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import type { Scratch } from './ports.js';
import { checkerName, inScratch, stageZone } from './stage.js';

type Publishing = Extract<ZoneStep, { action: 'publish' | 'refuse' }>;

export async function showPlan(ctx: RunContext, steps: readonly ZoneStep[]): Promise<void> {
  const publishing = steps.filter((s): s is Publishing => s.action === 'publish' || s.action === 'refuse');
  const scratch = publishing.length > 0 ? await ctx.deps.files.scratch() : undefined;
  try {
    for (const step of publishing) await showZone(ctx, step, scratch!);
    showRetries(ctx, new Set(publishing.map((s) => s.zone)));
  } finally {
    await scratch?.dispose();
  }
}

async function showZone(ctx: RunContext, step: Publishing, scratch: Scratch): Promise<void> {
  const { log, deps } = ctx;
  const { input, rendered } = step;
  log.out(`would publish ${step.line}`);
  // jsdiff comes with it: loaded by --dry-run only
  const { signCommandLine, zoneDiffLines } = await import('./dry-run-show.js');
  const signs = deps.signer?.signs(step.zone) === true;
  const sides = { installed: input.installed?.text, shown: input.shown.file };
  if (!signs || step.action === 'refuse') {
    for (const line of zoneDiffLines({ ...sides, wouldInstall: rendered.text, ...(signs ? { signing: 'unsigned render' as const } : {}) })) log.out(line);
  }
  if (step.action === 'refuse') {
    log.err(`${step.zone}: would not be published, ${step.problem}`);
    ctx.trouble.failed = true;
    return;
  }
  const staged = await stageZone({ zone: step.zone, input, rendered }, inScratch(scratch, ctx.cfg.includeDir), { ns: deps.nameserver, includeDir: ctx.cfg.includeDir, signer: deps.signer });
  if (!staged.ok) {
    // not signed: the render is all there is to compare
    if (signs) for (const line of zoneDiffLines({ ...sides, wouldInstall: rendered.text, signing: 'unsigned render' })) log.out(line);
    log.err(
      staged.refusal === 'write' ? `${step.zone}: ${staged.message}`
      : staged.refusal === 'unfinished' ? `${step.zone}: ${describeUnfinished(staged.checker, staged.reason)}; the zone would not be installed`
      : `${step.zone}: would be refused by ${checkerName(staged)}: ${staged.words}`,
    );
    ctx.trouble.failed = true;
    return;
  }
  if (signs) {
    // the diff of what would be installed: the signer's output
    const signed = (await deps.files.read(staged.file.tempPath, ZONE_ENCODING)) ?? '';
    for (const line of zoneDiffLines({ ...sides, wouldInstall: signed, signing: 'signed' })) log.out(line);
    log.out(signCommandLine(deps.signer!, step.zone, input.zoneFile));
  }
  for (const s of ['reload', 'notify'] as const) {
    const argv = deps.nameserver.command(s, step.zone);
    if (argv) log.out(`would run: ${argv.map(quoteArg).join(' ')}`);
  }
}

/** Reloads and NOTIFYs owed by earlier runs, for zones this run does not publish. */
function showRetries(ctx: RunContext, publishing: ReadonlySet<string>): void {
  for (const [zone, memory] of Object.entries(ctx.state.zones)) {
    if (memory.pending.length === 0 || publishing.has(zone)) continue;
    for (const s of memory.pending) {
      const argv = ctx.deps.nameserver.command(s, zone);
      if (argv) ctx.log.out(`would retry: ${argv.map(quoteArg).join(' ')}`);
    }
  }
}
