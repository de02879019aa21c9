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

/**
 * failover: the favoured server moved away from the first server; failback: it moved back to
 * the first; change: any move (raised with either); publish: zones were published; error:
 * something failed. A first run that starts away from the first server counts as a failover.
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
    const wasFirst = (previous?.server ?? firstServer) === firstServer;
    if (d.favoured.server === firstServer) events.push({ on: 'failback', ...base, reason });
    else if (wasFirst) events.push({ on: 'failover', ...base, reason });
    events.push({ on: 'change', ...base, reason });
  }
  if (published.length > 0) events.push({ on: 'publish', ...base, reason: `published ${published.join(' ')}` });
  if (errors.length > 0) events.push({ on: 'error', ...base, reason: errors.join('; ') });
  return events;
}
