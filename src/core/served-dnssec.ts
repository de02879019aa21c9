// The DNSSEC side of what a primary serves, judged: for a zone that should be signed (zonerw
// signs it with [dnssec] sign, or the nameserver signs it: [nameserver] signs), the DNSKEY RRset
// and the RRSIGs over the SOA, asked with DO (RFC 3225), must be there, valid in time (RFC 4034
// 3.1.5: inception <= now < expiration), and, for a zone zonerw signs, the DNSKEY set must be the
// one zonerw signed with (two signers configured: the nameserver re-signs over zonerw's keys).
// Pure: the answer, the expected key tags and the clock come in.
import { formatSpan, utcTime } from './format.js';
import { fieldsOf, splitEntries, tokenize, typeIndex } from './lexer.js';

/** Who signs a zone that should be signed. */
export type SignedBy = 'zonerw' | 'nameserver';

/** A primary's DNSSEC answers for a zone: SOA and DNSKEY, both asked with DO. */
export interface ServedDnssec {
  answered: boolean;
  /** why it did not answer, or answered with an error rcode */
  problem?: string;
  /** RRSIGs over the SOA were in the answer */
  signed: boolean;
  /** the earliest expiration of the SOA's RRSIGs, ms since the epoch */
  expires?: number;
  /** the latest inception of the SOA's RRSIGs, ms since the epoch */
  inception?: number;
  /** the key tags of the DNSKEY RRset served at the apex (RFC 4034 Appendix B), sorted; undefined: not asked */
  keyTags?: number[];
}

/** What is wrong with what the primary serves, each with its fix; empty when it holds. */
export interface DnssecVerdict {
  /** `not signed`, `no DNSKEY`, `expired`, `not yet valid`, `other keys` */
  faults: ('not signed' | 'no DNSKEY' | 'expired' | 'not yet valid' | 'other keys')[];
  lines: string[];
}

/** Who signs `zone`: zonerw (`[dnssec]`, its zones), the nameserver (`[nameserver] signs`), or nobody zonerw knows of. */
export function signedBy(cfg: { dnssec?: { zones?: readonly string[] } | undefined; nameserver: { signs?: readonly string[] | true } }, zone: string): SignedBy | undefined {
  const d = cfg.dnssec;
  if (d !== undefined && (d.zones === undefined || d.zones.includes(zone))) return 'zonerw';
  const s = cfg.nameserver.signs;
  if (s === true || (s !== undefined && s.includes(zone))) return 'nameserver';
  return undefined;
}

/** The key tag of a DNSKEY's RDATA (flags, protocol, algorithm, public key), RFC 4034 Appendix B (not algorithm 1). */
export function keyTag(flags: number, protocol: number, algorithm: number, key: Uint8Array): number {
  const rdata = [flags >> 8, flags & 0xff, protocol, algorithm, ...key];
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 (RFC 4648) without padding rules; undefined for a character outside the alphabet. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of clean) {
    const v = B64.indexOf(c);
    if (v === -1) return undefined;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}

/**
 * The key tags of the DNSKEY records at `zone`'s apex in a zone file text (a signer's output,
 * which writes every record with its owner), sorted. Records of other owners are left out.
 */
export function dnskeyTagsOf(text: string, zone: string): number[] {
  const apex = zone.replace(/\.$/, '').toLowerCase();
  const tags = new Set<number>();
  // a line that starts with blank space has the previous owner (RFC 1035 5.1); a signer starts with the apex
  let owner = apex;
  for (const entry of splitEntries(tokenize(text).tokens)) {
    if (entry.directive) continue;
    const fields = fieldsOf(entry);
    const hasOwner = entry.owner !== undefined;
    if (hasOwner) owner = fields[0]!.text === '@' ? apex : fields[0]!.text.replace(/\.$/, '').toLowerCase();
    const i = typeIndex(fields, hasOwner);
    if (i === -1 || fields[i]!.text.toUpperCase() !== 'DNSKEY' || owner !== apex) continue;
    const [flags, protocol, algorithm] = [1, 2, 3].map((k) => Number(fields[i + k]?.text));
    const key = decodeBase64(fields.slice(i + 4).map((f) => f.text).join(''));
    if (key === undefined || ![flags, protocol, algorithm].every((n) => Number.isInteger(n))) continue;
    tags.add(keyTag(flags!, protocol!, algorithm!, key));
  }
  return [...tags].sort((a, b) => a - b);
}

const tagList = (tags: readonly number[]) => (tags.length === 0 ? 'none' : tags.join(' '));

/**
 * What is wrong with the DNSSEC a primary serves for `zone`, signed by `by`; `signedWith`: the key
 * tags zonerw signed it with (a zone zonerw signs, when known). An unanswered primary is no
 * verdict here (the served serial's checks say it).
 */
export function judgeServedDnssec(zone: string, served: ServedDnssec, by: SignedBy, now: number, signedWith?: readonly number[]): DnssecVerdict {
  const verdict: DnssecVerdict = { faults: [], lines: [] };
  if (!served.answered || served.problem !== undefined) return verdict;
  const fault = (f: DnssecVerdict['faults'][number], line: string) => {
    verdict.faults.push(f);
    verdict.lines.push(`${zone}: ${line}`);
  };
  const fix = by === 'zonerw'
    ? 'look at what the nameserver loads (zonerw installs the signed zone file), then run zonerw --force'
    : "look at the nameserver's signing (its log; BIND: the key-directory and the journal writable by named, dnssec-policy and inline-signing in the zone; Knot: dnssec-signing: on and its KASP database)";
  const who = by === 'zonerw' ? 'although zonerw signs it ([dnssec])' : 'although [nameserver] signs says the nameserver signs it';
  if (!served.signed) fault('not signed', `NOT SIGNED: the primary serves the zone without RRSIGs over its SOA (asked with DO), ${who}: validating resolvers that expect it signed answer SERVFAIL; ${fix}`);
  if (served.keyTags !== undefined && served.keyTags.length === 0) fault('no DNSKEY', `the primary serves no DNSKEY at the zone's apex, ${who}: its signatures cannot be validated; ${fix}`);
  if (served.expires !== undefined && served.expires <= now) {
    fault('expired', `the signatures the primary serves EXPIRED ${utcTime(served.expires)} UTC (${formatSpan(now - served.expires)} ago): validating resolvers answer SERVFAIL; ${by === 'zonerw' ? 'run zonerw (it signs the zone again), and run it more often than resign_before' : "the nameserver stopped re-signing: look at its log and its signing policy"}`);
  }
  if (served.inception !== undefined && served.inception > now) {
    fault('not yet valid', `the signatures the primary serves are NOT YET VALID: their inception is ${utcTime(served.inception)} UTC (in ${formatSpan(served.inception - now)}): validating resolvers answer SERVFAIL until then; fix the signing machine's clock or the signer's start time (dnssec-signzone -s), and sign again`);
  }
  if (by === 'zonerw' && signedWith !== undefined && signedWith.length > 0 && served.keyTags !== undefined && served.keyTags.length > 0 && !sameTags(served.keyTags, signedWith)) {
    fault('other keys', `the primary serves the DNSKEY set ${tagList(served.keyTags)}, not the one zonerw signed with (${tagList(signedWith)}): another signer re-signs the zone (both signers configured, like BIND's dnssec-policy or inline-signing over zonerw's [dnssec] sign); turn one signer off: remove dnssec-policy/inline-signing (BIND) or dnssec-signing (Knot) for the zone, or remove [dnssec]`);
  }
  return verdict;
}

function sameTags(a: readonly number[], b: readonly number[]): boolean {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.length === y.length && x.every((t, i) => t === y[i]);
}
