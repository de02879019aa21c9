import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fixturesDir } from '../helpers/paths.js';
import { fill, formatProblem, MARKERS, parseBase, slotsOf, type Slot, type Template } from '../../src/core/markers.js';

const values = { IP: '198.51.100.7', 'serial number': '2026112201' };

function parseOk(text: string, file = 'test.base'): Template {
  const r = parseBase(text, file);
  if (!r.ok) assert.fail(`unexpected problems:\n${r.problems.map(formatProblem).join('\n')}`);
  return r.template;
}

function problemsOf(text: string, file = 'test.base'): string[] {
  const r = parseBase(text, file);
  return r.ok ? [] : r.problems.map(formatProblem);
}

/** The base file back, each slot standing for what it replaced. */
function unfill(template: Template): string {
  return template.lines.flatMap((l) => l.parts.map((p) => (typeof p === 'string' ? p : p.original))).join('');
}

function basesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.base'))
    .sort();
}

const renderDir = join(fixturesDir, 'render');
for (const base of basesIn(renderDir)) {
  const name = base.slice(0, -'.base'.length);
  test(`golden: ${name}`, () => {
    const text = readFileSync(join(renderDir, base), 'utf8');
    const expected = readFileSync(join(renderDir, `${name}.expected`), 'utf8');
    const template = parseOk(text, base);
    assert.equal(fill(template, values), expected);
    assert.equal(unfill(template), text, 'the template must hold the base file byte for byte');
  });
}

const errorDir = join(fixturesDir, 'render-errors');
for (const base of basesIn(errorDir)) {
  const name = base.slice(0, -'.base'.length);
  test(`problems: ${name}`, () => {
    const text = readFileSync(join(errorDir, base), 'utf8');
    const expected = readFileSync(join(errorDir, `${name}.error`), 'utf8').trimEnd().split('\n');
    assert.deepEqual(problemsOf(text, base), expected);
  });
}

test('MARKERS', () => assert.deepEqual(MARKERS, ['IP', 'serial number']));

test('formatProblem', () => assert.equal(formatProblem({ file: 'a.base', line: 3, message: 'oops' }), 'a.base:3: oops'));

test('slot owners: as written, inherited by blank-started lines and parenthesised continuations, not from directives', () => {
  const template = parseOk(
    [
      '$ORIGIN example.com.',
      '@ IN SOA ns1 hostmaster (',
      '    @serial number@ 1 2 3 4 )',
      'www IN A @IP@',
      '    IN A 192.0.2.1 ; @IP@',
      '$TTL 60',
      '\tIN A @IP@',
      'mx.example.com. IN MX ( 10',
      '   @IP@ )',
      'sub\\.x 300 IN A 192.0.2.2 ; @IP@',
      '',
    ].join('\n'),
  );
  const slots = template.lines.flatMap((l) => l.parts.filter((p): p is Slot => typeof p !== 'string'));
  assert.deepEqual(
    slots.map(({ marker, line, owner, form }) => ({ marker, line, owner, form })),
    [
      { marker: 'serial number', line: 3, owner: '@', form: 'value' },
      { marker: 'IP', line: 4, owner: 'www', form: 'value' },
      { marker: 'IP', line: 5, owner: 'www', form: 'comment' },
      { marker: 'IP', line: 7, owner: 'www', form: 'value' },
      { marker: 'IP', line: 9, owner: 'mx.example.com.', form: 'value' },
      { marker: 'IP', line: 10, owner: 'sub\\.x', form: 'comment' },
    ],
  );
  assert.equal(template.serialLine, 3);
  assert.equal(template.file, 'test.base');
  assert.equal(template.lines.length, 10);
  assert.deepEqual(
    slotsOf(template, 'IP').map((s) => s.line),
    [4, 5, 7, 9, 10],
  );
  assert.deepEqual(slotsOf(template, 'IP6'), []);
});

test('template lines: one per physical line, line endings kept, no empty string parts', () => {
  const template = parseOk('@ SOA a b @serial number@ 1 2 3 4\r\nwww A @IP@\r\n\r\nx A 1');
  assert.deepEqual(template.lines[1]!.parts, ['www A ', { marker: 'IP', line: 2, owner: 'www', form: 'value', original: '@IP@' }, '\r\n']);
  assert.deepEqual(template.lines[2]!.parts, ['\r\n']);
  assert.deepEqual(template.lines[3]!.parts, ['x A 1']);
  assert.equal(template.lines.length, 4);
});

test('fill: a missing value is a programming error (plain Error)', () => {
  const template = parseOk('@ SOA a b @serial number@ 1 2 3 4\nwww A @IP@\n');
  assert.throws(
    () => fill(template, { 'serial number': '1' }),
    (e: unknown) => e instanceof Error && e.constructor === Error && /@IP@/.test(e.message),
  );
  // A marker the file does not use needs no value, and extra values are ignored.
  const noIp = parseOk('@ SOA a b @serial number@ 1 2 3 4\n');
  assert.equal(fill(noIp, { 'serial number': '5', IP6: '2001:db8::1' }), '@ SOA a b 5 1 2 3 4\n');
});

const soa = '@ SOA ns1 h @serial number@ 1 2 3 4\n';

const notMarkers: { name: string; line: string }[] = [
  { name: 'lone @ (the origin)', line: '@ A 192.0.2.1' },
  { name: 'one @ inside a word', line: 'a@b A 192.0.2.1' },
  { name: 'one @ at the end', line: 'user@ A 192.0.2.1' },
  { name: 'one @ at the start', line: '@host A 192.0.2.1' },
  { name: '@@ (too short)', line: 'x A @@' },
  { name: 'escaped leading \\@', line: 'x A \\@IP@' },
  { name: 'escaped trailing \\@', line: 'x A @IP\\@' },
  { name: 'marker inside a larger word', line: 'x A pre@IP@' },
  { name: 'quoted', line: 'x TXT "@IP@" "@ip@" "@serial number@" "@Serial Number@"' },
  { name: 'unrelated @word@ in a comment', line: 'x A 192.0.2.1 ; @foo@ @IPADDR@ @serial numbr@' },
  { name: '@serial and number@ split by a paren', line: 'x TXT @serial ( number@ )' },
];

for (const { name, line } of notMarkers) {
  test(`not a marker: ${name}`, () => {
    const template = parseOk(`${soa}${line}\n`);
    assert.deepEqual(slotsOf(template, 'IP'), []);
    assert.equal(fill(template, values), `@ SOA ns1 h 2026112201 1 2 3 4\n${line}\n`);
  });
}

const misspellings: { line: string; message: string }[] = [
  { line: 'x A @ip@', message: 'unknown marker @ip@ (did you mean @IP@?)' },
  { line: 'x A @Ip@', message: 'unknown marker @Ip@ (did you mean @IP@?)' },
  { line: 'x A @I_P@', message: 'unknown marker @I_P@ (did you mean @IP@?)' },
  { line: 'x A @IPP@', message: 'unknown marker @IPP@ (did you mean @IP@?)' },
  { line: 'x A @I@', message: 'unknown marker @I@ (did you mean @IP@?)' },
  { line: 'x A @IPADDR@', message: 'unknown marker @IPADDR@' },
  { line: 'x A @foo@', message: 'unknown marker @foo@' },
  { line: 'x A @@@', message: 'unknown marker @@@ (did you mean @IP@?)' },
  { line: 'x TXT @serial_number@', message: 'unknown marker @serial_number@ (did you mean @serial number@?)' },
  { line: 'x TXT @serial-number@', message: 'unknown marker @serial-number@ (did you mean @serial number@?)' },
  { line: 'x TXT @serialnumber@', message: 'unknown marker @serialnumber@ (did you mean @serial number@?)' },
  { line: 'x TXT @SERIAL NUMBER@', message: 'unknown marker @SERIAL NUMBER@ (did you mean @serial number@?)' },
  { line: 'x TXT @serial numbr@', message: 'unknown marker @serial numbr@ (did you mean @serial number@?)' },
  { line: 'x TXT @cereal number@', message: 'unknown marker @cereal number@ (did you mean @serial number@?)' },
  { line: 'x TXT @hello world@', message: 'unknown marker @hello world@' },
  { line: 'x A 1 ; @ip@', message: 'unknown marker @ip@ (did you mean @IP@?)' },
  { line: 'x A 1 ; @ I-P @', message: 'unknown marker @ I-P @ (did you mean @IP@?)' },
  { line: 'x A 1 ; @serial  number@', message: 'unknown marker @serial  number@ (did you mean @serial number@?)' },
  { line: 'x A 1 ; @Serial Number@', message: 'unknown marker @Serial Number@ (did you mean @serial number@?)' },
  { line: '; @SERIAL_NUMBER@ on a comment-only line', message: 'unknown marker @SERIAL_NUMBER@ (did you mean @serial number@?)' },
];

for (const { line, message } of misspellings) {
  test(`misspelled marker: ${line}`, () => assert.deepEqual(problemsOf(`${soa}${line}\n`), [`test.base:2: ${message}`]));
}

test('the value-form serial may have tabs or several blanks inside', () => {
  const template = parseOk('@ SOA ns1 h @serial \t number@ 1 2 3 4\n');
  assert.equal(fill(template, values), '@ SOA ns1 h 2026112201 1 2 3 4\n');
  assert.equal(slotsOf(template, 'serial number')[0]!.original, '@serial \t number@');
});

test('comment form: the last word before the comment, skipping parens', () => {
  const template = parseOk('@ SOA ns1 h ( 1 2 3 4 5 ) ; @IP@\n@ SOA ns1 h (\n 7 ) ; @serial number@\n 1 2 3 4\n');
  assert.deepEqual(
    slotsOf(template, 'IP').map((s) => s.original),
    ['5'],
  );
  assert.equal(template.serialLine, 3);
});

test('two markers of one kind in one comment make one slot', () => {
  const template = parseOk(`${soa}www A 192.0.2.1 ; @IP@ @IP@\n`);
  assert.equal(slotsOf(template, 'IP').length, 1);
});

test('all problems are reported, sorted by line', () => {
  const text = 'x A @ip@\n"open\n@ SOA ns1 h 1 2 3 4 5\ny A @foo@ ; @Ip@\n';
  assert.deepEqual(problemsOf(text), [
    'test.base:1: unknown marker @ip@ (did you mean @IP@?)',
    'test.base:2: unterminated quoted string',
    'test.base:3: no @serial number@ marker (put it in the SOA serial field)',
    'test.base:4: unknown marker @foo@',
    'test.base:4: unknown marker @Ip@ (did you mean @IP@?)',
  ]);
});

// ---- property: fill changes only the slot spans ----

/** A piece of generated base text; `marker` means fill replaces this piece with that value. */
interface Piece {
  text: string;
  marker?: string;
}
type Line = Piece[];

const lit = (text: string): Piece => ({ text });
const blank = fc.constantFrom(' ', '\t', '  ', ' \t ', '\t\t');
const owner = fc.constantFrom('www', 'mail', '@', 'a.example.com.', 'x-1', 'sub\\.dot', 'admin\\@');
const ipLiteral = fc.constantFrom('192.0.2.1', '192.0.2.53', '10.0.0.1');
const note = fc.constantFrom('main server', 'a@b', 'see RFC 1035 (5.1)', '"quoted" ; twice', '@', '@@', 'user@host', '@foo@', '');
const txt = fc.constantFrom('"v=spf1 -all"', '"@IP@"', '"a ; b ( c"', '"@serial number@"', '"@ip@ \\" @"', '"SOA ( 1 2 3"');

/** The start of a record: an owner, or blank space (the previous owner). */
const start = fc.oneof(
  fc.tuple(owner, blank).map(([o, b]) => [lit(o + b)]),
  blank.map((b) => [lit(b)]),
);
const trailingNote = fc.option(
  fc.tuple(blank, note).map(([b, n]) => lit(`${b}; ${n}`)),
  { nil: undefined },
);

const recordLine: fc.Arbitrary<Line> = fc.oneof(
  // value form
  fc.tuple(start, blank, trailingNote).map(([s, b, n]) => [...s, lit(`IN A${b}`), { text: '@IP@', marker: 'IP' }, ...(n ? [n] : [])]),
  // comment form
  fc.tuple(start, blank, ipLiteral, blank, note).map(([s, b, ip, b2, n]) => [
    ...s,
    lit(`A${b}`),
    { text: ip, marker: 'IP' },
    lit(`${b2}; @IP@ ${n}`),
  ]),
  // no marker
  fc.tuple(start, ipLiteral, trailingNote).map(([s, ip, n]) => [...s, lit(`A ${ip}`), ...(n ? [n] : [])]),
  fc.tuple(start, fc.array(txt, { minLength: 1, maxLength: 3 }), trailingNote).map(([s, t, n]) => [...s, lit(`TXT ${t.join(' ')}`), ...(n ? [n] : [])]),
  // documentation, blank lines, directives
  fc.constantFrom('; uses @IP@ and @serial number@', '; plain comment', '', '\t', '$TTL 300', '$ORIGIN example.com.', '$INCLUDE keys.inc').map((t) => [lit(t)]),
);

const serialValue = blank.map((b): Piece => ({ text: `@serial${b}number@`, marker: 'serial number' }));
const soaLines: fc.Arbitrary<Line[]> = fc.oneof(
  fc.tuple(serialValue, blank).map(([s, b]) => [[lit(`@ IN SOA ns1 hostmaster${b}`), s, lit(' 3600 600 1209600 300')]]),
  // The comment form replaces the last value of its line, so a one-line SOA takes the value form.
  fc.tuple(serialValue, blank, note).map(([s, b, n]) => [[lit('@ 300 IN SOA ns1 hostmaster '), s, lit(` 3600 600 1209600 300${b}; ${n}`)]]),
  fc.tuple(fc.boolean(), serialValue, blank).map(([commentForm, s, b]) => [
    [lit('@ IN SOA ns1 hostmaster ( ; opens')],
    commentForm ? [lit(b), { text: '1', marker: 'serial number' }, lit(`${b}; @serial number@`)] : [lit(b), s],
    [lit(`${b}3600 600 1209600 300 )`)],
  ]),
);

const baseFile = fc
  .tuple(
    fc.array(recordLine, { maxLength: 12 }),
    soaLines,
    fc.nat(12),
    fc.constantFrom('\n', '\r\n'),
    fc.boolean(),
  )
  .map(([records, soaPart, at, eol, finalEol]) => {
    const lines = [...records.slice(0, at), ...soaPart, ...records.slice(at)];
    const pieces = lines.flatMap((line, i) => [...line, ...(i < lines.length - 1 || finalEol ? [lit(eol)] : [])]);
    return {
      text: pieces.map((p) => p.text).join(''),
      expected: pieces.map((p) => (p.marker === undefined ? p.text : values[p.marker as keyof typeof values])).join(''),
      markers: pieces.flatMap((p) => (p.marker === undefined ? [] : [p.marker])),
    };
  });

test('property: fill changes only the slot spans; the rest is byte-identical', () => {
  fc.assert(
    fc.property(baseFile, ({ text, expected, markers }) => {
      const template = parseOk(text);
      assert.equal(fill(template, values), expected);
      assert.equal(unfill(template), text);
      const slots = template.lines.flatMap((l) => l.parts.filter((p): p is Slot => typeof p !== 'string'));
      assert.deepEqual(
        slots.map((s) => s.marker),
        markers,
      );
    }),
    { numRuns: 300 },
  );
});
