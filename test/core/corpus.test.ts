// The corpus round trip, pure: each real-world-shaped base file parses, renders to itself but
// at its markers (checked against a renderer written here, independent of markers.ts), and
// counts the records the nameserver will load. The same files go through the real checkers in
// test/e2e/corpus-checkers.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readSoaSerial } from '../../src/core/lexer.js';
import { fill, formatProblem, includedFileProblems, markersUsed, parseBase, slotsOf, type Template } from '../../src/core/markers.js';
import { countRecords } from '../../src/core/records.js';
import { BIG_RECORDS, corpusDir, corpusIncludes, corpusZones, includedTexts, readLatin1, VALUES } from '../helpers/corpus.js';

interface Expected {
  records: number;
  ns: number;
  /** how many slots of each marker */
  slots: Record<string, number>;
  /** the owners of the @IP@ slots, as change lines show them */
  owners?: string[];
}

// Counted by hand from the files (and against named-compilezone in the e2e test).
const EXPECTED: Record<string, Expected> = {
  'crlf.example': { records: 6, ns: 1, slots: { 'serial number': 1, IP: 1, IP6: 1 } },
  'escapes.example': { records: 9, ns: 1, slots: { 'serial number': 1, IP: 2 }, owners: ['odd\\032name', 'dot\\.in\\.label'] },
  // SOA, 3 NS and 3 glue from $GENERATE, 4 hosts (10-40/10), 2 aliases, www A and AAAA, MX
  'generate.example': { records: 16, ns: 3, slots: { 'serial number': 1, IP: 1, IP6: 1 } },
  'generic-class.example': { records: 5, ns: 1, slots: { 'serial number': 1, IP: 1 } },
  // base 3 (SOA, www, api.sub), ns.inc 4, nested.inc 2, sub.inc 2; NS only in ns.inc
  'include.example': { records: 11, ns: 2, slots: { 'serial number': 1, IP: 2 }, owners: ['www', 'api.sub'] },
  'modern.example': { records: 16, ns: 1, slots: { 'serial number': 1, IP: 2, IP6: 1 } },
  'no-final-newline.example': { records: 4, ns: 1, slots: { 'serial number': 1, IP: 1 } },
  'soa-late.example': { records: 6, ns: 1, slots: { 'serial number': 1, IP: 2 }, owners: ['www', 'fmt3.lin.soa-late.example'] },
  'big.example': { records: BIG_RECORDS, ns: 2, slots: { 'serial number': 1, IP: 20 } },
};

const MARKER_VALUES: Record<string, string> = { '@IP@': VALUES.IP, '@IP6@': VALUES.IP6 };

/**
 * Rendering as the corpus files are written, line by line: a marker outside quotes and comments
 * becomes its value; an exact marker in a comment replaces the last word before the comment.
 * Everything else is kept: the expected output of "changes only at the markers".
 */
function renderByHand(text: string): string {
  return text
    .split(/(?<=\n)/)
    .map((line) => {
      const [, body, eol] = /^(.*?)(\r?\n)?$/s.exec(line)!;
      const cut = commentStart(body!);
      let code = body!.slice(0, cut).replace(/"(?:[^"\\]|\\.)*"|@serial[ \t]+number@|@IP6?@/g, (m) => valueOf(m) ?? m);
      const marker = /@(?:IP6?|serial number)@/.exec(body!.slice(cut));
      if (marker !== null) code = code.replace(/[^\s()]+(?=[\s()]*$)/, valueOf(marker[0])!);
      return code + body!.slice(cut) + (eol ?? '');
    })
    .join('');
}

function valueOf(marker: string): string | undefined {
  return marker.startsWith('@serial') ? VALUES['serial number'] : MARKER_VALUES[marker];
}

/** Where a line's comment starts: the first ';' outside quotes and escapes (RFC 1035 5.1). */
function commentStart(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ';' && !quoted) return i;
  }
  return line.length;
}

function parseCorpus(text: string, file: string, zone: string): Template {
  const r = parseBase(text, file, zone);
  if (!r.ok) assert.fail(r.problems.map(formatProblem).join('\n'));
  return r.template;
}

test('corpus: every fixture has its expectations, and nothing is expected of a missing one', () => {
  assert.deepEqual(corpusZones().map((z) => z.zone).sort(), Object.keys(EXPECTED).sort());
});

for (const { zone, file, text } of corpusZones()) {
  test(`corpus ${zone}: renders byte for byte but at its markers, and counts what the nameserver loads`, () => {
    const want = EXPECTED[zone]!;
    const template = parseCorpus(text, file, zone);
    const rendered = fill(template, VALUES);
    assert.ok(rendered === renderByHand(text), 'rendered text differs from the base file outside the markers');
    const slots = Object.fromEntries([...markersUsed(template)].map((m) => [m, slotsOf(template, m).length]));
    assert.deepEqual(slots, want.slots);
    if (want.owners) assert.deepEqual(slotsOf(template, 'IP').map((s) => s.owner), want.owners);
    assert.equal(readSoaSerial(rendered), Number(VALUES['serial number']));
    assert.deepEqual(countRecords(rendered, includedTexts(rendered)), { records: want.records, ns: want.ns });
  });
}

test('corpus: the included files hold no markers', () => {
  for (const inc of corpusIncludes()) assert.deepEqual(includedFileProblems(readLatin1(join(corpusDir, inc)), inc), [], inc);
});

test('corpus: the CRLF and no-final-newline files are what they say', () => {
  const byZone = new Map(corpusZones().map((z) => [z.zone, z.text]));
  assert.equal(byZone.get('crlf.example')!.split('\r\n').length, byZone.get('crlf.example')!.split('\n').length);
  assert.ok(!byZone.get('no-final-newline.example')!.endsWith('\n'));
  assert.ok(!fill(parseCorpus(byZone.get('no-final-newline.example')!, 'x', 'no-final-newline.example'), VALUES).endsWith('\n'));
});

test('corpus: the renderer by hand is not fooled by a changed byte', () => {
  // Guards the guard: a renderer that copied the text unchanged would pass nothing above.
  const { text } = corpusZones().find((z) => z.zone === 'escapes.example')!;
  assert.notEqual(renderByHand(text), text);
  assert.notEqual(renderByHand(text), fill(parseCorpus(text.replace('"first"', '"First"'), 'x', 'escapes.example'), VALUES));
});
