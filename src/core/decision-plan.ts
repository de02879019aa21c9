// The decision's part of the run plan: for every group, what its decision says (the transition
// line), traces (each server's verdict), records (history events, the health the state keeps)
// and whom it favours. Pure: the groups' decisions, what the state remembered and the clock.
import { groupPrefix, namesGroups, type GroupDecided } from './groups.js';
import { describeTransition, rememberHealth, traceVerdict, type HealthDecision, type ServerMemory } from './health.js';
import { groupTag, type HistoryEvent } from './history.js';
import { moveKind, type GroupMove } from './hooks.js';
import type { GroupState } from './state.js';
import { votesBehind } from './votes.js';

/** One group's part of the decision. */
export interface GroupPlan extends GroupMove {
  /** the transition line (without the group's name), if the favoured server or a server's status changed */
  transition?: string;
}

/** The decision's part of the plan, for every group: what it says, what it records, what it traces. */
export interface DecisionPlan {
  /** in config order, the default group first */
  groups: GroupPlan[];
  /** output lines (cron mails them) */
  say: string[];
  /** -v lines */
  trace: string[];
  events: HistoryEvent[];
  /** what the state remembers of the servers and of each group from now on (a group no longer configured is forgotten) */
  health: { servers: Record<string, ServerMemory>; groups: Record<string, GroupState> };
  /** a server looks down and no reference host answers: the one error line, and nothing changes */
  networkDown?: string;
}

type Before = { groups: Readonly<Record<string, GroupState>>; servers: Readonly<Record<string, ServerMemory>> };

export function planDecision(decided: readonly GroupDecided[], before: Before, now: number): DecisionPlan {
  const named = namesGroups(decided.map((g) => ({ name: g.group })));
  const plan: DecisionPlan = { groups: [], say: [], trace: [], events: [], health: { servers: {}, groups: {} } };
  for (const g of decided) planGroup(plan, g, before, now, named);
  for (const [group, memory] of Object.entries(before.groups)) {
    if (decided.some((g) => g.group === group)) continue;
    const was = memory.favoured ? ` (it favoured ${memory.favoured.server} ${memory.favoured.address})` : '';
    plan.say.push(`group ${group}: no longer in the config; zonerw forgets it${was}`);
  }
  if (decided.some((g) => g.decision.networkDown)) {
    const down = decided.flatMap((g) => g.decision.servers.filter((v) => !v.raw).map((v) => `${v.name} (${v.outcome?.reason ?? 'down'})`));
    plan.networkDown = `${down.join(', ')} look${down.length === 1 ? 's' : ''} down, and no reference host answers either: zonerw's own network seems down, so nothing was changed`;
  }
  return plan;
}

/** What one group's decision says, traces and records; `named`: the lines name the group. */
function planGroup(plan: DecisionPlan, g: GroupDecided, before: Before, now: number, named: boolean): void {
  const { decision: d, group, first } = g;
  const previous = before.groups[group]?.favoured;
  const label = groupPrefix(group, named);
  const tag = groupTag(group);
  plan.events.push(...checkEvents(d, before.servers, now, group));
  plan.trace.push(...d.servers.map((v) => `${label}check: ${traceVerdict(v)}`), `${label}decision: ${d.rule}`);
  if (d.pinExpired) {
    plan.say.push(`${label}pin on ${d.pinExpired.server} expired; favouring the servers by their checks again`);
    plan.events.push({ t: now, type: 'unpin', ...tag, server: d.pinExpired.server, by: null, expired: true });
  }
  const transition = describeTransition(d);
  if (transition) plan.say.push(`${label}${transition}`);
  if (d.favouredChanged || !previous) {
    // the first run records where it starts, so history can count time favoured from there;
    // a move is named as its hooks are (failover, failback, change)
    const type = moveKind(previous?.server, d.favoured.server, first);
    plan.events.push({ t: now, type, ...tag, from: previous?.server ?? null, to: d.favoured.server, address: d.favoured.address, reason: transition ?? d.rule, ...votesBehind(d.servers) });
  }
  const { servers, ...memory } = rememberHealth(d);
  Object.assign(plan.health.servers, servers);
  plan.health.groups[group] = { ...memory, rule: d.rule };
  plan.groups.push({ group, decision: d, first, ...(previous ? { previous } : {}), ...(transition ? { transition } : {}) });
}

/** A check event for each server whose raw result differs from the last run's (or is new); votes that reached no quorum are no result. */
function checkEvents(d: HealthDecision, before: Readonly<Record<string, ServerMemory>>, now: number, group: string): HistoryEvent[] {
  return d.servers.flatMap((v): HistoryEvent[] => {
    const last = before[v.name]?.streak?.up;
    if (!v.outcome || v.outcome.undecided || last === v.raw) return [];
    return [{ t: now, type: 'check', ...groupTag(group), server: v.name, up: v.raw, reason: v.outcome.reason }];
  });
}
