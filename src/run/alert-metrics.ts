// Metrics the shipped alerting rules (packaging/prometheus/zonerw.rules.yml) need, rendered by
// core/metrics.ts: every vote cast on every server, labelled by vantage, and whether each
// vantage answered (nothing without [[vantage]] tables); whether each group failed over.
import { configGroups, type Config } from '../config/types.js';
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

/** Per group: whether the favoured server is another than the group's first. */
export function failoverMetrics(cfg: Config, groups: readonly { group: string; decision: HealthDecision }[], label: (group: string) => { group?: string }): Pick<MetricsInput, 'failedOver'> {
  const first = new Map(configGroups(cfg).map((g) => [g.name, g.servers[0]?.name]));
  return { failedOver: groups.map(({ group, decision }) => ({ ...label(group), failedOver: decision.favoured.server !== first.get(group) })) };
}
