// Reload and NOTIFY, owed by this run's installs and by earlier runs' failures.
import type { State } from './state.js';
import type { Deps, Trouble } from './run-types.js';
import { mapLimit } from './pool.js';
import { quoteArg } from './messages.js';

/** From this many zones on, one control command covers them (when the nameserver can). */
const BATCH_FROM = 8;
const LIST_CHUNK = 200;

/**
 * Reload then NOTIFY every zone that owes it, this run's and earlier runs' alike. Many zones
 * go in one command where the nameserver allows (nsd-control without a zone, knotc with a
 * list); otherwise one command a zone, a few at a time. A zone whose reload failed gets no
 * NOTIFY (for data the server has not loaded) and keeps both pending for the next run.
 */
export async function settlePending(deps: Deps, state: State, zones: ReadonlySet<string>, trouble: Trouble): Promise<void> {
  const owing = Object.keys(state.zones).filter((z) => zones.has(z) && state.zones[z]!.pending.length > 0).sort();
  for (const step of ['reload', 'notify'] as const) {
    const due = owing.filter((z) => state.zones[z]!.pending[0] === step);
    if (due.length === 0) continue;
    const groups: (string | readonly string[])[] =
      due.length < BATCH_FROM || deps.nameserver.batching === 'one'
        ? due
        : deps.nameserver.batching === 'all'
          ? [[]]
          : Array.from({ length: Math.ceil(due.length / LIST_CHUNK) }, (_, i) => due.slice(i * LIST_CHUNK, (i + 1) * LIST_CHUNK));
    const results = await mapLimit(groups, 4, async (group) => ({ group, r: await deps.nameserver.run(step, group) }));
    const failed = new Set<string>();
    for (const { group, r } of results) {
      const covered = typeof group === 'string' ? [group] : group.length === 0 ? due : group;
      if (r.ok) continue;
      const argv = deps.nameserver.command(step, group)?.map(quoteArg).join(' ');
      const words = (r.stderr.trim() || r.stdout.trim() || r.reason).split('\n').join('; ');
      const who = covered.length === 1 ? covered[0] : `${covered.length} zones`;
      deps.log.err(`${who}: ${argv} failed (${r.reason}): ${words}; will retry on the next run`);
      trouble.failed = true;
      for (const z of covered) failed.add(z);
    }
    for (const z of due) if (!failed.has(z)) state.zones[z]!.pending = state.zones[z]!.pending.filter((p) => p !== step);
  }
}

