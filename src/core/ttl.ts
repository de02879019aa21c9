// How long resolvers may keep a marked record after a failover: its TTL. A zone that fails over
// in seconds for zonerw still sends users to the dead address for as long as resolvers cache the
// old answer (a `$TTL 86400` zone: a day). Pure: the base file's text in, each marked record's
// TTL and where it comes from out.
import { directiveName, fieldsOf, splitEntries, tokenize, typeIndex, type Token } from './lexer.js';

/** A record whose value a failover changes: `@IP@`, `@IPS:mail@`, `192.0.2.1 ; @IP@`... */
const ADDRESS_MARKER = /@IP(?:S)?6?(?::[A-Za-z0-9][A-Za-z0-9_.-]*)?@/;

export interface MarkedTtl {
  /** the record's first line in the base file */
  line: number;
  /** the owner as written ('' when the file starts with a blank owner) */
  owner: string;
  /** seconds */
  ttl: number;
  /** where the TTL comes from (RFC 2308 section 4, RFC 1035 section 5.1) */
  from: 'the record' | '$TTL' | 'the record before' | 'the SOA minimum';
}

/**
 * Each marked record's TTL. Without its own TTL a record takes `$TTL` (RFC 2308 section 4);
 * with no `$TTL` before it, the last TTL written on a record before it (RFC 1035 section 5.1);
 * with neither, the SOA's MINIMUM field, as BIND and NSD do for a zone without `$TTL`.
 */
export function markedTtls(text: string): MarkedTtl[] {
  const found: MarkedTtl[] = [];
  let defaultTtl: number | undefined;
  let lastExplicit: number | undefined;
  let soaMinimum: number | undefined;
  let owner = '';
  for (const entry of splitEntries(tokenize(text).tokens)) {
    const fields = fieldsOf(entry);
    const directive = directiveName(entry);
    if (directive === '$TTL') {
      defaultTtl = parseTtl(fields[1]?.text) ?? defaultTtl;
      continue;
    }
    if (directive !== undefined) continue;
    if (entry.owner !== undefined) owner = entry.owner;
    const hasOwner = entry.owner !== undefined;
    const type = typeIndex(fields, hasOwner);
    if (type === -1) continue;
    const explicit = fields.slice(hasOwner ? 1 : 0, type).map((f) => parseTtl(f.text)).find((t) => t !== undefined);
    if (explicit !== undefined) lastExplicit = explicit;
    if (fields[type]!.text.toUpperCase() === 'SOA') soaMinimum = parseTtl(soaRdata(fields.slice(type + 1).map((f) => f.text))[6]) ?? soaMinimum;
    if (!isMarked(entry.tokens)) continue;
    const line = entry.tokens[0]!.line;
    if (explicit !== undefined) found.push({ line, owner, ttl: explicit, from: 'the record' });
    else if (defaultTtl !== undefined) found.push({ line, owner, ttl: defaultTtl, from: '$TTL' });
    else if (lastExplicit !== undefined) found.push({ line, owner, ttl: lastExplicit, from: 'the record before' });
    else if (soaMinimum !== undefined) found.push({ line, owner, ttl: soaMinimum, from: 'the SOA minimum' });
  }
  return found;
}

/** The longest-cached marked record, or undefined for a zone without any. */
export function longestMarkedTtl(text: string): MarkedTtl | undefined {
  return markedTtls(text).reduce<MarkedTtl | undefined>((max, t) => (max === undefined || t.ttl > max.ttl ? t : max), undefined);
}

/** The SOA's RDATA fields, `@serial number@` (two words to the lexer) as one. */
function soaRdata(words: string[]): string[] {
  const i = words.findIndex((w, k) => w === '@serial' && words[k + 1] === 'number@');
  return i === -1 ? words : [...words.slice(0, i), '@serial number@', ...words.slice(i + 2)];
}

function isMarked(tokens: readonly Token[]): boolean {
  return tokens.some((t) => (t.kind === 'word' || t.kind === 'comment') && ADDRESS_MARKER.test(t.text));
}

/** `3600`, or BIND's units: `1h`, `1h30m`, `2w`; undefined when it is not a TTL. */
export function parseTtl(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  if (!/^(\d+[wdhms])+$/i.test(text)) return undefined;
  const unit: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
  let total = 0;
  for (const [, n, u] of text.matchAll(/(\d+)([wdhms])/gi)) total += Number(n) * unit[u!.toLowerCase()]!;
  return total;
}
