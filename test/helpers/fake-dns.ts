// A nameserver in memory for the run tests: it "serves" a zone file text, answering the SOA
// serial and the A/AAAA records of a name as a real one would (owners relative to the zone,
// blank owners repeating the last one, $ORIGIN followed).
import { directiveName, fieldsOf, readSoaSerial, splitEntries, tokenize, typeIndex } from '../../src/core/lexer.js';
import type { AddressType, ZoneAnswer } from '../../src/core/served.js';

/** What a nameserver serving `text` for `zone` answers; no text: SERVFAIL-like refusal. */
export function answerFrom(text: string | undefined, zone: string, names: readonly { name: string; type: AddressType }[]): ZoneAnswer {
  if (text === undefined) return { answered: true, problem: 'REFUSED', addresses: [] };
  const serial = readSoaSerial(text);
  if (serial === undefined) return { answered: true, problem: 'SERVFAIL', addresses: [] };
  const records = recordsOf(text, zone);
  return {
    serial,
    answered: true,
    addresses: names.map(({ name, type }) => ({ name, type, addresses: records.filter((r) => r.name === name.toLowerCase() && r.type === type).map((r) => r.value) })),
  };
}

function recordsOf(text: string, zone: string): { name: string; type: string; value: string }[] {
  let origin = `${zone}.`;
  let owner = origin;
  const abs = (n: string) => (n === '@' ? origin : n.endsWith('.') ? n : `${n}.${origin}`).toLowerCase();
  const out: { name: string; type: string; value: string }[] = [];
  for (const entry of splitEntries(tokenize(text).tokens)) {
    const f = fieldsOf(entry);
    if (entry.directive) {
      if (directiveName(entry) === '$ORIGIN' && f[1]) origin = abs(f[1].text);
      continue;
    }
    if (entry.owner !== undefined) owner = abs(entry.owner);
    const i = typeIndex(f, entry.owner !== undefined);
    if (i !== -1 && f[i + 1]) out.push({ name: owner.slice(0, -1), type: f[i]!.text.toUpperCase(), value: f[i + 1]!.text });
  }
  return out;
}
