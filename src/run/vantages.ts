// The [[vantage]] side of a run: every server probe is also asked of every vantage's
// blackbox_exporter, at the same time as zonerw's own and within the probe's timeout; the votes
// are counted (core/votes.ts) before core/health.ts sees a result, so hysteresis applies to the
// quorum's verdict. A vantage that does not answer is named in one line; a server without a
// verdict is said to change nothing.
import { configGroups, type Config, type ServerConfig, type VantageConfig } from '../config/types.js';
import type { GroupDecided } from '../core/groups.js';
import type { ProbeOutcome, ServerMemory } from '../core/health.js';
import { formatHostPort } from '../core/address.js';
import type { Vote } from '../core/probe.js';
import { countVotes, describeTally, votedOutcome } from '../core/votes.js';
import type { AskVantage } from './ports.js';

/** What a vantage is asked for a server: the target and module, as its check says. */
export function vantageProbe(vantage: VantageConfig, server: ServerConfig): { target: string; module: string; timeoutMs: number } | undefined {
  const check = server.check;
  if (!check) return undefined;
  const spec = check.spec;
  const target = spec.kind === 'tcp' ? formatHostPort(spec) : spec.url;
  return { target, module: check.module ?? vantage.modules[spec.kind], timeoutMs: spec.timeoutMs };
}

/** One vote from one vantage: probe_success, or no vote and why. */
export async function askVote(vantage: VantageConfig, server: ServerConfig, ask: AskVantage | undefined): Promise<Vote> {
  const probe = vantageProbe(vantage, server)!;
  if (!ask) return { vantage: vantage.name, up: null, reason: 'vantages cannot be asked here' };
  const answer = await ask(vantage.blackbox, probe.target, probe.module, probe.timeoutMs);
  return 'error' in answer ? { vantage: vantage.name, up: null, reason: answer.error } : { vantage: vantage.name, up: answer.up, reason: answer.reason };
}

/** Every vantage's vote on every checked server, by server name; undefined without [[vantage]] tables. */
export async function askVantages(cfg: Config, ask: AskVantage | undefined): Promise<Map<string, Vote[]> | undefined> {
  const vantages = cfg.vantages ?? [];
  if (vantages.length === 0) return undefined;
  const checked = cfg.servers.filter((s) => s.check);
  const votes = await Promise.all(checked.map(async (s) => [s.name, await Promise.all(vantages.map((v) => askVote(v, s, ask)))] as const));
  return new Map(votes);
}

/** zonerw's own outcomes with the votes counted in, or as they are without vantages. */
export function votedOutcomes(cfg: Config, probed: { outcomes: Map<string, ProbeOutcome>; votes?: Map<string, Vote[]> }, memory: Readonly<Record<string, ServerMemory>>): Map<string, ProbeOutcome> {
  const { votes } = probed;
  if (!votes) return probed.outcomes;
  const quorumOf = new Map(configGroups(cfg).flatMap((g) => g.servers.map((s) => [s.name, cfg.quorum?.[g.name] ?? 1] as const)));
  return new Map(
    [...probed.outcomes].map(([name, own]) => {
      const before = memory[name];
      // no verdict keeps the last result, so the server's memory is left as it is
      const remembered = before?.lastCheck?.up ?? before?.up;
      return [name, votedOutcome(own, votes.get(name) ?? [], quorumOf.get(name) ?? 1, remembered)] as const;
    }),
  );
}

/** One warning per vantage that did not answer, one line per server without a verdict. */
export function sayVotes(decided: readonly GroupDecided[], ctx: { warn(line: string): void; say(line: string): void }, cfg: Config): void {
  const silent = new Map<string, Set<string>>();
  for (const g of decided) {
    for (const v of g.decision.servers) {
      const o = v.outcome;
      for (const vote of o?.votes ?? []) if (vote.up === null) silent.set(vote.vantage, (silent.get(vote.vantage) ?? new Set()).add(vote.reason));
      if (o?.undecided) {
        const quorum = cfg.quorum?.[g.group] ?? 1;
        const tally = describeTally(countVotes(o.votes ?? [], quorum), quorum);
        // nothing remembered to keep: the server is unknown, not up (core/health.ts)
        ctx.say(v.unknown ? `${v.name}: ${tally}: no verdict yet, so it is not counted as up this run; nothing is recorded for it` : `${v.name}: ${tally}: this run changes nothing for it`);
      }
    }
  }
  for (const [name, reasons] of silent) {
    const blackbox = cfg.vantages?.find((x) => x.name === name)?.blackbox ?? '';
    ctx.warn(`vantage ${name} (${blackbox}) did not answer: ${[...reasons].join('; ')}; it has no vote this run`);
  }
}
