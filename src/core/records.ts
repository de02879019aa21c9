// Counting what a zone holds, to refuse publishing emptiness: a truncated or half-written base
// file must not replace a good zone (octoDNS refuses plans that change too much for the same
// reason). Counts come from the rendered text with the same RFC 1035 lexer as the markers.
import { fieldsOf, splitEntries, tokenize, typeIndex } from './lexer.js';

export interface RecordCounts {
  /** resource records, directives excluded */
  records: number;
  /** NS records anywhere in the zone */
  ns: number;
}

export function countRecords(text: string): RecordCounts {
  let records = 0;
  let ns = 0;
  for (const entry of splitEntries(tokenize(text).tokens)) {
    if (entry.directive) continue;
    const fields = fieldsOf(entry);
    const i = typeIndex(fields, entry.owner !== undefined);
    if (i === -1) continue;
    records++;
    if (fields[i]!.text.toUpperCase() === 'NS') ns++;
  }
  return { records, ns };
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
