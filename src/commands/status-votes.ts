// status's part of the votes ([[vantage]] tables): the votes behind each server's last verdict,
// as the state remembers them with the last check.
import type { ProbeOutcome } from '../core/health.js';
import { describeVotes } from '../core/votes.js';
import type { Vote } from '../core/probe.js';

/** The votes of a server's last check, or null when no vantage voted (no [[vantage]] tables). */
export function statusVotes(last: ProbeOutcome | undefined): { votes: Vote[]; undecided: boolean } | null {
  return last?.votes ? { votes: last.votes.map((v) => ({ vantage: v.vantage, up: v.up, reason: v.reason })), undecided: last.undecided === true } : null;
}

/** `    votes: zonerw down (HTTP 404), fra up (HTTP 200), ams up (HTTP 200)`, or nothing. */
export function formatVotes(v: ReturnType<typeof statusVotes>): string[] {
  return v ? [`    votes: ${describeVotes(v.votes)}${v.undecided ? ' (no verdict: nothing changed)' : ''}`] : [];
}
