// --dry-run: what a run would publish, as diffs, checker verdicts and commands; it writes
// nothing in zone_dir or state_dir (validation happens in a private temp folder).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config.js';
import { unifiedDiff } from './core/diff.js';
import { fillWithLineMap } from './core/markers.js';
import type { RenderedValues, ZonePlan } from './core/plan.js';
import { countRecords, shrinkProblem } from './core/records.js';
import type { State } from './state.js';
import type { Deps, Trouble } from './run-types.js';
import { describePublish, pointAtBase, quoteArg } from './messages.js';
import { displayPath, SERIAL, ZONE_ENCODING, type ZoneInput } from './zones.js';

export async function showDryRun(
  cfg: Config,
  deps: Deps,
  publishing: { input: ZoneInput; plan: Extract<ZonePlan, { action: 'publish' }> }[],
  state: State,
  previousValues: ReadonlyMap<string, RenderedValues>,
  previousRecords: ReadonlyMap<string, number>,
  force: boolean,
  trouble: Trouble,
): Promise<void> {
  const { log } = deps;
  // Validate in a private temp folder: a dry run writes nothing in zone_dir or state_dir.
  const scratch = publishing.length > 0 ? await mkdtemp(join(tmpdir(), 'zonerw-dry-')) : undefined;
  try {
    for (const { input, plan } of publishing) {
      const { text, baseLine } = fillWithLineMap(input.template, { ...input.values, [SERIAL]: String(plan.serial) });
      log.out(`would publish ${describePublish(input, plan, previousValues.get(input.zone))}`);
      const shown = displayPath(cfg, input.zoneFile);
      const diff = unifiedDiff(input.installed?.text ?? '', text, input.installed ? shown : '/dev/null', shown);
      log.out(Buffer.from(diff, ZONE_ENCODING).toString('utf8').trimEnd()); // shown as the UTF-8 it most likely is
      const refusal = force ? undefined : shrinkProblem(countRecords(text), previousRecords.get(input.zone), cfg.maxShrink);
      if (refusal) {
        log.err(`${input.zone}: would not be published, ${refusal}`);
        trouble.failed = true;
        continue;
      }
      const file = join(scratch!, input.zone);
      await writeFile(file, text, ZONE_ENCODING);
      const check = await deps.nameserver.checkzone(input.zone, file);
      if (!check.ok) {
        log.err(`${input.zone}: would be refused by ${check.checker ?? 'the zone check'}: ${pointAtBase(check.message ?? '', file, displayPath(cfg, input.baseFile), baseLine)}`);
        trouble.failed = true;
        continue;
      }
      for (const step of ['reload', 'notify'] as const) {
        const argv = deps.nameserver.command(step, input.zone);
        if (argv) log.out(`would run: ${argv.map(quoteArg).join(' ')}`);
      }
    }
    for (const [zone, memory] of Object.entries(state.zones)) {
      if (memory.pending.length > 0 && !publishing.some((p) => p.input.zone === zone)) {
        for (const step of memory.pending) {
          const argv = deps.nameserver.command(step, zone);
          if (argv) log.out(`would retry: ${argv.map(quoteArg).join(' ')}`);
        }
      }
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

