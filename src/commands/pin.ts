// `zonerw pin`: favour one server whatever the checks say (maintenance, a known-bad main), until
// the pin expires or is cleared. It only records the pin in the state, under the lock; the next
// run publishes it, so the usual validation and serial rules apply.
import type { Config } from '../config/types.js';
import { utcTime } from '../core/format.js';
import type { Pin } from '../core/health.js';
import type { HistoryEvent } from '../core/history.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import type { Deps } from '../run/ports.js';

/** `by`: who asked, for status and history. */
export type PinRequest = ({ clear: true } | { clear: false; server: string; forMs?: number; reason?: string }) & { by: string };

export async function pin(cfg: Config, request: PinRequest, deps: Pick<Deps, 'lock' | 'loadState' | 'saveState' | 'appendHistory' | 'now' | 'log'>): Promise<ExitCode> {
  const ctx = { now: deps.now(), by: request.by, log: deps.log };
  if (!request.clear && !cfg.servers.some((s) => s.name === request.server)) {
    throw new UsageError(`no server named "${request.server}"; the servers are ${cfg.servers.map((s) => s.name).join(', ')}`);
  }
  const lock = await deps.lock(cfg.stateDir);
  try {
    const { state, warning } = await deps.loadState(cfg.stateDir);
    let event: HistoryEvent;
    if (warning) ctx.log.err(warning);
    if (request.clear) {
      if (!state.pin) {
        ctx.log.out('no pin was set; the servers are favoured by their checks');
        return EXIT.ok;
      }
      ctx.log.out(`pin on ${state.pin.server} cleared by ${ctx.by}; the next run favours the servers by their checks`);
      event = { t: ctx.now, type: 'unpin', server: state.pin.server, by: ctx.by, expired: false };
      delete state.pin;
    } else {
      const p: Pin = { server: request.server, setAt: ctx.now, by: ctx.by };
      if (request.forMs !== undefined) p.until = ctx.now + request.forMs;
      if (request.reason !== undefined) p.reason = request.reason;
      state.pin = p;
      ctx.log.out(`${describePin(p)}; the next run publishes it (run zonerw now to apply it at once)`);
      event = { t: ctx.now, type: 'pin', server: p.server, until: p.until ?? null, reason: p.reason ?? null, by: p.by ?? null };
    }
    await deps.saveState(cfg.stateDir, state);
    await deps.appendHistory(cfg.stateDir, [event]);
    return EXIT.ok;
  } finally {
    await lock.release();
  }
}

/** `pinned to backup by alice until 2026-11-22 12:00:00 UTC: disk swap on main` */
export function describePin(p: Pin): string {
  const when = (ms: number) => `${utcTime(ms)} UTC`;
  const until = p.until === undefined ? 'until cleared (zonerw pin --clear)' : `until ${when(p.until)}`;
  return `pinned to ${p.server}${p.by ? ` by ${p.by}` : ''} at ${when(p.setAt)}, ${until}${p.reason ? `: ${p.reason}` : ''}`;
}
