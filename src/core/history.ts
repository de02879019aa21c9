// What happened, as one JSON line per event (history.jsonl), and what the history command
// makes of it: per server, time favoured, failovers, longest outage, availability seen by the
// checks, and a timeline of up/down slots. Pure: events and the window are inputs.

export type HistoryEvent =
  | { t: number; type: 'check'; server: string; up: boolean; reason: string }
  | { t: number; type: 'transition'; from: string | null; to: string; address: string; reason: string }
  | { t: number; type: 'publish'; zone: string; serial: number; why: string[] }
  | { t: number; type: 'pin'; server: string; until: number | null; reason: string | null; by: string | null }
  | { t: number; type: 'unpin'; server: string; by: string | null; expired: boolean }
  | { t: number; type: 'error'; message: string }
  | { t: number; type: 'hook'; on: string; run: string[]; ok: boolean; result: string };

export interface ServerStats {
  server: string;
  /** ms favoured within the window */
  favouredMs: number;
  /** transitions away from this server within the window */
  failovers: number;
  /** the longest continuous down period the checks saw, within the window (ms) */
  longestOutageMs: number;
  /** share of the window the checks saw it up (0..1), or null when it has no check history */
  availability: number | null;
  /** one entry per slot: 'up', 'down', or 'none' (no knowledge) */
  slots: ('up' | 'down' | 'none')[];
}

/** Replays the events over [from, to): `servers` in config order. */
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

    // Favoured: from the transitions (the favoured server at `from` is the last one before it).
    const transitions = sorted.filter((e): e is Extract<HistoryEvent, { type: 'transition' }> => e.type === 'transition');
    let favoured: string | undefined;
    for (const tr of transitions) if (tr.t <= from) favoured = tr.to;
    let favouredMs = 0;
    let failovers = 0;
    let mark = from;
    for (const tr of transitions.filter((x) => x.t > from && x.t < to)) {
      if (favoured === server) favouredMs += tr.t - mark;
      if (tr.from === server && tr.to !== server) failovers++;
      favoured = tr.to;
      mark = tr.t;
    }
    if (favoured === server) favouredMs += to - mark;

    return { server, favouredMs, failovers, longestOutageMs: longest, availability: knownMs > 0 ? upMs / knownMs : null, slots };
  });
}

/** Parses history.jsonl text; lines that are not events (a torn last line) are skipped. */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as HistoryEvent;
      if (typeof e?.t === 'number' && typeof e.type === 'string') events.push(e);
    } catch {
      // a line cut by a crash mid-append: the rest of the history still counts
    }
  }
  return events;
}
