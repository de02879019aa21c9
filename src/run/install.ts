// Install the staged zones: their intents on record first, so that an interruption between an
// install and the state save is recognised; then each temp renamed over its zone file (a copy
// kept of a hand-edited one), and one folder fsync for all of them before the nameserver is told.
import { fileStamp } from '../core/format.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import type { PublishPlan, ZoneInput } from '../core/run-plan.js';
import { failed } from '../errors.js';
import type { RunContext } from './context.js';
import type { PreparedFile } from './ports.js';
import { installEvent } from './resign.js';
import { forgetIntents, recordIntents, rememberInstalled, writeState } from './remember.js';

/** A zone rendered, written to its temp file and validated: what the install needs of it. */
export interface Ready {
  zone: string;
  input: Pick<ZoneInput, 'zoneFile' | 'shown' | 'identity'>;
  publish: PublishPlan;
  file: PreparedFile;
  /** the output line for it */
  line: string;
  /** its memory once installed, recorded as an intent before the install */
  intent: ZoneMemory;
}

export async function installZones(ctx: RunContext, ready: readonly Ready[]): Promise<string[]> {
  await recordAllIntents(ctx, ready);
  const installed: string[] = [];
  for (const r of ready) {
    const lost = ctx.lock?.compromised();
    if (lost) {
      await Promise.all(ready.map((x) => x.file.discard()));
      throw lost; // a RunError: another run may own zone_dir now, so install nothing more
    }
    if (await installOne(ctx, r)) installed.push(r.zone);
  }
  forgetIntents(ctx.state);
  // One folder fsync makes all of this run's renames durable, before the nameserver is told.
  if (installed.length > 0) await ctx.deps.files.syncFolder(ctx.cfg.zoneDir);
  return installed;
}

async function recordAllIntents(ctx: RunContext, ready: readonly Ready[]): Promise<void> {
  recordIntents(ctx.state, ready);
  if (ready.length === 0) return;
  try {
    ctx.guard();
    await writeState(ctx.deps, ctx.cfg.stateDir, ctx.state);
  } catch (e) {
    // Nothing is installed without its intent on record; and on a full disk above all, the
    // temp files must not stay behind.
    await Promise.all(ready.map((r) => r.file.discard().catch(() => {})));
    throw e;
  }
}

async function installOne(ctx: RunContext, r: Ready): Promise<boolean> {
  const { zone, input, publish } = r;
  try {
    if (publish.keepCopy) {
      const copy = await ctx.deps.files.keepCopy(input.zoneFile, `edited-${fileStamp(ctx.now)}`);
      ctx.say(`${zone}: ${input.shown.file} was not zonerw's output; kept a copy as ${displayBeside(input.shown.file, input.zoneFile, copy)}`);
    }
    await r.file.commit({ syncDir: false });
  } catch (e) {
    await r.file.discard();
    ctx.fail(failed(`${zone}: ${(e as Error).message}`));
    return false;
  }
  const since = ctx.state.zones[zone]?.unservedSince;
  const was = ctx.state.zones[zone]?.signaturesExpire;
  rememberInstalled(ctx.state, zone, { ...input.identity, file: ctx.deps.files.identity(input.zoneFile) });
  if (since !== undefined) ctx.state.zones[zone]!.unservedSince = since;
  ctx.events.push(installEvent(ctx.now, zone, publish, was, r.intent.signaturesExpire));
  // said once the primary serves it (propagate.ts announceServed), not before
  ctx.state.zones[zone]!.unserved = r.line;
  if (publish.aheadOfDate) {
    ctx.warn(`${zone}: serial ${publish.serial} is ahead of today's date (over 100 changes today, or an earlier serial was ahead); it still increases`);
  }
  return true;
}

/** The copy's name shown as its zone file is shown (the copy sits beside it). */
function displayBeside(shownFile: string, zoneFile: string, copy: string): string {
  return shownFile === zoneFile ? copy : shownFile + copy.slice(zoneFile.length);
}
