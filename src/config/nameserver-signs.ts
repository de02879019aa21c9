// `[nameserver] signs`: the zones the nameserver signs itself (BIND dnssec-policy with
// inline-signing, Knot dnssec-signing), so that zonerw watches their DNSSEC as served: `true`
// for every zone zonerw does not sign itself, or a list of zone names. Every problem is
// collected with its key path, like the rest of the config.
import type { DnssecSettings } from '../core/dnssec.js';
import { zoneNameProblem } from '../core/names.js';
import { describe, type Reader } from './reader.js';

const BOTH = 'both signers would sign it (the nameserver re-signs over zonerw\'s signatures with other keys); keep one: remove the zone from [nameserver] signs, or from [dnssec] (dnssec.zones)';

/** The zones the nameserver signs: true (every zone [dnssec] does not sign), a list, or undefined. */
export function readNameserverSigns(
  r: Reader, raw: unknown, ctx: { address: boolean; zones: readonly string[] | undefined; dnssec: DnssecSettings | undefined },
): true | string[] | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) {
    if (ctx.dnssec !== undefined && ctx.dnssec.zones === undefined) r.problem('nameserver.signs', `true, but [dnssec] signs every zone: ${BOTH}`);
    else if (!ctx.address) r.problem('nameserver.signs', 'needs nameserver.address: zonerw watches what the primary serves by asking it with DO; set address, or remove signs');
    return true;
  }
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((z) => typeof z === 'string')) {
    r.problem('nameserver.signs', `must be true (the nameserver signs every zone zonerw does not sign) or a non-empty list of zone names, like ["example.com"], not ${describe(raw)}`);
    return undefined;
  }
  const zones = raw as string[];
  zones.forEach((z, i) => {
    const problem = zoneNameProblem(z);
    if (problem) r.problem(`nameserver.signs[${i}]`, `${problem}: ${describe(z)}`);
    else if (ctx.zones && !ctx.zones.includes(z)) r.problem(`nameserver.signs[${i}]`, `${describe(z)} is not one of zones`);
    else if (ctx.dnssec !== undefined && (ctx.dnssec.zones === undefined || ctx.dnssec.zones.includes(z))) r.problem(`nameserver.signs[${i}]`, `${describe(z)} is signed by zonerw ([dnssec]) too: ${BOTH}`);
  });
  if (!ctx.address) r.problem('nameserver.signs', 'needs nameserver.address: zonerw watches what the primary serves by asking it with DO; set address, or remove signs');
  return zones;
}
