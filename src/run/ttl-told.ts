// The TTL told: a marked record cached longer than `ttl_warn_above` keeps users on a dead server
// well past the failover. `zonerw check` warns about each (file and line); a run that moved the
// favoured server says until when resolvers may still hold the old address, and records it in
// the history (a warning with `until`), where `status` finds it while it holds.
import { formatSpan, utcTime } from '../core/format.js';
import { isMove, type HistoryEvent, type MoveEvent } from '../core/history.js';
import { longestMarkedTtl, markedTtls } from '../core/ttl.js';
import { TTL_WARN_ABOVE_DEFAULT } from '../config/ttl-warn.js';
import type { Config } from '../config/types.js';
import type { RunContext } from './context.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import { baseFilePath, displayPath } from './paths.js';
import type { Deps } from './ports.js';

/** Shown per zone at most; the rest are counted. */
const MAX_LINES_A_ZONE = 3;

const threshold = (cfg: Config) => cfg.ttlWarnAbove ?? TTL_WARN_ABOVE_DEFAULT;

async function baseText(cfg: Config, files: Pick<Deps['files'], 'read'>, zone: string): Promise<string | undefined> {
  try {
    return await files.read(baseFilePath(cfg, zone), ZONE_ENCODING);
  } catch {
    return undefined; // unreadable: the steps that load the zone say why
  }
}

/** `zonerw check`'s step: a warning (the exit status is not affected) for each marked record above the threshold. */
export async function warnLongTtls(p: { cfg: Config; deps: Pick<Deps, 'files' | 'log'>; zones: readonly string[] }): Promise<void> {
  const { cfg, deps } = p;
  const above = threshold(cfg);
  for (const zone of p.zones) {
    const text = await baseText(cfg, deps.files, zone);
    const long = text === undefined ? [] : markedTtls(text).filter((t) => t.ttl > above);
    const shown = displayPath(cfg, baseFilePath(cfg, zone));
    for (const t of long.slice(0, MAX_LINES_A_ZONE)) {
      deps.log.err(
        `warning: ${shown}:${t.line}: ${t.owner || 'the record'} is cached for ${t.ttl} s (${formatSpan(t.ttl * 1000)}, TTL from ${t.from}): after a failover, resolvers may send users to the old address that long; lower it to ${above} or less (or raise ttl_warn_above)`,
      );
    }
    if (long.length > MAX_LINES_A_ZONE) deps.log.err(`warning: ${shown}: ${long.length - MAX_LINES_A_ZONE} more marked records cached longer than ${above} s`);
  }
}

/**
 * After a run that moved a favoured server and published: for each published zone whose
 * marked records are cached longer than the threshold, until when resolvers may still hold the
 * old address. Said, and recorded in the history as a warning with `until`.
 */
export async function tellResolvers(ctx: RunContext): Promise<void> {
  const moves = ctx.events.filter((e): e is MoveEvent => isMove(e) && e.from !== null);
  if (moves.length === 0) return;
  const published = ctx.events.flatMap((e) => (e.type === 'publish' ? [e.zone] : []));
  const told: HistoryEvent[] = [];
  const now = ctx.deps.now();
  for (const zone of published) {
    const text = await baseText(ctx.cfg, ctx.deps.files, zone);
    const longest = text === undefined ? undefined : longestMarkedTtl(text);
    if (!longest || longest.ttl <= threshold(ctx.cfg)) continue;
    const until = now + longest.ttl * 1000;
    const old = moves.map((m) => oldAddress(ctx.cfg, m)).join(', ');
    const line = `${zone}: resolvers may still send users to ${old} until ${utcTime(until)} UTC (${longest.owner || 'a marked record'} is cached for ${formatSpan(longest.ttl * 1000)}, ${displayPath(ctx.cfg, baseFilePath(ctx.cfg, zone))}:${longest.line})`;
    ctx.say(line);
    told.push({ t: now, type: 'warning', message: line, until });
  }
  if (told.length > 0) await ctx.deps.appendHistory(ctx.cfg.stateDir, told).catch((e: Error) => ctx.deps.log.err(`cannot record in the history: ${e.message}`));
}

function oldAddress(cfg: Config, m: MoveEvent): string {
  const server = cfg.servers.find((s) => s.name === m.from);
  return server ? `${server.name} ${server.address}` : String(m.from);
}

/** For status: the newest warning whose `until` has not passed: users may still reach the old address. */
export async function resolversStillHold(cfg: Config, deps: Pick<Deps, 'readHistory'>, now: number): Promise<{ until: string; message: string } | null> {
  let events;
  try {
    events = await deps.readHistory(cfg.stateDir);
  } catch {
    return null;
  }
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    if (e.type === 'warning' && 'until' in e && typeof e.until === 'number' && e.until > now) return { until: new Date(e.until).toISOString(), message: e.message };
  }
  return null;
}
