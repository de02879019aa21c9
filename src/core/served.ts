// What DNS serves, judged against what zonerw meant to publish. Pure: the answers of a nameserver
// (the primary, or a secondary) come in; "current or not, and why" goes out.
//
// A zone is checked by its SOA serial and by the records zonerw rendered from address markers
// (the owners of @IP@, @IPS@, @IP6@ and @IPS6@ slots, asked as A or AAAA): a nameserver that
// serves the expected serial or a later one (RFC 1982; a signer renumbers upwards) with the same
// addresses for those names serves what zonerw published.
import { directiveName, fieldsOf, splitEntries, tokenize, typeIndex } from './lexer.js';
import { allSlots, markerBase, type Template } from './markers.js';
import { serialGreater } from './serial.js';

export type AddressType = 'A' | 'AAAA';

/** The addresses a name should have: every record of that type at that owner in the rendered zone. */
export interface MarkerRecord {
  /** the owner, absolute, lower case, without the final dot */
  name: string;
  type: AddressType;
  /** normalised, sorted, no duplicates */
  addresses: string[];
  /**
   * true: the served set must be exactly this one. false (the base file has `$INCLUDE`, whose
   * files may add records at the same owner): it must hold these addresses, and may hold more.
   */
  exact: boolean;
}

/** One name's answer. */
export interface AddressAnswer {
  name: string;
  type: AddressType;
  addresses: string[];
}

/** What a nameserver answered for a zone: its SOA serial, and the addresses of the names asked. */
export interface ZoneAnswer {
  /** the zone's SOA serial, when it answered with one */
  serial?: number;
  /** why there is no serial: `SERVFAIL`, `REFUSED`, `NOTAUTH`, `no SOA in the answer`, `no answer within 1000 ms` */
  problem?: string;
  /** false when nothing answered at all (a timeout, a name not found): nothing listens there */
  answered: boolean;
  /** one per name asked, when the SOA query answered */
  addresses: AddressAnswer[];
}

/** What zonerw wants a nameserver to serve: at least this serial, and these addresses. */
export interface Expected {
  serial: number;
  records: readonly MarkerRecord[];
}

export type Verdict =
  | { current: true; serial: number }
  | { current: false; why: 'no answer' | 'refused' | 'older'; answer: ZoneAnswer }
  | { current: false; why: 'addresses'; answer: ZoneAnswer; differ: { record: MarkerRecord; served: string[] }[] };

const MARKER_TYPES: Record<string, AddressType> = { IP: 'A', IPS: 'A', IP6: 'AAAA', IPS6: 'AAAA' };

/** The SOA serial `served` counts as current for `wanted`: the same, or later by RFC 1982 (a signer renumbers upwards). */
export function serialCurrent(served: number, wanted: number): boolean {
  return served === wanted || serialGreater(served, wanted);
}

/** Does `answer` serve `expected`? */
export function judge(expected: Expected, answer: ZoneAnswer): Verdict {
  if (answer.serial === undefined) return { current: false, why: answer.answered ? 'refused' : 'no answer', answer };
  if (!serialCurrent(answer.serial, expected.serial)) return { current: false, why: 'older', answer };
  const differ = expected.records.flatMap((record) => {
    const served = answer.addresses.find((a) => a.name === record.name && a.type === record.type)?.addresses.map(normaliseAddress) ?? [];
    return addressesMatch(record, served) ? [] : [{ record, served: [...new Set(served)].sort() }];
  });
  if (differ.length > 0) return { current: false, why: 'addresses', answer, differ };
  return { current: true, serial: answer.serial };
}

function addressesMatch(record: MarkerRecord, served: readonly string[]): boolean {
  const have = new Set(served);
  if (!record.addresses.every((a) => have.has(a))) return false;
  return !record.exact || have.size === record.addresses.length;
}

/** `www.example.com A 192.0.2.1 192.0.2.2`: one name's addresses. */
function describeRecord(name: string, type: AddressType, addresses: readonly string[]): string {
  return `${name} ${type} ${addresses.length > 0 ? addresses.join(' ') : 'none'}`;
}

/** The addresses `answer` gives the names of `records`: `www.example.com A 192.0.2.1; mail.example.com A 192.0.2.1`. */
function servedRecords(answer: ZoneAnswer, records: readonly MarkerRecord[]): string {
  return records
    .map((r) => describeRecord(r.name, r.type, [...new Set((answer.addresses.find((a) => a.name === r.name && a.type === r.type)?.addresses ?? []).map(normaliseAddress))].sort()))
    .join('; ');
}

/**
 * What a nameserver serves instead of `expected`: `does not answer (no answer within 1000 ms)`,
 * `answers SERVFAIL for the zone`, `serves serial 2026112201 (www.example.com A 192.0.2.1), not
 * serial 2026112202 (www.example.com A 198.51.100.7)`, `serves serial 2026112202 with
 * www.example.com A 192.0.2.1, not www.example.com A 198.51.100.7`.
 */
export function describeVerdict(v: Extract<Verdict, { current: false }>, expected: Expected): string {
  if (v.why !== 'addresses') {
    if (v.why === 'no answer') return `does not answer (${v.answer.problem ?? 'no answer'})`;
    if (v.why === 'refused') return `answers ${v.answer.problem ?? 'without a SOA'} for the zone`;
    const rs = expected.records;
    const wanted = rs.map((r) => describeRecord(r.name, r.type, r.addresses)).join('; ');
    return rs.length === 0
      ? `serves serial ${v.answer.serial}, not serial ${expected.serial}`
      : `serves serial ${v.answer.serial} (${servedRecords(v.answer, rs)}), not serial ${expected.serial} (${wanted})`;
  }
  const served = v.differ.map((d) => describeRecord(d.record.name, d.record.type, d.served)).join('; ');
  const wanted = v.differ.map((d) => describeRecord(d.record.name, d.record.type, d.record.addresses)).join('; ');
  return `serves serial ${v.answer.serial} with ${served}, not ${wanted}`;
}

/**
 * The records rendered from address markers, with every address the rendered zone gives their
 * owners (static records beside a marker record at the same owner included). `baseLine` maps
 * each rendered line to its base-file line (core/markers' fillWithLineMap); a record whose lines
 * hold an address slot of the template is a marker record. Owners outside the zone are left out
 * (the nameserver would not answer for them).
 */
export function markerRecords(template: Template, rendered: { text: string; baseLine: readonly number[] }, zone: string, includes: boolean): MarkerRecord[] {
  const slotLines = new Set<number>();
  for (const s of allSlots(template)) if (Object.hasOwn(MARKER_TYPES, markerBase(s.marker))) slotLines.add(s.line);
  if (slotLines.size === 0) return [];
  const apex = `${zone.replace(/\.$/, '').toLowerCase()}.`;
  const byKey = new Map<string, { name: string; type: AddressType; addresses: Set<string>; marked: boolean }>();
  let origin = apex;
  let owner = apex;
  for (const entry of splitEntries(tokenize(rendered.text).tokens)) {
    const fields = fieldsOf(entry);
    if (entry.directive) {
      if (directiveName(entry) === '$ORIGIN' && fields[1] !== undefined) origin = absolute(fields[1].text, origin);
      continue;
    }
    if (entry.owner !== undefined) owner = absolute(entry.owner, origin);
    const at = typeIndex(fields, entry.owner !== undefined);
    const type = at === -1 ? undefined : fields[at]!.text.toUpperCase();
    const value = fields[at + 1]?.text;
    if ((type !== 'A' && type !== 'AAAA') || value === undefined) continue;
    const key = `${owner} ${type}`;
    const rec = byKey.get(key) ?? { name: owner, type, addresses: new Set<string>(), marked: false };
    byKey.set(key, rec);
    rec.addresses.add(normaliseAddress(value));
    if (entry.tokens.some((t) => slotLines.has(rendered.baseLine[t.line - 1] ?? -1))) rec.marked = true;
  }
  const records: MarkerRecord[] = [];
  for (const r of byKey.values()) {
    if (!r.marked || !(r.name === apex || r.name.endsWith(`.${apex}`))) continue;
    records.push({ name: r.name.slice(0, -1), type: r.type, addresses: [...r.addresses].sort(), exact: !includes });
  }
  return records.sort((a, b) => (a.name === b.name ? a.type.localeCompare(b.type) : a.name.localeCompare(b.name)));
}

/** RFC 1035 5.1: `@` is the origin; a name without a final dot is relative to it. Lower case. */
function absolute(name: string, origin: string): string {
  const n = name.toLowerCase();
  if (n === '@') return origin;
  if (n.endsWith('.') && !n.endsWith('\\.')) return n;
  return origin === '.' ? `${n}.` : `${n}.${origin}`;
}

/** One text per address: IPv6 in RFC 5952's form (lower case, zeros compressed); IPv4 as it is. */
export function normaliseAddress(a: string): string {
  if (!a.includes(':')) return a;
  let text = a.toLowerCase();
  // an embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [b1, b2, b3, b4] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((b1 << 8) | b2).toString(16)}:${((b3 << 8) | b4).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return a;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail].map((g) => g.replace(/^0+(?=.)/, ''));
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return a;
  // the longest run of two or more zero groups (the first of equals) becomes ::
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best === -1) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** A marker whose value in the installed zone is not the decision's. */
export interface MarkerDiffer {
  marker: string;
  installed: string;
  favoured: string;
}

const shownValue = (v: string | readonly string[]) => (Array.isArray(v) ? (v.length > 0 ? v.join(' ') : 'none') : (v as string));

/**
 * The markers of an installed zone whose values are not what the decision gives them now (the
 * favoured server for @IP@, the pool for @IPS@): a zone whose publish was refused or failed still
 * carries the old server. Markers the decision has no value for are left out (config problems,
 * said by the run). Empty: the installed zone carries the decision.
 */
export function favouredDiffers(installed: Readonly<Record<string, string | readonly string[]>>, decided: Readonly<Record<string, string | readonly string[]>>): MarkerDiffer[] {
  const differ: MarkerDiffer[] = [];
  for (const [marker, value] of Object.entries(installed)) {
    const want = decided[marker];
    if (want === undefined) continue;
    const same = Array.isArray(value) || Array.isArray(want) ? shownValue(value) === shownValue(want) : value === want;
    if (!same) differ.push({ marker, installed: shownValue(value), favoured: shownValue(want) });
  }
  return differ;
}

/** `@IP@ 192.0.2.1, not 198.51.100.7; @IPS@ 192.0.2.1, not 198.51.100.7`. */
export function describeDiffers(differ: readonly MarkerDiffer[]): string {
  return differ.map((d) => `@${d.marker}@ ${d.installed}, not ${d.favoured}`).join('; ');
}
