// `zonerw check`'s vantage step: every [[vantage]] is asked once for each module the servers'
// checks would use it with (probing the first server that uses it), and named when it does not
// answer or does not have the module; and a check key only zonerw's own probe checks is warned
// about (config/vantage-keys.ts).
import type { Config } from '../config/types.js';
import type { Deps } from '../run/ports.js';
import { askVote, vantageProbe } from '../run/vantages.js';
import { ownOnlyWarnings } from '../config/vantage-keys.js';

interface VantageStep {
  cfg: Config;
  deps: Pick<Deps, 'askVantage' | 'log'>;
  problem(line: string, kind: 'config' | 'failed'): void;
}

export async function vantagesAnswer(p: VantageStep): Promise<void> {
  // keys the vantages never see, kept with a module named on purpose: said, not refused
  for (const line of ownOnlyWarnings(p.cfg)) p.deps.log.err(line);
  const asks = (p.cfg.vantages ?? []).flatMap((vantage) => {
    const byModule = new Map(p.cfg.servers.flatMap((s) => {
      const probe = vantageProbe(vantage, s);
      return probe ? [[probe.module, s] as const] : [];
    }).reverse());
    return [...byModule].map(([module, server]) => ({ vantage, module, server }));
  });
  const votes = await Promise.all(asks.map(async (a) => ({ ...a, vote: await askVote(a.vantage, a.server, p.deps.askVantage) })));
  for (const { vantage, module, server, vote } of votes) {
    if (vote.up !== null) continue;
    const who = `vantage ${vantage.name} (${vantage.blackbox})`;
    if (/^unknown module/.test(vote.reason)) {
      p.problem(`${who}: has no module "${module}" (for server ${server.name}); add it to its blackbox.yml, or name one it has in the vantage's modules or the server's check.module`, 'config');
    } else {
      p.problem(`${who}: does not answer (${vote.reason}); start its blackbox_exporter, or fix the vantage's blackbox URL`, 'failed');
    }
  }
}
