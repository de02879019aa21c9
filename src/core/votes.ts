// Votes from several places on one server's probe: zonerw's own and each [[vantage]]'s (a
// blackbox_exporter elsewhere). A server counts as down in this run when at least `quorum`
// votes say down, as up when at least `quorum` say up; otherwise there is no verdict and the
// run changes nothing for it (core/health.ts freezes it, as when zonerw's own network is down).
// A vantage that did not answer casts no vote. Pure: the votes come in, the outcome goes out;
// hysteresis then applies to the verdict, not to any single vote.
import type { ProbeOutcome } from './health.js';
import { OWN_VANTAGE, type Vote } from './probe.js';

export type Verdict = 'up' | 'down' | 'none';

/** A majority of zonerw plus the configured vantages: 1 alone, 2 of 2, 2 of 3, 3 of 4. */
export function defaultQuorum(vantages: number): number {
  return Math.floor((1 + vantages) / 2) + 1;
}

export interface Tally {
  up: number;
  down: number;
  /** vantages that did not answer */
  silent: number;
  verdict: Verdict;
}

export function countVotes(votes: readonly Vote[], quorum: number): Tally {
  const up = votes.filter((v) => v.up === true).length;
  const down = votes.filter((v) => v.up === false).length;
  const silent = votes.length - up - down;
  // down first: with a quorum below a majority both sides could reach it, and a server that
  // `quorum` places see down is not one to keep sending users to
  const verdict: Verdict = down >= quorum ? 'down' : up >= quorum ? 'up' : 'none';
  return { up, down, silent, verdict };
}

/**
 * The outcome health.ts sees: zonerw's own probe with every vote behind it. `remembered`: what
 * the server's last raw result was (undefined: never checked), kept as `up` when there is no
 * verdict so that nothing about the server changes. With nothing remembered there is nothing to
 * keep: `up` is false and health.ts takes the server as unknown (not up this run, nothing
 * recorded), never as up on the strength of no verdict.
 */
export function votedOutcome(own: ProbeOutcome, vantages: readonly Vote[], quorum: number, remembered: boolean | undefined): ProbeOutcome {
  const votes: Vote[] = [{ vantage: OWN_VANTAGE, up: own.up, reason: own.reason }, ...vantages];
  const tally = countVotes(votes, quorum);
  const reason = `${describeTally(tally, quorum)}: ${describeVotes(votes)}`;
  if (tally.verdict === 'none') return { ...own, up: remembered ?? false, reason, votes, undecided: true };
  return { ...own, up: tally.verdict === 'up', reason, votes };
}

/** `up by 2 of 3 votes (quorum 2)`, `no verdict: 1 up, 1 down, quorum 2` */
export function describeTally(t: Tally, quorum: number): string {
  const cast = t.up + t.down;
  if (t.verdict === 'none') return `no verdict: ${t.up} up, ${t.down} down${t.silent > 0 ? `, ${t.silent} silent` : ''}, quorum ${quorum}`;
  return `${t.verdict} by ${t.verdict === 'up' ? t.up : t.down} of ${cast} vote${cast === 1 ? '' : 's'} (quorum ${quorum})`;
}

/** `zonerw down (HTTP 404), fra up (HTTP 200), ams no vote (connection refused)` */
export function describeVotes(votes: readonly Vote[]): string {
  return votes.map((v) => `${v.vantage} ${v.up === null ? 'no vote' : v.up ? 'up' : 'down'} (${v.reason})`).join(', ');
}

/** The votes behind each server's verdict, by server, for a history event; {} when no vantage voted. */
export function votesBehind(servers: readonly { name: string; outcome?: ProbeOutcome }[]): { votes?: Record<string, Vote[]> } {
  const entries = servers.flatMap((s) => (s.outcome?.votes ? [[s.name, s.outcome.votes] as const] : []));
  return entries.length === 0 ? {} : { votes: Object.fromEntries(entries) };
}

/** Per vantage: whether it answered every probe asked of it this run (zonerw's own vote left out). */
export function vantagesReached(outcomes: Iterable<ProbeOutcome | undefined>): Map<string, boolean> {
  const reached = new Map<string, boolean>();
  for (const o of outcomes) {
    for (const v of o?.votes ?? []) {
      if (v.vantage === OWN_VANTAGE) continue;
      reached.set(v.vantage, (reached.get(v.vantage) ?? true) && v.up !== null);
    }
  }
  return reached;
}
