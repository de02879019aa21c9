// `zonerw pin`: favour one server whatever the checks say (maintenance, a known-bad main), until
// the pin expires or is cleared. A pin holds within the server's service group: the other groups
// go on by their checks. It only records the pin in the state, under the lock; the next run
// publishes it, so the usual validation and serial rules apply. The new state is a value
// (pinned/unpinned), saved by the run's one writer (src/run/remember.ts writeState).
import { configGroups, groupOfServer, type Config } from '../config/types.js';
import { utcTime } from '../core/format.js';
import { groupPrefix, namesGroups } from '../core/groups.js';
import type { Pin } from '../core/health.js';
import { groupTag, type HistoryEvent } from '../core/history.js';
import type { State } from '../core/state.js';
import { EXIT, UsageError, type ExitCode } from '../errors.js';
import type { Deps } from '../run/ports.js';
import { writeState } from '../run/remember.js';
import { lockBesideWatch } from '../run/watch-heartbeat.js';

/** `by`: who asked, for status and history. `group` with clear: that group's pin only (else every group's). */
export type PinRequest = ({ clear: true; group?: string } | { clear: false; server: string; forMs?: number; reason?: string }) & { by: string };

type Said = { say(line: string): void; now: number; named: boolean };

export async function pin(cfg: Config, request: PinRequest, deps: Pick<Deps, 'lock' | 'files' | 'loadState' | 'saveState' | 'appendHistory' | 'now' | 'log'>): Promise<ExitCode> {
  refuseUnknown(cfg, request);
  const said: Said = { say: (line) => deps.log.out(line), now: deps.now(), named: namesGroups(configGroups(cfg)) };
  const lock = await lockBesideWatch(deps, cfg.stateDir);
  try {
    const loaded = await deps.loadState(cfg.stateDir);
    if (loaded.warning) deps.log.err(loaded.warning);
    const { state, events } = request.clear ? clearPins(loaded.state, request.group, request.by, said) : setPin(loaded.state, groupOfServer(cfg, request.server)!.name, request, said);
    if (events.length === 0) return EXIT.ok;
    await writeState(deps, cfg.stateDir, state);
    await deps.appendHistory(cfg.stateDir, events);
    return EXIT.ok;
  } finally {
    await lock.release();
  }
}

/** A server or a group that the config does not have is a usage error, before the lock is taken. */
function refuseUnknown(cfg: Config, request: PinRequest): void {
  if (!request.clear && !cfg.servers.some((s) => s.name === request.server)) {
    throw new UsageError(`no server named "${request.server}"; the servers are ${cfg.servers.map((s) => s.name).join(', ')}`);
  }
  const groups = configGroups(cfg).map((g) => g.name);
  if (request.clear && request.group !== undefined && !groups.includes(request.group)) {
    throw new UsageError(`no group named "${request.group}"; the groups are ${groups.join(', ')}`);
  }
}

type Pinned = { state: State; events: HistoryEvent[] };

function setPin(state: State, group: string, request: Extract<PinRequest, { clear: false }>, said: Said): Pinned {
  const p: Pin = { server: request.server, setAt: said.now, by: request.by };
  if (request.forMs !== undefined) p.until = said.now + request.forMs;
  if (request.reason !== undefined) p.reason = request.reason;
  said.say(`${groupPrefix(group, said.named)}${describePin(p)}; the next run publishes it (run zonerw now to apply it at once)`);
  const event: HistoryEvent = { t: said.now, type: 'pin', ...groupTag(group), server: p.server, until: p.until ?? null, reason: p.reason ?? null, by: p.by ?? null };
  return { state: { ...state, groups: { ...state.groups, [group]: { ...state.groups[group], pin: p } } }, events: [event] };
}

/** Clears the pin of `only`, or of every group; says so for each, or that there was none. */
function clearPins(state: State, only: string | undefined, by: string, said: Said): Pinned {
  const pinned = Object.entries(state.groups).filter(([group, g]) => g.pin && (only === undefined || group === only));
  if (pinned.length === 0) {
    said.say(`${only !== undefined ? groupPrefix(only, said.named) : ''}no pin was set; the servers are favoured by their checks`);
    return { state, events: [] };
  }
  const groups = { ...state.groups };
  const events = pinned.map(([group, g]): HistoryEvent => {
    const { pin, ...rest } = g;
    said.say(`${groupPrefix(group, said.named)}pin on ${pin!.server} cleared by ${by}; the next run favours the servers by their checks`);
    groups[group] = rest;
    return { t: said.now, type: 'unpin', ...groupTag(group), server: pin!.server, by, expired: false };
  });
  return { state: { ...state, groups }, events };
}

/** `pinned to backup by alice until 2026-11-22 12:00:00 UTC: disk swap on main` */
export function describePin(p: Pin): string {
  const when = (ms: number) => `${utcTime(ms)} UTC`;
  const until = p.until === undefined ? 'until cleared (zonerw pin --clear)' : `until ${when(p.until)}`;
  return `pinned to ${p.server}${p.by ? ` by ${p.by}` : ''} at ${when(p.setAt)}, ${until}${p.reason ? `: ${p.reason}` : ''}`;
}
