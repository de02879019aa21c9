// --dry-run: the plan printed, as diffs, checker verdicts and commands. It writes nothing in
// zone_dir or state_dir: zones are staged in a private scratch folder.
import { unifiedDiff } from '../core/diff.js';
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
  const diff = unifiedDiff(input.installed?.text ?? '', rendered.text, input.installed ? input.shown.file : '/dev/null', input.shown.file);
  log.out(Buffer.from(diff, ZONE_ENCODING).toString('utf8').trimEnd()); // shown as the UTF-8 it most likely is
  if (deps.signer?.signs(step.zone) && input.installed) log.out(`(${input.shown.file} is signed; the diff is against the zone before signing)`);
  if (step.action === 'refuse') {
    log.err(`${step.zone}: would not be published, ${step.problem}`);
    ctx.trouble.failed = true;
    return;
  }
  const staged = await stageZone({ zone: step.zone, input, rendered }, inScratch(scratch, ctx.cfg.includeDir), { ns: deps.nameserver, includeDir: ctx.cfg.includeDir, signer: deps.signer });
  if (!staged.ok) {
    log.err(
      staged.refusal === 'write' ? `${step.zone}: ${staged.message}`
      : staged.refusal === 'unfinished' ? `${step.zone}: ${describeUnfinished(staged.checker, staged.reason)}; the zone would not be installed`
      : `${step.zone}: would be refused by ${checkerName(staged)}: ${staged.words}`,
    );
    ctx.trouble.failed = true;
    return;
  }
  if (deps.signer?.signs(step.zone)) log.out(`would sign with: ${deps.signer.command(step.zone, '{in}', '{out}').map(quoteArg).join(' ')} (then verify it)`);
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
