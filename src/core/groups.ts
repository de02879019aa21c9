// Service groups: independent failovers in one config. The top-level [[server]] tables are the
// group `default`; each [[group]] adds one, with its own servers, all_down and pin, named by
// markers such as @IP:mail@. Every group is decided on its own (core/health.ts), from one round
// of probes; only the reference hosts are judged once for all: a server down while no reference
// answers means zonerw's own network is down, and then nothing changes in any group.
import { decideHealth, needsReference, type AllDown, type HealthDecision, type ProbeOutcome, type ServerInput, type ServerMemory } from './health.js';
import { DEFAULT_GROUP } from './markers.js';
import type { GroupState } from './state.js';

export { DEFAULT_GROUP };

export interface GroupInput {
  name: string;
  /** in config order: the first is the one failovers move away from */
  servers: readonly ServerInput[];
  allDown: AllDown;
}

/** One group's decision for this run. */
export interface GroupDecided {
  group: string;
  decision: HealthDecision;
  /** the group's first server: a move away from it is a failover */
  first: string;
}

export interface GroupsInput {
  groups: readonly GroupInput[];
  /** this run's probe of every checked server, of every group, by server name */
  outcomes: ReadonlyMap<string, ProbeOutcome>;
  memory: { groups: Readonly<Record<string, GroupState>>; servers: Readonly<Record<string, ServerMemory>> };
  /** undefined: no reference configured or none asked; else whether any reference answered */
  referencesUp?: boolean;
  now: number;
}

export function decideGroups(input: GroupsInput): GroupDecided[] {
  const { outcomes, memory, now } = input;
  const networkDown = input.referencesUp === false && needsReference(input.groups.flatMap((g) => g.servers), outcomes);
  return input.groups.map((g) => {
    const remembered = memory.groups[g.name] ?? {};
    const decision = decideHealth({ servers: g.servers, outcomes, memory: { ...remembered, servers: memory.servers }, allDown: g.allDown, now, networkDown });
    return { group: g.name, decision, first: g.servers[0]!.name };
  });
}

/**
 * Whether what zonerw prints names the groups: not for a config with the default group alone,
 * which prints what it printed before there were groups.
 */
export function namesGroups(groups: readonly { name: string }[]): boolean {
  return !(groups.length === 1 && groups[0]!.name === DEFAULT_GROUP);
}

/** `group mail: ` before a line about a group, when the config names groups; else ''. */
export function groupPrefix(group: string, named: boolean): string {
  return named ? `group ${group}: ` : '';
}
