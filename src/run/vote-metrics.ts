// The votes of a run as metrics (core/metrics.ts renders them): every vote cast on every server,
// labelled by vantage, and whether each vantage answered; nothing without [[vantage]] tables.
import type { HealthDecision } from '../core/health.js';
import type { MetricsInput } from '../core/metrics.js';
import { vantagesReached } from '../core/votes.js';

export function voteMetrics(groups: readonly { group: string; decision: HealthDecision }[], label: (group: string) => { group?: string }): Pick<MetricsInput, 'votes' | 'vantages'> {
  const votes = groups.flatMap(({ group, decision }) =>
    decision.servers.flatMap((v) => (v.outcome?.votes ?? []).flatMap((vote) => (vote.up === null ? [] : [{ server: v.name, ...label(group), vantage: vote.vantage, up: vote.up }]))),
  );
  const reached = vantagesReached(groups.flatMap(({ decision }) => decision.servers.map((v) => v.outcome)));
  if (reached.size === 0) return {};
  return { votes, vantages: [...reached].map(([vantage, reachable]) => ({ vantage, reachable })) };
}
