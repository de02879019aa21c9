// A signed zone file with the records only a signer makes left out, for --dry-run's diff of a
// zone zonerw signs: RRSIGs (and NSEC3 hashes with a new salt) change with every signing, so a
// diff of two signings is all signatures unless they are set aside.
import { fieldsOf, splitEntries, tokenize, typeIndex } from './lexer.js';

/** RFC 4034 and RFC 5155: the types a signer makes, by name and in RFC 3597's generic form. */
const SIGNER_TYPES = new Set(['RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'TYPE46', 'TYPE47', 'TYPE50', 'TYPE51']);

/** The text without the lines of its RRSIG, NSEC, NSEC3 and NSEC3PARAM records (each over all its lines). */
export function withoutSignerRecords(text: string): string {
  const drop = new Set<number>();
  for (const entry of splitEntries(tokenize(text).tokens)) {
    if (entry.directive) continue;
    const fields = fieldsOf(entry);
    const type = fields[typeIndex(fields, entry.owner !== undefined)];
    if (type === undefined || !SIGNER_TYPES.has(type.text.toUpperCase())) continue;
    for (let line = entry.tokens[0]!.line; line <= entry.tokens[entry.tokens.length - 1]!.line; line++) drop.add(line);
  }
  if (drop.size === 0) return text;
  return text.split('\n').filter((_, i) => !drop.has(i + 1)).join('\n');
}
