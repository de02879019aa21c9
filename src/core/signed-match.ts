// Whether a signer's output is the zone zonerw rendered, signed: the same SOA serial and the
// same records, DNSSEC records aside. A signer that writes a stale file (an old {out} left
// behind, a wrapper that copies the wrong file) produces a validly signed zone that verifies,
// so verifying is not enough: installed, it took the primary's serial backwards and zonerw then
// took the stale file for its own.
import { normaliseAddress } from './served.js';
import { directiveName, fieldsOf, splitEntries, tokenize, typeIndex, type Token } from './lexer.js';

/** Records only a signer makes (RFC 4034, 5155, 7344, 8976; BIND's private signing state). */
const DNSSEC_TYPES = new Set(['RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'DNSKEY', 'CDS', 'CDNSKEY', 'ZONEMD', 'TYPE46', 'TYPE47', 'TYPE48', 'TYPE50', 'TYPE51', 'TYPE59', 'TYPE60', 'TYPE63', 'TYPE65534']);

/** The RDATA fields that hold a domain name, by type (RFC 1035 3.3, 2782, 2915, 2163, 1183). */
const NAME_FIELDS: Record<string, readonly number[]> = {
  NS: [0], CNAME: [0], PTR: [0], DNAME: [0], MB: [0], MG: [0], MR: [0], MX: [1], KX: [1], AFSDB: [1], RT: [1], SRV: [3], SOA: [0, 1], RP: [0, 1], MINFO: [0, 1], NAPTR: [5],
};

/** Types whose RDATA is compared field by field; any other type by its owner and type only (its presentation varies between tools). */
const COMPARED = new Set(['A', 'AAAA', 'NS', 'CNAME', 'PTR', 'DNAME', 'MX', 'SRV', 'SOA', 'TXT', 'SPF', 'CAA', 'KX', 'AFSDB', 'RP', 'NAPTR']);

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** RFC 3597's TYPEnnn for the types a base file may write that way, as signers print them. */
const TYPE_NAMES: Record<string, string> = {
  TYPE1: 'A', TYPE2: 'NS', TYPE5: 'CNAME', TYPE6: 'SOA', TYPE12: 'PTR', TYPE13: 'HINFO', TYPE15: 'MX', TYPE16: 'TXT', TYPE17: 'RP', TYPE18: 'AFSDB', TYPE28: 'AAAA', TYPE29: 'LOC', TYPE33: 'SRV', TYPE35: 'NAPTR', TYPE39: 'DNAME', TYPE43: 'DS', TYPE44: 'SSHFP', TYPE52: 'TLSA', TYPE64: 'SVCB', TYPE65: 'HTTPS', TYPE99: 'SPF', TYPE257: 'CAA',
};

/** One record: by owner and type (`coarse`), and with its data (`full`) when its data is compared. */
export interface RecordKey {
  coarse: string;
  full?: string;
  line: number;
}

export interface ZoneRecords {
  /** each record once (by its full key, else its coarse one), canonical */
  records: Map<string, RecordKey>;
  /** every SOA serial, with its line */
  serials: { serial: string; line: number }[];
  /** false when the text holds records this reading cannot see ($INCLUDE, $GENERATE) */
  complete: boolean;
}

/**
 * The non-DNSSEC records of a zone text (RFC 1035 5.1), each as one canonical string: owner
 * and names in RDATA absolute and lower case, TTL and class left out, AAAA addresses in one
 * spelling, SOA times in seconds.
 */
export function zoneRecords(text: string, zone: string): ZoneRecords {
  const apex = `${zone.replace(/\.$/, '').toLowerCase()}.`;
  const out: ZoneRecords = { records: new Map(), serials: [], complete: true };
  let origin = apex;
  let owner = apex;
  for (const entry of splitEntries(tokenize(text).tokens)) {
    const fields = fieldsOf(entry);
    const directive = directiveName(entry);
    if (directive === '$ORIGIN' && fields[1] !== undefined) origin = absolute(fields[1].text, origin);
    if (directive === '$INCLUDE' || directive === '$GENERATE') out.complete = false;
    if (entry.directive) continue;
    if (entry.owner !== undefined) owner = absolute(entry.owner, origin);
    const at = typeIndex(fields, entry.owner !== undefined);
    if (at === -1) continue;
    const written = fields[at]!.text.toUpperCase();
    const type = TYPE_NAMES[written] ?? written;
    if (DNSSEC_TYPES.has(type)) continue;
    const rdata = fields.slice(at + 1);
    if (type === 'SOA' && rdata[2] !== undefined) out.serials.push({ serial: rdata[2].text, line: rdata[2].line });
    // RFC 3597's generic data (\# 4 c0000202) and types written as TYPEnnn: by owner and type only
    const compared = COMPARED.has(type) && written === type && rdata[0]?.text !== '\\#';
    const coarse = `${owner} ${type}`;
    const key: RecordKey = { coarse, line: fields[0]!.line, ...(compared ? { full: `${coarse} ${canonicalRdata(type, rdata, origin)}` } : {}) };
    if (!out.records.has(key.full ?? coarse)) out.records.set(key.full ?? coarse, key);
  }
  return out;
}

/**
 * The records of `a` that `b` lacks: one with compared data must be there with the same data,
 * or `b` must hold its owner and type only loosely (generic data); one compared loosely needs
 * its owner and type there.
 */
function absentFrom(a: ZoneRecords, b: ZoneRecords): string[] {
  const coarse = new Set<string>();
  const loose = new Set<string>();
  for (const r of b.records.values()) {
    coarse.add(r.coarse);
    if (r.full === undefined) loose.add(r.coarse);
  }
  return [...a.records.values()]
    .filter((r) => (r.full !== undefined ? !b.records.has(r.full) && !loose.has(r.coarse) : !coarse.has(r.coarse)))
    .map((r) => r.full ?? r.coarse);
}

function canonicalRdata(type: string, rdata: readonly Token[], origin: string): string {
  const names = NAME_FIELDS[type] ?? [];
  return rdata
    .map((f, i) => {
      // a character-string in one spelling: quotes and escapes (\; \195) resolved, RFC 1035 5.1
      if (f.kind === 'quoted') return `"${unescape(f.text.slice(1, f.text.endsWith('"') && f.text.length > 1 ? -1 : undefined))}"`;
      if (type === 'TXT' || type === 'SPF') return `"${unescape(f.text)}"`; // an unquoted string is a string
      if (names.includes(i)) return absolute(f.text, origin);
      if (type === 'AAAA') return normaliseAddress(f.text);
      if (type === 'SOA' && i >= 3) return seconds(f.text);
      return f.text.toLowerCase();
    })
    .join(' ');
}

/** `\DDD` as its byte, `\X` as X. */
function unescape(text: string): string {
  return text.replace(/\\(\d{3}|[^\d])/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : e));
}

/** BIND's TTL units (1h30m) as seconds; anything else as written. */
function seconds(text: string): string {
  if (/^\d+$/.test(text) || !/^(\d+[smhdw])+$/i.test(text)) return text;
  let total = 0;
  for (const m of text.toLowerCase().matchAll(/(\d+)([smhdw])/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return String(total);
}

/** RFC 1035 5.1: `@` is the origin; a name without a final dot is relative to it. Lower case. */
function absolute(name: string, origin: string): string {
  const n = name.toLowerCase();
  if (n === '@') return origin;
  if (n.endsWith('.') && !n.endsWith('\\.')) return n;
  return origin === '.' ? `${n}.` : `${n}.${origin}`;
}

/**
 * Why the signer's output is not the rendered zone, signed, or undefined when it is: its SOA
 * serial differs, or a rendered record is missing from it, or it holds a record the render
 * does not (checked only when the render holds all its records itself: no $INCLUDE, no
 * $GENERATE). At most `shown` records are named.
 */
export function signedMismatch(rendered: string, signed: string, zone: string, shown = 3): string | undefined {
  const want = zoneRecords(rendered, zone);
  const got = zoneRecords(signed, zone);
  const wantSerial = want.serials[0]?.serial;
  const gotSerials = [...new Set(got.serials.map((s) => s.serial))];
  if (wantSerial !== undefined && (gotSerials.length !== 1 || gotSerials[0] !== wantSerial)) {
    return `the signed zone has serial ${gotSerials.join(' and ') || 'none'}, not the rendered ${wantSerial}: the signer wrote another zone (a stale {out}?) or changed the serial (dnssec-signzone -N: keep the default, -N keep)`;
  }
  const missing = absentFrom(want, got);
  const extra = want.complete ? absentFrom(got, want) : [];
  if (missing.length === 0 && extra.length === 0) return undefined;
  const list = (keys: readonly string[]) => `${keys.slice(0, shown).join('; ')}${keys.length > shown ? ` and ${keys.length - shown} more` : ''}`;
  const parts = [
    ...(missing.length > 0 ? [`lacks ${list(missing)}`] : []),
    ...(extra.length > 0 ? [`holds ${list(extra)}, which the render does not`] : []),
  ];
  return `the signed zone is not the rendered one: it ${parts.join(', and ')}; the signer must sign {in} into {out}`;
}
