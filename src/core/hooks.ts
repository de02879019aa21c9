// Which hook events a run raises. Pure: the decision and what the run did come in.
import type { HealthDecision, FavouredMemory } from './health.js';

export const HOOK_EVENTS = ['failover', 'failback', 'change', 'publish', 'error'] as const;
export type HookEventName = (typeof HOOK_EVENTS)[number];

export interface RaisedEvent {
  on: HookEventName;
  /** the group whose favoured server moved; undefined for publish and error, which are about the run */
  group?: string;
  from?: FavouredMemory;
  to: FavouredMemory;
  reason: string;
}

/** One group's decision, as the hooks see it. */
export interface GroupMove {
  group: string;
  decision: HealthDecision;
  /** the group's first server: a move away from it is a failover */
  first: string;
  /** whom the group favoured before this run */
  previous?: FavouredMemory;
  transition?: string;
}

/** What a move of the favoured server is called, in hooks and in the history alike. */
export type MoveKind = 'failover' | 'failback' | 'change';

/**
 * failover: away from the first server (a first run that starts elsewhere counts as one);
 * failback: back to the first server from another one; change: any other move (between two
 * other servers, a new address for the same server, or a first run's start on the first server).
 */
export function moveKind(from: string | undefined, to: string, firstServer: string): MoveKind {
  if (from === to) return 'change';
  if (to === firstServer) return from === undefined ? 'change' : 'failback';
  return (from ?? firstServer) === firstServer ? 'failover' : 'change';
}

/**
 * For each group in order, failover and failback as moveKind says, and change: any move (raised
 * with either). Then, once for the run: publish (zones were published) and error (something
 * failed), whose from and to are the first group's (the default group's, when there is one).
 */
export function raisedEvents(groups: readonly GroupMove[], published: readonly string[], errors: readonly string[]): RaisedEvent[] {
  const events: RaisedEvent[] = [];
  for (const g of groups) {
    const d = g.decision;
    if (!d.favouredChanged) continue;
    const base = { group: g.group, ...(g.previous ? { from: g.previous } : {}), to: d.favoured, reason: g.transition ?? d.rule };
    const kind = moveKind(g.previous?.server, d.favoured.server, g.first);
    if (kind !== 'change') events.push({ on: kind, ...base });
    events.push({ on: 'change', ...base });
  }
  const first = groups[0]!;
  const run = { ...(first.previous ? { from: first.previous } : {}), to: first.decision.favoured };
  if (published.length > 0) events.push({ on: 'publish', ...run, reason: `published ${published.join(' ')}` });
  if (errors.length > 0) events.push({ on: 'error', ...run, reason: errors.join('; ') });
  return events;
}
