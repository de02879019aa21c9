// Base files: hand-written zone files with markers where the failover values go (the README,
// Markers). parseBase turns one into a template whose text, outside the markers, is the
// input byte for byte; fill puts values into the markers. A repeating marker (@IPS@, @IPS6@)
// makes its physical line appear once per value, as round-robin failover tools do.

import { closest, editDistance } from './names.js';
import { directiveName, fieldsOf, skipEscape, soaSerialIndex, splitEntries, tokenize, type Field, type Token, type ZoneEntry } from './lexer.js';

export interface Slot {
  marker: string;
  line: number;
  /**
   * The record's owner, for messages: as written under the zone's own origin (`www`, `@`), and
   * as a full name without the final dot (`fmt3.lin.serv.pw`) under another `$ORIGIN`, when
   * parseBase was given the zone. '' before any owner.
   */
  owner: string;
  form: 'value' | 'comment';
  /** The text the slot stands for in the base file (the marker, or the value before a comment marker). */
  original?: string;
}

/** One physical line, including its line ending. */
export interface TemplateLine {
  parts: (string | Slot)[];
}

export interface Template {
  file: string;
  lines: TemplateLine[];
  serialLine: number;
}

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export type ParseResult = { ok: true; template: Template } | { ok: false; problems: Problem[] };

/** A problem before parseBase names the file. */
type Finding = Omit<Problem, 'file'>;

// Order matters for "did you mean": of two equally close markers, the earlier is suggested
// (so @IPv6@ suggests @IP6@, not @IPS6@).
export const MARKERS: readonly string[] = ['IP', 'IP6', 'IPS', 'IPS6', 'serial number'];

/** The serial marker's name: @serial number@. */
export const SERIAL = 'serial number';

/** Markers whose line is repeated once per value of a list: one record per up server. */
const REPEATING: readonly string[] = ['IPS', 'IPS6'];

/** The markers a server's address fills; each may name a service group: `@IP:mail@`. */
export const ADDRESS_MARKERS: readonly string[] = ['IP', 'IP6', 'IPS', 'IPS6'];

/** The group of the top-level [[server]] tables, which the plain markers (`@IP@`) name. */
export const DEFAULT_GROUP = 'default';

/**
 * The key a marker's value goes by (in the values a zone is rendered with, in the state, on
 * slots): the marker itself for the default group (`IP`, as before groups), `IP:mail` for another.
 */
export function markerKey(marker: string, group: string = DEFAULT_GROUP): string {
  return group === DEFAULT_GROUP ? marker : `${marker}:${group}`;
}

/** The marker of a key: `IP` of `IP:mail`. */
export function markerBase(key: string): string {
  const colon = key.indexOf(':');
  return colon === -1 ? key : key.slice(0, colon);
}

/** The group of a key: `mail` of `IP:mail`, the default group of `IP`. */
export function markerGroup(key: string): string {
  const colon = key.indexOf(':');
  return colon === -1 ? DEFAULT_GROUP : key.slice(colon + 1);
}

/** A marker name as written (`IP`, `IP:mail`, `serial number`): its marker and the group it names, if any. */
function parseMarkerName(name: string): { marker: string; group?: string } | undefined {
  if (MARKERS.includes(name)) return { marker: name };
  const colon = name.indexOf(':');
  const marker = name.slice(0, colon);
  return colon !== -1 && ADDRESS_MARKERS.includes(marker) ? { marker, group: name.slice(colon + 1) } : undefined;
}

/** A string for IP, IP6 and serial number; a non-empty list for IPS and IPS6. */
export type MarkerValues = Readonly<Record<string, string | readonly string[]>>;

/** The entry a marker sits in, as far as a repeating marker cares. */
interface EntryInfo {
  kind: 'directive' | 'soa' | 'record';
  /** The directive's name (`$TTL`), for a directive. */
  directive?: string;
  /** The entry spans several physical lines (parentheses). */
  multiLine: boolean;
}

/** A marker found in the base file, before it becomes a slot. */
interface Hit {
  /** the key (core/markers markerKey): `IP`, `IP:mail` */
  marker: string;
  /** as written between the @s, for messages: `IP:mail`, `IP:default` */
  written: string;
  /** the group the marker names, when it names one */
  group?: string;
  form: 'value' | 'comment';
  start: number; // the span the value replaces
  end: number;
  line: number;
  owner: string;
  inSoaSerial: boolean;
  entry: EntryInfo;
  /** A comment-form marker whose value is a quoted string: it cannot become a slot. */
  quoted?: boolean;
}

/** A field of an entry, with a value-form marker (which may span two words) joined into one. */
interface Spot extends Field {
  start: number;
  end: number;
  line: number;
  marker?: { key: string; written: string; group?: string };
}

/** Where a word stands: its entry's owner, and the spot it is part of. */
interface WordPlace {
  owner: string;
  spot: Spot;
  inSoaSerial: boolean;
  entry: EntryInfo;
}

/** What parseBase learns from the entries of a base file. */
interface Scan {
  hits: Hit[];
  problems: Finding[];
  soaLine: number | undefined;
  /** the serial field of every SOA entry, in order (an AXFR dump writes the SOA first and last) */
  soaSerials: { spot: Spot; owner: string; entry: EntryInfo }[];
  /** Every word, by its start offset: what a comment-form marker needs to know of its target. */
  places: Map<number, WordPlace>;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}: ${p.message}`;
}

export function slotsOf(template: Template, marker: string): Slot[] {
  return template.lines.flatMap((l) => l.parts.filter((p): p is Slot => typeof p !== 'string' && p.marker === marker));
}

/** Every marker the template uses (as keys: `IP`, `IP:mail`), value or comment form. */
export function markersUsed(template: Template): Set<string> {
  return new Set(allSlots(template).map((s) => s.marker));
}

/** Every slot of the template, in order. */
export function allSlots(template: Template): Slot[] {
  return template.lines.flatMap((l) => l.parts.filter((p): p is Slot => typeof p !== 'string'));
}

export function fill(template: Template, values: MarkerValues): string {
  return fillWithLineMap(template, values).text;
}

/**
 * Fills the template, and maps each rendered line back to its base-file line:
 * `baseLine[i]` is the base line of rendered line i + 1 (they drift apart where a repeating
 * marker repeats a line), so that a checker's `file:N:` can be shown against the base file.
 */
export function fillWithLineMap(template: Template, values: MarkerValues): { text: string; baseLine: number[] } {
  const out: string[] = [];
  const baseLine: number[] = [];
  template.lines.forEach((line, i) => {
    const repeating = line.parts.find((p): p is Slot => typeof p !== 'string' && REPEATING.includes(markerBase(p.marker)));
    if (repeating === undefined) {
      out.push(renderLine(line, values));
      baseLine.push(i + 1);
      return;
    }
    const copies = listFor(repeating, values).map((value) => renderLine(line, values, { slot: repeating, value }));
    baseLine.push(...copies.map(() => i + 1));
    if (lineEnding(line) !== '') {
      out.push(...copies); // each copy keeps the line's own ending
      return;
    }
    // The last line, with no final newline: the copies are joined with the ending of the line
    // before (only the last line lacks one), and the last copy still ends the file bare. A CRLF
    // file cut after its '\r' keeps that '\r' at the very end only.
    const eol = i > 0 ? lineEnding(template.lines[i - 1]!) : '\n';
    const tail = eol === '\r\n' && lastText(line).endsWith('\r') ? '\r' : '';
    out.push(copies.map((c) => c.slice(0, c.length - tail.length)).join(eol) + tail);
  });
  return { text: out.join(''), baseLine };
}

/** One rendering of a line; the repeating slot, if given, takes one element of its list. */
function renderLine(line: TemplateLine, values: MarkerValues, repeat?: { slot: Slot; value: string }): string {
  return line.parts.map((p) => (typeof p === 'string' ? p : p === repeat?.slot ? repeat.value : valueFor(p, values))).join('');
}

/** The text after a line's last slot ('' when a slot ends the line): where its line ending is. */
function lastText(line: TemplateLine): string {
  const last = line.parts.at(-1);
  return typeof last === 'string' ? last : '';
}

function lineEnding(line: TemplateLine): string {
  const text = lastText(line);
  return text.endsWith('\r\n') ? '\r\n' : text.endsWith('\n') ? '\n' : '';
}

// The caller builds values from MARKERS and the servers that are up; a missing or ill-shaped
// value is a bug in zonerw, not in the base file. zonerw never renders zero records.
function valueFor(slot: Slot, values: MarkerValues): string {
  const value = Object.hasOwn(values, slot.marker) ? values[slot.marker] : undefined;
  if (value === undefined) throw new Error(`no value for marker @${slot.marker}@ (line ${slot.line})`);
  if (typeof value !== 'string') throw new Error(`marker @${slot.marker}@ takes one value, not a list (line ${slot.line})`);
  return value;
}

function listFor(slot: Slot, values: MarkerValues): readonly string[] {
  const value = Object.hasOwn(values, slot.marker) ? values[slot.marker] : undefined;
  if (value === undefined) throw new Error(`no value for marker @${slot.marker}@ (line ${slot.line})`);
  if (typeof value === 'string' || !value.every((v) => typeof v === 'string')) {
    throw new Error(`marker @${slot.marker}@ takes a list of values (line ${slot.line})`);
  }
  if (value.length === 0) throw new Error(`empty list for marker @${slot.marker}@ (line ${slot.line}): it would render zero records`);
  return value;
}

/**
 * `zone` (with or without its final dot), when given, lets slots name owners under another
 * `$ORIGIN` by their full names; without it owners are shown as written. `groups`: the service
 * groups the config has (a marker naming another one is a problem), the default group alone
 * unless given.
 */
export function parseBase(text: string, file: string, zone?: string, groups: readonly string[] = [DEFAULT_GROUP]): ParseResult {
  const nul = nulProblem(text);
  // One problem is enough: a binary file would otherwise bury it under garbage.
  if (nul !== undefined) return failWith(file, [nul]);
  const { tokens, problems: lexProblems } = tokenize(text);
  const problems: Finding[] = [...lexProblems];
  if (!tokens.some((t) => t.kind === 'word' || t.kind === 'quoted')) {
    return failWith(file, [{ line: 1, message: 'base file is empty' }, ...problems]);
  }
  const found = findMarkers(text, tokens, zone);
  problems.push(...found.problems, ...checkGroups(found.hits, groups));
  const hits = dropDuplicateSpans(dropMisplaced(found.hits, problems), problems);
  const serials = hits.filter((h) => h.marker === SERIAL);
  problems.push(...checkSerials(serials, found.soaLine), ...checkRepeating(hits));
  if (problems.length > 0) return failWith(file, problems);
  const withRepeats = [...hits, ...repeatedSoaSerials(found.soaSerials, hits)].sort((a, b) => a.start - b.start);
  return { ok: true, template: { file, lines: buildLines(text, withRepeats), serialLine: serials[0]!.line } };
}

/**
 * The problems of a file that a base file includes (`$INCLUDE`), named `file`. zonerw renders
 * only base files, so a marker here would reach the nameserver as written while failover went
 * on without it: every exact marker (value or comment form) is a problem, and so is a near
 * miss, found exactly as parseBase finds them. Syntax is left to the checker.
 */
export function includedFileProblems(text: string, file: string): Problem[] {
  const nul = nulProblem(text);
  if (nul !== undefined) return named(file, [nul]);
  const found = findMarkers(text, tokenize(text).tokens);
  const seen = new Set<string>();
  for (const h of found.hits) {
    const key = `${h.start} ${h.marker}`; // `@IP@ ; @IP@` is one marker on one value
    if (!seen.has(key)) found.problems.push({ line: h.line, message: `@${h.written}@ in an included file is not rendered; move the record into the base file` });
    seen.add(key);
  }
  return named(file, found.problems);
}

function nulProblem(text: string): Finding | undefined {
  const nul = text.indexOf('\0');
  return nul === -1 ? undefined : { line: lineAt(text, nul), message: 'not a text file (NUL byte)' };
}

function failWith(file: string, problems: Finding[]): ParseResult {
  return { ok: false, problems: named(file, problems) };
}

/** The findings as problems of `file`, sorted by line (sort is stable: same-line order kept). */
function named(file: string, problems: readonly Finding[]): Problem[] {
  return problems.map((p) => ({ file, ...p })).sort((a, b) => a.line - b.line);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Every marker of a zone file text, in both forms, with the near misses as problems: the one
 * recognition that base files and included files share.
 */
function findMarkers(text: string, tokens: readonly Token[], zone?: string): { hits: Hit[]; problems: Finding[]; soaLine: number | undefined; soaSerials: Scan['soaSerials'] } {
  const scan = scanEntries(text, tokens, zone);
  const problems = [...scan.problems, ...checkComments(tokens, scan)]; // adds the comment-form hits
  return { hits: scan.hits, problems, soaLine: scan.soaLine, soaSerials: scan.soaSerials };
}

/** Finds the value-form markers and misspelled markers of every entry, and the SOA. */
function scanEntries(text: string, tokens: readonly Token[], zone: string | undefined): Scan {
  const scan: Scan = { hits: [], problems: [], soaLine: undefined, soaSerials: [], places: new Map() };
  const ownerOf = ownerTracker(zone);
  for (const entry of splitEntries(tokens)) {
    const owner = ownerOf(entry);
    const spots = joinValueMarkers(text, fieldsOf(entry), scan.problems);
    const serialAt = entry.directive ? -1 : soaSerialIndex(spots, entry.owner !== undefined);
    if (serialAt !== -1) scan.soaLine ??= spots[serialAt - 3]!.line;
    const info: EntryInfo = {
      kind: entry.directive ? 'directive' : serialAt !== -1 ? 'soa' : 'record',
      multiLine: entry.tokens.some((t) => t.kind === 'newline'), // only newlines inside parentheses are in an entry
    };
    const directive = directiveName(entry);
    if (directive !== undefined) info.directive = directive;
    const serialSpot = serialAt === -1 ? undefined : spots[serialAt];
    if (serialSpot !== undefined) scan.soaSerials.push({ spot: serialSpot, owner, entry: info });
    spots.forEach((s, i) => {
      if (s.marker === undefined) return;
      const { key, written, group } = s.marker;
      const hit = { marker: key, written, ...(group !== undefined ? { group } : {}), form: 'value' as const, start: s.start, end: s.end, line: s.line };
      scan.hits.push({ ...hit, owner, inSoaSerial: i === serialAt, entry: info });
    });
    placeWords(entry.tokens, spots, (t, spot, i) => scan.places.set(t.start, { owner, spot, inSoaSerial: i === serialAt, entry: info }));
  }
  return scan;
}

/**
 * The owner that each entry's markers are reported under. RFC 1035 5.1: a blank owner repeats
 * the previous one (as the name it was then, whatever `$ORIGIN` says since), directives have
 * none, and a name without a final dot is relative to the `$ORIGIN` in effect. An `$INCLUDE`
 * does not change the origin of the file that holds it.
 */
function ownerTracker(zone: string | undefined): (entry: ZoneEntry) => string {
  const apex = zone === undefined ? undefined : zone.endsWith('.') ? zone : `${zone}.`;
  let origin = apex;
  let last = '';
  return (entry) => {
    if (entry.directive) {
      const name = fieldsOf(entry)[1];
      if (directiveName(entry) === '$ORIGIN' && origin !== undefined && name !== undefined) origin = absoluteName(name.text, origin);
      return '';
    }
    if (entry.owner !== undefined) last = shownOwner(entry.owner, origin, apex);
    return last;
  };
}

/**
 * An owner as written under the zone's own origin (or an unknown one), which is how the
 * operator knows it; under another origin a relative owner is shown by its full name, without
 * the final dot, since `fmt3` alone would name a record of the zone that does not exist.
 */
function shownOwner(written: string, origin: string | undefined, apex: string | undefined): string {
  if (origin === undefined || origin.toLowerCase() === apex?.toLowerCase() || endsWithPlain(written, '.')) return written;
  const full = absoluteName(written, origin);
  return full === '.' ? full : full.slice(0, -1);
}

/** RFC 1035 5.1: `@` is the origin; a name without a final (unescaped) dot is relative to it. */
function absoluteName(name: string, origin: string): string {
  if (name === '@') return origin;
  if (endsWithPlain(name, '.')) return name;
  return origin === '.' ? `${name}.` : `${name}.${origin}`;
}

/** Calls `place` for each word or quoted string with the spot that holds it (spots and tokens are both in order). */
function placeWords(tokens: readonly Token[], spots: readonly Spot[], place: (t: Token, spot: Spot, i: number) => void): void {
  let i = 0;
  for (const t of tokens) {
    if (t.kind !== 'word' && t.kind !== 'quoted') continue;
    while (spots[i]!.end <= t.start) i++;
    place(t, spots[i]!, i);
  }
}

/**
 * Turns an entry's fields into spots, joining each value-form marker into one spot (so that
 * `@serial number@` counts as one field of the SOA), and reports words that look like a
 * marker but are not one (rule: markers are exact and case-sensitive).
 */
function joinValueMarkers(text: string, fields: readonly Token[], problems: Finding[]): Spot[] {
  const spots: Spot[] = [];
  for (let i = 0; i < fields.length; ) {
    const f = fields[i]!;
    const run = f.kind === 'word' ? markerRun(text, fields, i) : undefined;
    if (run === undefined) {
      spots.push({ ...f });
      i++;
      continue;
    }
    const last = fields[i + run.words - 1]!;
    const parsed = parseMarkerName(run.name);
    if (parsed === undefined) problems.push({ line: f.line, message: unknownMarker(run.name) });
    const marker = parsed && { key: markerKey(parsed.marker, parsed.group), written: run.name, ...(parsed.group !== undefined ? { group: parsed.group } : {}) };
    spots.push({ kind: 'word', text: text.slice(f.start, last.end), start: f.start, end: last.end, line: f.line, ...(marker ? { marker } : {}) });
    i += run.words;
  }
  return spots;
}

/**
 * The marker-like word run starting at fields[i], if any: one word `@x@`, or two words
 * `@x y@` on one line with only blanks between (how `@serial number@` is written).
 * A lone `@` (the origin) and words with one `@` are not markers; `\@` is not a marker `@`.
 */
function markerRun(text: string, fields: readonly Token[], i: number): { name: string; words: number } | undefined {
  const w = fields[i]!.text;
  if (!w.startsWith('@') || w === '@') return undefined;
  if (endsWithPlain(w, '@')) return w.length > 2 ? { name: w.slice(1, -1), words: 1 } : undefined;
  const next = fields[i + 1];
  if (next === undefined || next.kind !== 'word' || next.text.startsWith('@') || !endsWithPlain(next.text, '@')) return undefined;
  if (!/^[ \t]+$/.test(text.slice(fields[i]!.end, next.start))) return undefined;
  return { name: `${w.slice(1)} ${next.text.slice(0, -1)}`, words: 2 };
}

/** Whether a word ends in `c` ('@', '.') that is not part of a backslash escape (RFC 1035 5.1). */
function endsWithPlain(word: string, c: string): boolean {
  let lastPlain = -1;
  for (let i = 0; i < word.length; ) {
    if (word[i] === '\\') i = skipEscape(word, i);
    else lastPlain = i++;
  }
  return lastPlain === word.length - 1 && word[lastPlain] === c;
}

function unknownMarker(name: string): string {
  const colon = name.indexOf(':');
  const grouped = colon === -1 ? undefined : suggestMarker(name.slice(0, colon));
  // `@ip:mail@`: the marker misspelled, the group kept
  const guess = grouped !== undefined && ADDRESS_MARKERS.includes(grouped) ? `${grouped}${name.slice(colon)}` : suggestMarker(name);
  return guess === undefined ? `unknown marker @${name}@` : `unknown marker @${name}@ (did you mean @${guess}@?)`;
}

/**
 * An address marker names a group the config has: a plain one the default group (which a config
 * of [[group]] tables alone lacks), `@IP:mail@` the group mail. Else a problem naming the groups.
 */
function checkGroups(hits: readonly Hit[], groups: readonly string[]): Finding[] {
  const known = `the groups are ${groups.join(', ')}`;
  return hits.flatMap((h): Finding[] => {
    const marker = markerBase(h.marker);
    if (!ADDRESS_MARKERS.includes(marker) || groups.includes(h.group ?? DEFAULT_GROUP)) return [];
    if (h.group === undefined) {
      const message = `@${h.written}@ is for the default group, and the config has none (no top-level [[server]]): name a group, like @${marker}:${groups[0]}@; ${known}`;
      return [{ line: h.line, message }];
    }
    const guess = closest(h.group, groups);
    return [{ line: h.line, message: `unknown group "${h.group}" in @${h.written}@${guess ? ` (did you mean @${marker}:${guess}@?)` : ''}; ${known}` }];
  });
}

/** Case, blanks, '_' and '-' do not tell a misspelling from the real marker. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

function suggestMarker(name: string): string | undefined {
  const n = normalize(name);
  const variant = MARKERS.find((m) => normalize(m) === n);
  if (variant !== undefined) return variant;
  let best: string | undefined;
  let bestDistance = 3; // suggest within distance 2 only
  for (const m of MARKERS) {
    const d = editDistance(n, normalize(m));
    if (d < bestDistance) [best, bestDistance] = [m, d];
  }
  return best;
}

/**
 * `@IP@`, `@ip@`, `@I_P@`, `@ i-p @`: a marker as written exactly, or a variant of it; an address
 * marker with or without a group (`@IP:mail@`, `@ip:mail@`).
 */
function variantPattern(marker: string): RegExp {
  const sep = '[\\s_-]*';
  const chars = [...normalize(marker)].map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const group = ADDRESS_MARKERS.includes(marker) ? '(?::[^@\\s]*)?' : '';
  return new RegExp(`@${sep}${chars.join(sep)}${sep}${group}@`, 'gi');
}

const VARIANTS = MARKERS.map((m) => ({ marker: m, pattern: variantPattern(m) }));

/**
 * Comment form: an exact marker in a comment replaces the last word before the comment on
 * its line; with no word there (documentation) it is ignored. A variant of a marker in a
 * comment is an error, since ignoring a misspelled marker would silently break failover.
 */
function checkComments(tokens: readonly Token[], scan: Scan): Finding[] {
  const problems: Finding[] = [];
  tokens.forEach((t, k) => {
    if (t.kind !== 'comment') return;
    for (const found of markersInComment(t.text)) {
      const parsed = found.exact ? parseMarkerName(found.name) : undefined;
      if (parsed === undefined) {
        problems.push({ line: t.line, message: unknownMarker(found.name) });
        continue;
      }
      const target = lastValueBefore(tokens, k);
      if (target === undefined) continue;
      // Every word belongs to an entry. One inside a value-form marker stands for the whole marker.
      const { owner, spot, inSoaSerial, entry } = scan.places.get(target.start)!;
      const [start, end] = spot.marker === undefined ? [target.start, target.end] : [spot.start, spot.end];
      const named = { marker: markerKey(parsed.marker, parsed.group), written: found.name, ...(parsed.group !== undefined ? { group: parsed.group } : {}) };
      const hit: Hit = { ...named, form: 'comment', start, end, line: t.line, owner, inSoaSerial, entry };
      if (target.kind === 'quoted') hit.quoted = true; // a problem for parseBase, still a marker for includedFileProblems
      scan.hits.push(hit);
    }
  });
  return problems;
}

/** Every exact marker and variant in a comment, in order; `exact`: the marker as written exactly (a group aside). */
function markersInComment(comment: string): { name: string; exact: boolean; index: number }[] {
  const found = VARIANTS.flatMap(({ marker, pattern }) =>
    [...comment.matchAll(pattern)].map((m) => {
      const name = m[0].slice(1, -1);
      return { name, exact: name === marker || name.startsWith(`${marker}:`), index: m.index };
    }),
  );
  return found.sort((a, b) => a.index - b.index);
}

/** The last word or quoted string before tokens[k] on the same physical line. */
function lastValueBefore(tokens: readonly Token[], k: number): Token | undefined {
  for (let j = k - 1; j >= 0 && tokens[j]!.kind !== 'newline'; j--) {
    const t = tokens[j]!;
    if (t.kind === 'word' || t.kind === 'quoted') return t;
  }
  return undefined;
}

/**
 * Takes out the markers that cannot become slots, each with its problem (once per line):
 * a directive is not a record, so a marker there would change `$TTL` or `$ORIGIN` for every
 * record after it, or never be seen (`$INCLUDE`, `$GENERATE`); a quoted string cannot be
 * replaced in the comment form.
 */
function dropMisplaced(hits: readonly Hit[], problems: Finding[]): Hit[] {
  const said = new Set<string>();
  return hits.filter((h) => {
    const why = h.entry.directive !== undefined
      ? `a marker in a ${h.entry.directive} directive is not supported; markers go in records`
      : h.quoted ? `@${h.written}@ in a comment cannot replace the quoted string before it` : undefined;
    if (why === undefined) return true;
    if (!said.has(`${h.line} ${why}`)) problems.push({ line: h.line, message: why });
    said.add(`${h.line} ${why}`);
    return false;
  });
}

/**
 * Two markers on one span (`@IP@ ; @IP@`, or two markers in one comment) make one slot
 * when they agree, and a problem when they do not. Both still count as occurrences.
 */
function dropDuplicateSpans(hits: readonly Hit[], problems: Finding[]): Hit[] {
  const bySpan = new Map<number, Hit>();
  for (const h of hits) {
    const seen = bySpan.get(h.start);
    if (seen === undefined) bySpan.set(h.start, h);
    else if (seen.marker !== h.marker) problems.push({ line: h.line, message: `@${seen.written}@ and @${h.written}@ mark the same value` });
    else if (h.marker === SERIAL) problems.push({ line: h.line, message: secondSerial(seen) });
  }
  return [...bySpan.values()].sort((a, b) => a.start - b.start);
}

/**
 * A zone saved from a transfer (an AXFR dump, RFC 5936 section 2.2) writes the SOA twice, first
 * and last. Its serial must change in both: a nameserver reads two SOAs that differ as two
 * records of a singleton type (BIND refuses the zone; Knot serves two), two equal ones as one
 * record (RFC 2181 section 5). So the serial of every other SOA that holds a plain number is
 * a serial slot too; the marker stays written once.
 */
function repeatedSoaSerials(soaSerials: Scan['soaSerials'], hits: readonly Hit[]): Hit[] {
  const marked = new Set(hits.filter((h) => h.marker === SERIAL).map((h) => h.start));
  return soaSerials
    .filter(({ spot }) => spot.marker === undefined && !marked.has(spot.start) && spot.kind === 'word' && /^[0-9]+$/.test(spot.text))
    .map(({ spot, owner, entry }) => ({ marker: SERIAL, written: SERIAL, form: 'value' as const, start: spot.start, end: spot.end, line: spot.line, owner, inSoaSerial: true, entry }));
}

function secondSerial(first: Hit): string {
  return `second @serial number@ (the first is at line ${first.line})`;
}

/** `@serial number@`: exactly once, in the SOA serial field (the 3rd RDATA field, RFC 1035 3.3.13). */
function checkSerials(serials: readonly Hit[], soaLine: number | undefined): Finding[] {
  const first = serials[0];
  if (first === undefined) return [{ line: soaLine ?? 1, message: 'no @serial number@ marker (put it in the SOA serial field)' }];
  const problems = serials.slice(1).map((h) => ({ line: h.line, message: secondSerial(first) }));
  // Only the first is checked for its place: the others are already wrong for being there at all.
  if (!first.inSoaSerial) problems.push({ line: first.line, message: '@serial number@ must be the SOA serial field' });
  return problems;
}

/**
 * A repeating marker repeats its whole physical line, so that line must be the whole of one
 * address record: not a directive, not the SOA (nor the serial, which would repeat the SOA),
 * not a piece of a record in parentheses. One per line, else it would need a cross product.
 * Runs on the slots (one per span), so `@IPS@ ; @IPS@` on one value is one marker.
 */
function checkRepeating(hits: readonly Hit[]): Finding[] {
  const byLine = new Map<number, Hit[]>();
  for (const h of hits) {
    const onLine = byLine.get(h.line);
    if (onLine === undefined) byLine.set(h.line, [h]);
    else onLine.push(h);
  }
  const problems: Finding[] = [];
  for (const [line, onLine] of byLine) {
    const repeating = onLine.filter((h) => REPEATING.includes(markerBase(h.marker)));
    const first = repeating[0];
    if (first === undefined) continue;
    if (repeating.length > 1) problems.push({ line, message: 'only one @IPS@ or @IPS6@ per line' });
    // One entry per physical line: every hit on it shares the entry.
    if (first.entry.kind !== 'record' || onLine.some((h) => h.marker === SERIAL)) {
      problems.push({ line, message: `@${first.written}@ belongs on an address record` });
    } else if (first.entry.multiLine) {
      problems.push({ line, message: `@${first.written}@ must be on a one-line record` });
    }
  }
  return problems;
}

/** Cuts the text into physical lines, each split around the slots it holds. */
function buildLines(text: string, hits: readonly Hit[]): TemplateLine[] {
  const lines: TemplateLine[] = [];
  let h = 0;
  for (let start = 0, line = 1; start < text.length; line++) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl + 1;
    const parts: (string | Slot)[] = [];
    let pos = start;
    for (; h < hits.length && hits[h]!.start < end; h++) {
      const hit = hits[h]!;
      if (hit.start > pos) parts.push(text.slice(pos, hit.start));
      parts.push({ marker: hit.marker, line, owner: hit.owner, form: hit.form, original: text.slice(hit.start, hit.end) });
      pos = hit.end;
    }
    if (end > pos) parts.push(text.slice(pos, end));
    lines.push({ parts });
    start = end;
  }
  return lines;
}
