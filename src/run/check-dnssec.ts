// A `zonerw check` step: for each zone that should be signed (zonerw signs it, [dnssec]; or the
// nameserver does, [nameserver] signs), the primary is asked with DO what it serves: DNSKEY and
// RRSIG present, the signatures valid in time, and for a zone zonerw signs the DNSKEY set it
// signed with (as the last run recorded it). Each problem one line naming the zone, with its fix
// (core/served-dnssec.ts words it). A zone zonerw has not published yet is not asked.
import type { Config } from '../config/types.js';
import { judgeServedDnssec, signedBy } from '../core/served-dnssec.js';
import type { Deps } from './ports.js';
import { mapLimit } from './map-limit.js';
import { QUERY_TIMEOUT_MS } from './primary.js';

/** What the step needs of check's preflight. */
export interface DnssecPreflight {
  cfg: Config;
  deps: Pick<Deps, 'peekState' | 'askSignatures' | 'now'>;
  zones: string[];
  problem(line: string, kind: 'config' | 'baseFile' | 'failed'): void;
  /** the control command is missing or does not answer: said already */
  noControl: boolean;
  folders: { state: boolean };
}

export async function servedDnssecHolds(p: DnssecPreflight): Promise<void> {
  const { cfg, deps } = p;
  const at = cfg.nameserver.address;
  const ask = deps.askSignatures;
  if (!at || !ask || p.noControl || !p.folders.state) return;
  const state = await deps.peekState(cfg.stateDir).then((r) => r.state, () => undefined);
  if (!state) return;
  const zones = p.zones.filter((zone) => signedBy(cfg, zone) !== undefined && state.zones[zone] !== undefined);
  const answers = await mapLimit(zones, 32, (zone) => ask(at.host, at.port, zone, QUERY_TIMEOUT_MS));
  const now = deps.now();
  for (const [i, zone] of zones.entries()) {
    const verdict = judgeServedDnssec(zone, answers[i]!, signedBy(cfg, zone)!, now, state.zones[zone]!.keyTags);
    for (const line of verdict.lines) p.problem(line, 'failed');
  }
}
