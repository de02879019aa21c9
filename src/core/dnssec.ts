// DNSSEC and zonerw, pure: which records only a signer makes (a base file holding them was
// signed before zonerw filled its markers, so its signatures cannot match what is published);
// when the signatures of an installed zone expire (zonerw renews the ones it made, with
// `[dnssec] sign`); and the argv of the configured signer.
import { utcTime } from './format.js';
import { directiveName, fieldsOf, splitEntries, tokenize, typeIndex, type Token, type ZoneEntry } from './lexer.js';
import type { Problem } from './markers.js';

/**
 * The record types a signer makes, with their RFC 3597 numbers (`TYPE46`). DNSKEY is not one:
 * a key `$INCLUDE`d for a signing nameserver is the operator's, and fine. NSEC3PARAM is: it
 * announces an NSEC3 chain that only the signer builds, and the signer's settings choose it.
 */
const SIGNER_TYPES: Readonly<Record<string, number>> = { RRSIG: 46, NSEC: 47, NSEC3: 50, NSEC3PARAM: 51 };
const BY_NUMBER = new Map(Object.entries(SIGNER_TYPES).map(([name, n]) => [`TYPE${n}`, name]));

/** The `[dnssec]` table as the signer adapter takes it: zonerw signs each rendered zone. */
export interface DnssecSettings {
  /** argv of the signer, no shell, with `{zone}`, `{in}` and `{out}` standing for their values */
  sign: string[];
  /** republish a zone whose installed signatures expire within this (ms) */
  resignBeforeMs: number;
  /** for each sign and verify command */
  timeoutMs: number;
  /** the zones zonerw signs; undefined: every zone */
  zones?: string[];
}

export const PLACEHOLDERS = ['{zone}', '{in}', '{out}'] as const;

/** The signer's argv for one zone: each placeholder replaced wherever it stands in an argument. */
export function signArgv(sign: readonly string[], values: { zone: string; in: string; out: string }): string[] {
  return sign.map((a) => a.replace(/\{(zone|in|out)\}/g, (_, k: 'zone' | 'in' | 'out') => values[k]));
}

/** Whether zonerw signs this zone. */
export function signsZone(s: DnssecSettings | undefined, zone: string): s is DnssecSettings {
  return s !== undefined && (s.zones === undefined || s.zones.includes(zone));
}

/** A record a signer makes, found in a zone file text. */
export interface SignerRecord {
  line: number;
  /** as the operator knows it: RRSIG, NSEC, NSEC3, NSEC3PARAM */
  type: string;
}

/** The type of a record entry (or of the records a `$GENERATE` makes), as written; undefined for other directives. */
function typeOf(entry: ZoneEntry): Token | undefined {
  const fields = fieldsOf(entry);
  if (directiveName(entry) === '$GENERATE') {
    const rest = fields.slice(2); // $GENERATE range lhs [ttl] [class] type rhs
    const i = typeIndex(rest, true);
    return i === -1 ? undefined : rest[i];
  }
  if (entry.directive) return undefined;
  const i = typeIndex(fields, entry.owner !== undefined);
  return i === -1 ? undefined : fields[i];
}

/** Every record of a zone file text that only a signer makes, in order. */
export function signerRecords(text: string): SignerRecord[] {
  const found: SignerRecord[] = [];
  for (const entry of splitEntries(tokenize(text).tokens)) {
    const t = typeOf(entry);
    if (t === undefined) continue;
    const upper = t.text.toUpperCase();
    const type = upper in SIGNER_TYPES ? upper : BY_NUMBER.get(upper);
    if (type !== undefined) found.push({ line: t.line, type });
  }
  return found;
}

/**
 * A base file that holds signatures is refused, once, at its first signer record: zonerw fills
 * markers into it after it was signed, so the signatures of the changed records fail, and a
 * validating resolver answers SERVFAIL for them (measured: nsd-checkzone and named-checkzone
 * accept such a zone; dnssec-verify does not). The message says what works instead.
 */
export function presignedProblems(text: string, file: string): Problem[] {
  const found = signerRecords(text);
  const first = found[0];
  if (first === undefined) return [];
  const types = [...new Set(found.map((r) => r.type))];
  const count = found.length === 1 ? 'this record' : `these ${found.length} records`;
  return [{
    file,
    line: first.line,
    message:
      `${article(first.type)} ${first.type} record: a base file must be unsigned, since zonerw changes records after any signing ` +
      `and the old signatures then fail (validating resolvers answer SERVFAIL); remove ${count} (${types.join(', ')}) and let the ` +
      `nameserver sign the zone (BIND: dnssec-policy with inline-signing yes; Knot: dnssec-signing: on), or with NSD let zonerw ` +
      `sign it ([dnssec] sign in its config); DNSKEY records may stay`,
  }];
}

function article(type: string): string {
  return /^[AEFHILMNORSX]/.test(type) ? 'an' : 'a';
}

/**
 * An RRSIG's expiration (RFC 4034 3.2): `YYYYMMDDHHmmSS` in UTC, or the seconds since the
 * epoch as a decimal number (what a 14-digit field is not); ms since the epoch.
 */
export function parseSignatureTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const t = Date.UTC(y, mo - 1, d, h, mi, s);
    const back = new Date(t);
    const valid = back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
    return valid ? t : undefined;
  }
  if (/^\d{1,10}$/.test(text) && Number(text) <= 0xffffffff) return Number(text) * 1000;
  return undefined;
}

/** When the first RRSIG of a zone file text expires (ms since the epoch); undefined when it holds none that can be read. */
export function earliestSignatureExpiry(text: string): number | undefined {
  let earliest: number | undefined;
  for (const entry of splitEntries(tokenize(text).tokens)) {
    if (entry.directive) continue;
    const fields = fieldsOf(entry);
    const i = typeIndex(fields, entry.owner !== undefined);
    if (i === -1 || fields[i]!.text.toUpperCase() !== 'RRSIG') continue;
    // type covered, algorithm, labels, original TTL, expiration, inception, ...
    const field = fields[i + 5];
    const t = field === undefined ? undefined : parseSignatureTime(field.text);
    if (t !== undefined && (earliest === undefined || t < earliest)) earliest = t;
  }
  return earliest;
}

/**
 * Why a zone zonerw signs must be signed again although nothing else changed, or undefined:
 * its installed file has no signatures (signing was just turned on), or they expire within
 * `resignBeforeMs` of `now`. Said in the output line: `signatures expire 2026-12-01 10:00:00 UTC`.
 */
export function resignReason(installedText: string, now: number, resignBeforeMs: number): { reason: string; expires?: number } | undefined {
  const expires = earliestSignatureExpiry(installedText);
  if (expires === undefined) return { reason: 'not signed yet' };
  if (expires - now >= resignBeforeMs) return undefined;
  return { reason: `signatures ${expires <= now ? 'expired' : 'expire'} ${utcTime(expires)} UTC`, expires };
}

/**
 * The steady run's shortcut for a zone zonerw signs: it must still be read when the state does
 * not know when its signatures expire, or when they expire within `resignBeforeMs`.
 */
export function resignMayBeDue(signaturesExpire: unknown, now: number, resignBeforeMs: number): boolean {
  // the state is read as written, so anything but a number there means "not known"
  return typeof signaturesExpire !== 'number' || !Number.isFinite(signaturesExpire) || signaturesExpire - now < resignBeforeMs;
}

/**
 * Signers and verifiers name the file they read: `FILE:5:` (dnssec-signzone, the checkers) or
 * `at FILE line 5` (ldns-signzone). The second is written like the first, so that pointAtBase
 * can show the base file's line.
 */
export function fileLineForm(message: string, path: string): string {
  return message.split(`${path} line `).join(`${path}:`);
}

/** What verifies a signed zone before it is installed, in order of preference (the first installed one runs). */
export const VERIFIERS = ['dnssec-verify', 'ldns-verify-zone'] as const;

/** `dnssec-verify -o ZONE FILE` (bind9-dnsutils), `ldns-verify-zone FILE` (ldnsutils). */
export function verifierArgv(verifier: (typeof VERIFIERS)[number], zone: string, file: string): string[] {
  return verifier === 'dnssec-verify' ? [verifier, '-o', zone, file] : [verifier, file];
}
