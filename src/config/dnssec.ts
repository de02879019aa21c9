// `[dnssec]`: zonerw signs each rendered zone itself, for a nameserver that does not sign (NSD).
// Every problem is collected with its key path, like the rest of the config.
import { PLACEHOLDERS, type DnssecSettings } from '../core/dnssec.js';
import { parseDuration } from '../core/format.js';
import { closest, zoneNameProblem } from '../core/names.js';
import { describe, type Reader, type Table } from './reader.js';

const DNSSEC_KEYS = ['sign', 'resign_before', 'timeout', 'zones'] as const;
const EXAMPLE = '["dnssec-signzone", "-S", "-K", "/etc/zonerw/keys", "-o", "{zone}", "-f", "{out}", "{in}"]';
/** Signatures last 30 days by default with dnssec-signzone, 4 weeks with ldns-signzone. */
const DEFAULT_RESIGN_BEFORE = 7 * 86_400_000;
const MAX_RESIGN_BEFORE = 366 * 86_400_000;

export function readDnssec(r: Reader, raw: unknown, topKeys: readonly string[], zones: readonly string[] | undefined): DnssecSettings | undefined {
  const t = r.table(raw, 'dnssec');
  if (!t) return undefined;
  r.known(t, 'dnssec', DNSSEC_KEYS, topKeys);
  const sign = readSign(r, t);
  const resignBeforeMs = readResignBefore(r, t.resign_before);
  const timeoutMs = r.duration(t, 'dnssec', 'timeout', 60_000);
  const only = r.strings(t, 'dnssec', 'zones');
  if (only?.length === 0) r.problem('dnssec.zones', 'is empty: list the zones zonerw signs, or remove the key to sign every zone');
  only?.forEach((z, i) => {
    const problem = zoneNameProblem(z);
    if (problem) r.problem(`dnssec.zones[${i}]`, `${problem}: ${describe(z)}`);
    else if (zones && !zones.includes(z)) r.problem(`dnssec.zones[${i}]`, `${describe(z)} is not one of zones`);
  });
  if (!sign) return undefined;
  return { sign, resignBeforeMs, timeoutMs, ...(only && only.length > 0 ? { zones: only } : {}) };
}

function readSign(r: Reader, t: Table): string[] | undefined {
  if (t.sign === undefined) {
    r.problem('dnssec.sign', `missing: the signer as a list, like ${EXAMPLE} (no shell); or remove [dnssec] and let the nameserver sign`);
    return undefined;
  }
  if (typeof t.sign === 'string') {
    r.problem('dnssec.sign', `must be a list, the program and its arguments (no shell), like ${EXAMPLE}, not ${describe(t.sign)}`);
    return undefined;
  }
  const sign = r.strings(t, 'dnssec', 'sign');
  if (sign === undefined) return undefined;
  if (sign.length === 0) {
    r.problem('dnssec.sign', `must name the signer, like ${EXAMPLE}`);
    return undefined;
  }
  let ok = true;
  sign.forEach((arg, i) => {
    for (const m of arg.matchAll(/\{[^{}]*\}/g)) {
      if ((PLACEHOLDERS as readonly string[]).includes(m[0])) continue;
      const hint = closest(m[0], PLACEHOLDERS);
      r.problem(`dnssec.sign[${i}]`, `unknown placeholder ${m[0]}${hint ? ` (did you mean ${hint}?)` : ''}; zonerw replaces {zone}, {in} and {out}`);
      ok = false;
    }
  });
  const lacking = ['{in}', '{out}'].filter((p) => !sign.some((a) => a.includes(p)));
  if (lacking.length > 0) {
    r.problem('dnssec.sign', `must name ${lacking.join(' and ')}: {in} is the rendered zone, {out} where the signer writes the signed zone, like ${EXAMPLE}`);
    ok = false;
  }
  return ok ? sign : undefined;
}

function readResignBefore(r: Reader, raw: unknown): number {
  if (raw === undefined) return DEFAULT_RESIGN_BEFORE;
  const ms = parseDuration(raw);
  if (ms !== undefined && ms > 0 && ms <= MAX_RESIGN_BEFORE) return ms;
  r.problem('dnssec.resign_before', `must be a duration like "7d" or "36h" (at most 366d), not ${describe(raw)}`);
  return DEFAULT_RESIGN_BEFORE;
}
