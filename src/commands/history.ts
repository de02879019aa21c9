// `zonerw history`: what happened, newest last, and per server what the checks saw over the
// window, with a one-line timeline so that a week of flapping is visible at a glance.
import { configGroups, type Config } from '../config/types.js';
import { formatSpan, utcTime } from '../core/format.js';
import { DEFAULT_GROUP, groupPrefix } from '../core/groups.js';
import { groupOf, isMove, nameMoves, summarise, type HistoryEvent, type ServerStats } from '../core/history.js';
import { EXIT, type ExitCode } from '../errors.js';
import type { Deps } from '../run/ports.js';

const SLOTS = 56;

/** One group's servers over the window. */
export interface GroupStats {
  name: string;
  servers: ServerStats[];
}

export async function history(cfg: Config, opts: { sinceMs: number; json: boolean; color: boolean }, deps: Deps): Promise<ExitCode> {
  const now = deps.now();
  const from = now - opts.sinceMs;
  const groups = configGroups(cfg);
  // Older history files call every move `transition` (of the one group there was): named here as a run names them now.
  const all = nameMoves(await deps.readHistory(cfg.stateDir), groups[0]!.servers[0]!.name);
  const events = all.filter((e) => e.t >= from && e.t <= now);
  // each group on its own: its moves say whom it favoured
  const stats: GroupStats[] = groups.map((g) => ({ name: g.name, servers: summarise(all.filter((e) => groupOf(e) === g.name), g.servers.map((s) => s.name), from, now, SLOTS) }));
  const servers = stats.find((g) => g.name === DEFAULT_GROUP)?.servers ?? [];
  if (opts.json) {
    const json = { from: new Date(from).toISOString(), to: new Date(now).toISOString(), events, servers, ...(cfg.groups ? { groups: stats } : {}) };
    deps.log.out(JSON.stringify(json, null, 2));
    return EXIT.ok;
  }
  for (const line of formatHistory(events, servers, from, now, opts.color, cfg.groups ? stats : undefined)) deps.log.out(line);
  return EXIT.ok;
}

/** An event as a line: about a group, named by it when the config names groups (`named`). */
export function describeEvent(e: HistoryEvent, named = false): string {
  // a hook names its group when it ran for a group's move (publish and error hooks are the run's)
  const about = e.type === 'check' || isMove(e) || e.type === 'pin' || e.type === 'unpin' || (e.type === 'hook' && e.group !== undefined);
  return `${named && about ? groupPrefix(groupOf(e), true) : ''}${describeOne(e)}`;
}

function describeOne(e: HistoryEvent): string {
  switch (e.type) {
    case 'check':
      return `${e.server} check ${e.up ? 'up' : 'down'} (${e.reason})`;
    case 'failover':
    case 'failback':
    case 'change':
      return `${e.from === null && e.type === 'change' ? 'start' : e.type}: favouring ${e.to} ${e.address}${e.from ? ` instead of ${e.from}` : ''}: ${e.reason}${e.served === false ? ' (NOT SERVED by DNS when the run ended)' : ''}`;
    case 'publish':
      return `${e.zone} published, serial ${e.serial} (${e.why.join(', ')})`;
    case 'resign':
      return `${e.zone} re-signed, serial ${e.serial}: signatures ${e.was !== undefined ? `expiring ${utcTime(e.was)} UTC ` : ''}renewed${e.expires !== undefined ? ` until ${utcTime(e.expires)} UTC` : ''}`;
    case 'served':
      return `${e.zone} now served by the primary: ${e.change}`;
    case 'pin':
      return `pinned to ${e.server}${e.by ? ` by ${e.by}` : ''}${e.until ? ` until ${utcTime(e.until)} UTC` : ''}${e.reason ? `: ${e.reason}` : ''}`;
    case 'unpin':
      return e.expired ? `pin on ${e.server} expired` : `pin on ${e.server} cleared${e.by ? ` by ${e.by}` : ''}`;
    case 'error':
      return `error: ${e.message}`;
    case 'warning':
      return `warning: ${e.message}`;
    case 'hook':
      return `hook ${e.run.join(' ')} (on ${e.on}): ${e.ok ? 'ok' : `FAILED, ${e.result}`}`;
  }
}

/** `stats`: the default group's servers; `groups`: every group's, when the config names groups (shown instead). */
export function formatHistory(events: readonly HistoryEvent[], stats: readonly ServerStats[], from: number, to: number, color: boolean, groups?: readonly GroupStats[]): string[] {
  const lines = [`history from ${utcTime(from)} to ${utcTime(to)} UTC`, ''];
  if (events.length === 0) lines.push('  (no events)');
  for (const e of events) lines.push(`  ${utcTime(e.t)}  ${describeEvent(e, groups !== undefined)}`);
  lines.push('', `servers (each mark is ${formatSpan((to - from) / SLOTS)}; ${color ? 'green' : '#'} up, ${color ? 'red' : '_'} down, blank unknown):`);
  if (!groups) return [...lines, ...timelines(stats, color, '  ')];
  const width = Math.max(...groups.flatMap((g) => g.servers.map((s) => s.server.length)));
  for (const g of groups) lines.push(`  group ${g.name}:`, ...timelines(g.servers, color, '    ', width));
  return lines;
}

/** One line per server of a group: its timeline, availability, time favoured, moves, longest outage. */
function timelines(stats: readonly ServerStats[], color: boolean, indent: string, width = Math.max(...stats.map((s) => s.server.length))): string[] {
  return stats.map((s) => {
    const availability = s.availability === null ? 'not checked' : `${(s.availability * 100).toFixed(2)}% up`;
    return `${indent}${s.server.padEnd(width)}  |${s.slots.map((slot) => mark(slot, color)).join('')}|  ${availability}, favoured ${formatSpan(s.favouredMs)}, ${moves(s, s === stats[0])}, longest outage ${formatSpan(s.longestOutageMs)}`;
  });
}

/** The moves away from a server, in the hooks' words: the first server's failovers; another one's failbacks (and changes). */
function moves(s: ServerStats, first: boolean): string {
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (first) return count(s.failovers, 'failover');
  return [count(s.failbacks, 'failback'), ...(s.changes > 0 ? [count(s.changes, 'change')] : [])].join(', ');
}

function mark(slot: ServerStats['slots'][number], color: boolean): string {
  if (!color) return slot === 'up' ? '#' : slot === 'down' ? '_' : ' ';
  return slot === 'up' ? '\x1b[32m█\x1b[0m' : slot === 'down' ? '\x1b[31m▁\x1b[0m' : ' ';
}
