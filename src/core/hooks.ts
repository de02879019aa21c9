// Which hook events a run raises. Pure: the decision and what the run did come in.
import type { HealthDecision, FavouredMemory } from './health.js';

export const HOOK_EVENTS = ['failover', 'failback', 'change', 'publish', 'error'] as const;
export type HookEventName = (typeof HOOK_EVENTS)[number];

export interface RaisedEvent {
  on: HookEventName;
  from?: FavouredMemory;
  to: FavouredMemory;
  reason: string;
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
 * failover and failback as moveKind says; change: any move (raised with either); publish:
 * zones were published; error: something failed.
 */
export function raisedEvents(
  d: HealthDecision,
  previous: FavouredMemory | undefined,
  firstServer: string,
  published: readonly string[],
  errors: readonly string[],
  transition: string | undefined,
): RaisedEvent[] {
  const events: RaisedEvent[] = [];
  const base = { ...(previous ? { from: previous } : {}), to: d.favoured };
  if (d.favouredChanged) {
    const reason = transition ?? d.rule;
    const kind = moveKind(previous?.server, d.favoured.server, firstServer);
    if (kind !== 'change') events.push({ on: kind, ...base, reason });
    events.push({ on: 'change', ...base, reason });
  }
  if (published.length > 0) events.push({ on: 'publish', ...base, reason: `published ${published.join(' ')}` });
  if (errors.length > 0) events.push({ on: 'error', ...base, reason: errors.join('; ') });
  return events;
}
