// What happened, as one JSON line per event (history.jsonl), and what the history command
// makes of it: per server, time favoured, failovers, longest outage, availability seen by the
// checks, and a timeline of up/down slots. Pure: events and the window are inputs.

import { moveKind, type MoveKind } from './hooks.js';
import { DEFAULT_GROUP } from './markers.js';
import type { Vote } from './probe.js';

/**
 * The service group an event is about (checks, moves, pins, hooks): set for a group other than the
 * default one; absent for the default group, as in every event written before groups.
 */
export type GroupTag = { group?: string };

/** A move of the favoured server, named as its hooks are; `from` is null on the first run. */
/** `votes`: with [[vantage]] tables, the votes behind each server's verdict in the run that moved (core/votes.ts).
 *  `served`: whether DNS served the move when its run ended (absent in events written before it was recorded). */
export type MoveEvent = { t: number; type: MoveKind; from: string | null; to: string; address: string; reason: string; votes?: Record<string, Vote[]>; served?: boolean } & GroupTag;

export type HistoryEvent =
  | ({ t: number; type: 'check'; server: string; up: boolean; reason: string } & GroupTag)
  | MoveEvent
  | { t: number; type: 'publish'; zone: string; serial: number; why: string[] }
  /** a zone zonerw signs, signed again only because its signatures were due: `was` the old earliest
   *  expiry, `expires` the new one (ms since the epoch), `reason` as the plan said it */
  | { t: number; type: 'resign'; zone: string; serial: number; reason: string; was?: number; expires?: number }
  /** a publish the primary did not serve when its run ended, found served by a later run */
  | { t: number; type: 'served'; zone: string; serial: number; change: string }
  | ({ t: number; type: 'pin'; server: string; until: number | null; reason: string | null; by: string | null } & GroupTag)
  | ({ t: number; type: 'unpin'; server: string; by: string | null; expired: boolean } & GroupTag)
  | { t: number; type: 'error'; message: string }
  /** something to know that needed no action (a serial ahead of the date); `until`: when what it says stops holding (resolvers caching an old address) */
  | { t: number; type: 'warning'; message: string; until?: number }
  | ({ t: number; type: 'hook'; on: string; run: string[]; ok: boolean; result: string } & GroupTag);

/** The tag of an event about `group`: none for the default group. */
export function groupTag(group: string): GroupTag {
  return group === DEFAULT_GROUP ? {} : { group };
}

/** The group an event is about: its tag, else the default group (events of the run, like publish, too). */
export function groupOf(e: HistoryEvent | RecordedEvent): string {
  return ('group' in e && typeof e.group === 'string' ? e.group : undefined) ?? DEFAULT_GROUP;
}

/** How zonerw before issue 11 recorded every move: read from old history files, never written. */
export type LegacyTransition = { t: number; type: 'transition'; from: string | null; to: string; address: string; reason: string };

/** What a history file may hold. */
export type RecordedEvent = HistoryEvent | LegacyTransition;

export const isMove = (e: HistoryEvent): e is MoveEvent => e.type === 'failover' || e.type === 'failback' || e.type === 'change';

/** Old `transition` events named as a run names them now (failover, failback, change). */
export function nameMoves(events: readonly RecordedEvent[], firstServer: string): HistoryEvent[] {
  return events.map((e) => (e.type === 'transition' ? { ...e, type: moveKind(e.from ?? undefined, e.to, firstServer) } : e));
}

export interface ServerStats {
  server: string;
  /** ms favoured within the window */
  favouredMs: number;
  /** failovers away from this server within the window (only the first server has them) */
  failovers: number;
  /** failbacks from this server to the first one within the window */
  failbacks: number;
  /** other moves away from this server within the window (to another server that is not the first) */
  changes: number;
  /** the longest continuous down period the checks saw, within the window (ms) */
  longestOutageMs: number;
  /** share of the window the checks saw it up (0..1), or null when it has no check history */
  availability: number | null;
  /** one entry per slot: 'up', 'down', or 'none' (no knowledge) */
  slots: ('up' | 'down' | 'none')[];
}

/** Replays the events over [from, to): `servers` in config order, all of one group, and the events that group's (groupOf). */
export function summarise(events: readonly HistoryEvent[], servers: readonly string[], from: number, to: number, slotCount: number): ServerStats[] {
  const sorted = [...events].sort((a, b) => a.t - b.t);
  const span = Math.max(1, to - from);
  return servers.map((server) => {
    // Up/down as the checks saw it: a piecewise-constant function of time.
    const changes = sorted.filter((e): e is Extract<HistoryEvent, { type: 'check' }> => e.type === 'check' && e.server === server);
    const stateAt = (t: number): boolean | undefined => {
      let s: boolean | undefined;
      for (const c of changes) {
        if (c.t > t) break;
        s = c.up;
      }
      return s;
    };
    const slots = Array.from({ length: slotCount }, (_, i) => {
      // a slot is down if the server was down at any moment of it
      const a = from + (span * i) / slotCount;
      const b = from + (span * (i + 1)) / slotCount;
      const inside = changes.filter((c) => c.t >= a && c.t < b).map((c) => c.up);
      const start = stateAt(a);
      const seen = start === undefined ? inside : [start, ...inside];
      return seen.length === 0 ? 'none' : seen.includes(false) ? 'down' : 'up';
    });

    let upMs = 0;
    let knownMs = 0;
    let longest = 0;
    let downSince: number | undefined;
    let cursor = from;
    let current = stateAt(from);
    if (current === false) downSince = from;
    const advance = (until: number) => {
      if (current !== undefined) {
        knownMs += until - cursor;
        if (current) upMs += until - cursor;
      }
      cursor = until;
    };
    for (const c of changes.filter((x) => x.t > from && x.t < to)) {
      advance(c.t);
      if (current !== false && !c.up) downSince = c.t;
      if (current === false && c.up && downSince !== undefined) {
        longest = Math.max(longest, c.t - downSince);
        downSince = undefined;
      }
      current = c.up;
    }
    advance(to);
    if (current === false && downSince !== undefined) longest = Math.max(longest, to - downSince);

    // Favoured: from the moves (the favoured server at `from` is the last one before it).
    const moves = sorted.filter(isMove);
    let favoured: string | undefined;
    for (const mv of moves) if (mv.t <= from) favoured = mv.to;
    let favouredMs = 0;
    const away = { failover: 0, failback: 0, change: 0 };
    let mark = from;
    for (const mv of moves.filter((x) => x.t > from && x.t < to)) {
      if (favoured === server) favouredMs += mv.t - mark;
      if (mv.from === server && mv.to !== server) away[mv.type]++;
      favoured = mv.to;
      mark = mv.t;
    }
    if (favoured === server) favouredMs += to - mark;

    return {
      server, favouredMs, failovers: away.failover, failbacks: away.failback, changes: away.change,
      longestOutageMs: longest, availability: knownMs > 0 ? upMs / knownMs : null, slots,
    };
  });
}

/** Parses history.jsonl text; lines that are not events (a torn last line) are skipped. */
export function parseHistory(text: string): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as RecordedEvent;
      if (typeof e?.t === 'number' && typeof e.type === 'string') events.push(e);
    } catch {
      // a line cut by a crash mid-append: the rest of the history still counts
    }
  }
  return events;
}
