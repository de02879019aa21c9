// Observe the servers: probe each (in parallel: a run should not take the sum of the
// timeouts), retrying up to `attempts` times within this run, and the reference hosts when a
// server failed; then let core/health decide. Which answer counts is health.ts's call.
import { configGroups, type Config, type ProbeConfig, type ServerConfig } from '../config/types.js';
import { decideGroups, type GroupDecided, type GroupsInput } from '../core/groups.js';
import { needsReference, type ProbeOutcome, type ServerInput, type ServerMemory } from '../core/health.js';
import type { Vote } from '../core/probe.js';
import { askVantages, votedOutcomes } from './vantages.js';
import type { AskVantage, Probe } from './ports.js';

export async function probeOnce(probeConfig: ProbeConfig, probe: Probe, now: () => number): Promise<ProbeOutcome> {
  let result: Awaited<ReturnType<Probe>> | undefined;
  let attempts = 0;
  while (attempts < probeConfig.attempts && !result?.up) {
    attempts++;
    result = await probe(probeConfig.spec);
  }
  return { up: result!.up, reason: result!.reason, latencyMs: result!.latencyMs, attempts, at: now() };
}

/** Probes every named target at once; a name without a probe is left out of the result. */
export async function probeAll(
  targets: readonly { name: string; check?: ProbeConfig | undefined }[],
  probe: Probe,
  now: () => number,
): Promise<Map<string, ProbeOutcome>> {
  const entries = await Promise.all(
    targets.map(async ({ name, check }) => (check ? ([name, await probeOnce(check, probe, now)] as const) : undefined)),
  );
  return new Map(entries.filter((e) => e !== undefined));
}

/** Whether any reference host answers; they are asked together and the first answer settles it. */
export async function anyReferenceUp(references: readonly ProbeConfig[], probe: Probe, now: () => number): Promise<boolean> {
  const outcomes = await probeAll(references.map((check, i) => ({ name: String(i), check })), probe, now);
  return [...outcomes.values()].some((o) => o.up);
}

/**
 * Probes the servers of every group at once, and the reference hosts when a server failed, then
 * decides each group (core/groups.ts).
 */
/** What the probes found: every server's outcome, and whether a reference host answered (asked only when a server failed). */
export interface Probed {
  /** zonerw's own probe of each server */
  outcomes: Map<string, ProbeOutcome>;
  referencesUp?: boolean;
  /** with [[vantage]] tables: each vantage's vote on each server (run/vantages.ts), asked alongside */
  votes?: Map<string, Vote[]>;
}

/** Probes the servers (and asks the vantages at the same time), and the reference hosts when a server failed. Needs no state: a run starts it first. */
export async function probeServers(cfg: Config, deps: { probe: Probe; now: () => number; askVantage?: AskVantage }): Promise<Probed> {
  const [outcomes, votes] = await Promise.all([probeAll(cfg.servers, deps.probe, deps.now), askVantages(cfg, deps.askVantage)]);
  const probed: Probed = votes ? { outcomes, votes } : { outcomes };
  const all = configGroups(cfg).flatMap((g) => g.servers.map(serverInput));
  // the reference hosts are asked when a verdict (the quorum's, with vantages) says down
  if (cfg.reference.length === 0 || !needsReference(all, votedOutcomes(cfg, probed, {}))) return probed;
  return { ...probed, referencesUp: await anyReferenceUp(cfg.reference, deps.probe, deps.now) };
}

/** Each group decided from what the probes found (the quorum's verdict, with vantages) and what the state remembers. */
export function decideServers(cfg: Config, probed: Probed, memory: GroupsInput['memory'], now: number): GroupDecided[] {
  const groups = configGroups(cfg).map((g) => ({ name: g.name, allDown: g.allDown, servers: g.servers.map(serverInput) }));
  const outcomes = votedOutcomes(cfg, probed, memory.servers as Readonly<Record<string, ServerMemory>>);
  return decideGroups({ groups, outcomes, memory, now, ...(probed.referencesUp !== undefined ? { referencesUp: probed.referencesUp } : {}) });
}

function serverInput(s: ServerConfig): ServerInput {
  return {
    name: s.name,
    address: s.address,
    ...(s.address6 !== undefined ? { address6: s.address6 } : {}),
    checked: s.check !== undefined,
    failAfter: s.check?.failAfter ?? 1,
    recoverAfter: s.check?.recoverAfter ?? 1,
    ...(s.check?.failAfterMs !== undefined ? { failAfterMs: s.check.failAfterMs } : {}),
    ...(s.check?.recoverAfterMs !== undefined ? { recoverAfterMs: s.check.recoverAfterMs } : {}),
  };
}
