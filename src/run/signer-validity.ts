// A `zonerw check` step: the signatures zonerw's signer makes must outlast dnssec.resign_before,
// or every run signs the zone again (a new serial and a transfer to every secondary each time:
// 30-day signatures with resign_before = "40d" re-sign on every cron run). Measured by signing
// the first zone zonerw signs, as a run would, in a private folder; nothing is installed.
import type { Config } from '../config/types.js';
import { earliestSignatureExpiry, signsZone } from '../core/dnssec.js';
import { formatSpan } from '../core/format.js';
import { configGroups } from '../config/types.js';
import { renderZone } from '../core/run-plan.js';
import { dateIn, dayStart } from '../core/serial.js';
import { groupMarkerValues } from '../core/values.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import { sha256 } from './hash.js';
import { loadZone } from './load.js';
import type { Deps } from './ports.js';

/** What the step needs of `zonerw check`'s preflight. */
export interface SignerPreflight {
  cfg: Config;
  deps: Deps;
  /** the zones found (by the render step) */
  zones: string[];
  problem(line: string, kind: 'config' | 'baseFile' | 'failed'): void;
}

export async function signaturesOutlastResign(p: SignerPreflight): Promise<void> {
  const { cfg, deps } = p;
  const signer = deps.signer;
  const zone = p.zones.find((z) => signsZone(cfg.dnssec, z));
  if (!signer || !cfg.dnssec || zone === undefined) return;
  const { values, unavailable } = groupMarkerValues(configGroups(cfg).map((g) => ({ name: g.name, servers: g.servers, favoured: g.servers[0]!, pool: g.servers })));
  const load = await loadZone(cfg, deps.files, zone, values, unavailable);
  if (!load.ok) return; // said by the render step
  const now = deps.now();
  const rendered = renderZone(load.input, dayStart(dateIn(now, cfg.timezone)), sha256);
  const scratch = await deps.files.scratch();
  try {
    const path = await scratch.write(`.${zone.slice(0, 200)}.zonerw-sign-check`, rendered.text, ZONE_ENCODING);
    const signed = await signer.sign(zone, path, { includeDir: cfg.includeDir });
    if (!signed.ok) return; // said by the render step, which signs every zone
    const expires = earliestSignatureExpiry(signed.text);
    const resignBefore = cfg.dnssec.resignBeforeMs;
    if (expires === undefined || expires - now >= resignBefore) return;
    p.problem(
      `dnssec.resign_before: the signatures ${signed.signer} makes (${zone}) last ${formatSpan(expires - now)}, less than resign_before (${formatSpan(resignBefore)}): ` +
        'every run would sign every zone again, with a new serial and a transfer to each secondary; make them last longer (dnssec-signzone -e +40d, ldns-signzone -e) or lower resign_before',
      'config',
    );
  } finally {
    await scratch.dispose();
  }
}
