// Counting what a zone holds, to refuse publishing emptiness: a truncated or half-written base
// file must not replace a good zone (octoDNS refuses plans that change too much for the same
// reason). Counts come from the rendered text with the same RFC 1035 lexer as the markers, and
// count what the nameserver will load: `$GENERATE` ranges expanded, included files added.
import { directiveName, fieldsOf, splitEntries, tokenize, typeIndex, type Field, type ZoneEntry } from './lexer.js';

export interface RecordCounts {
  /** resource records, directives excluded, `$GENERATE` expanded */
  records: number;
  /** NS records anywhere in the zone */
  ns: number;
}

/**
 * The records of a zone: `text` (the rendered base file) plus `included`, the texts of every
 * file it includes, nested includes too, one text per `$INCLUDE` that the nameserver follows
 * (the caller reads them; see findIncludes). The `$INCLUDE` lines themselves count nothing.
 */
export function countRecords(text: string, included: readonly string[] = []): RecordCounts {
  const total: RecordCounts = { records: 0, ns: 0 };
  for (const t of [text, ...included]) {
    const c = countText(t);
    total.records += c.records;
    total.ns += c.ns;
  }
  return total;
}

function countText(text: string): RecordCounts {
  const counts: RecordCounts = { records: 0, ns: 0 };
  for (const entry of splitEntries(tokenize(text).tokens)) {
    const { type, times } = recordsOf(entry);
    if (type === undefined) continue;
    counts.records += times;
    if (type.toUpperCase() === 'NS') counts.ns += times;
  }
  return counts;
}

/** The type an entry creates records of, and how many: one for a record, a range's worth for `$GENERATE`. */
function recordsOf(entry: ZoneEntry): { type: string | undefined; times: number } {
  const fields = fieldsOf(entry);
  if (directiveName(entry) === '$GENERATE') return generated(fields);
  if (entry.directive) return { type: undefined, times: 0 };
  const i = typeIndex(fields, entry.owner !== undefined);
  return { type: i === -1 ? undefined : fields[i]!.text, times: 1 };
}

/**
 * BIND's `$GENERATE range lhs [ttl] [class] type rhs`: the lhs stands where a record's owner
 * does, so the type is found as in a record. A range BIND would refuse counts nothing (the
 * checker reports it).
 */
function generated(fields: readonly Field[]): { type: string | undefined; times: number } {
  const range = fields[1] === undefined ? undefined : generateCount(fields[1].text);
  const rest = fields.slice(2);
  const i = typeIndex(rest, true);
  if (range === undefined || rest.length < 3 || i === -1) return { type: undefined, times: 0 };
  return { type: rest[i]!.text, times: range };
}

/**
 * How many records a `$GENERATE` range makes: `start-stop[/step]`, step at least 1, stop not
 * below start and at most 2^31 - 1 (BIND 9.18 refuses the rest as "invalid range"; it reads the
 * numbers with sscanf, hence the optional '+'), so (stop - start) / step + 1, rounded down.
 */
export function generateCount(range: string): number | undefined {
  const m = /^\+?(\d+)-\+?(\d+)(?:\/\+?(\d+))?$/.exec(range);
  if (m === null) return undefined;
  const [start, stop, step] = [Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3])];
  if (step < 1 || stop < start || stop > 0x7fffffff) return undefined;
  return Math.floor((stop - start) / step) + 1;
}

/**
 * Why publishing `next` is refused, or undefined when it may go out. `maxShrink` is the
 * fraction (0..1) of the last published records a publish may drop; 1 allows anything.
 */
export function shrinkProblem(next: RecordCounts, previousRecords: number | undefined, maxShrink: number): string | undefined {
  if (next.ns === 0) return `the rendered zone has no NS records (${next.records} record${next.records === 1 ? '' : 's'} in all)`;
  if (previousRecords === undefined || previousRecords === 0 || maxShrink >= 1) return undefined;
  const dropped = (previousRecords - next.records) / previousRecords;
  if (dropped <= maxShrink) return undefined;
  return `it would drop from ${previousRecords} records to ${next.records} (${Math.round(dropped * 100)}% fewer; max_shrink is ${Math.round(maxShrink * 100)}%)`;
}
