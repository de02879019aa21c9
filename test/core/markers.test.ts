import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { fixturesDir } from '../helpers/paths.js';
import {
  fill,
  fillWithLineMap,
  formatProblem,
  includedFileProblems,
  MARKERS,
  markersUsed,
  parseBase,
  slotsOf,
  type MarkerValues,
  type Slot,
  type Template,
} from '../../src/core/markers.js';

const values = {
  IP: '198.51.100.7',
  IP6: '2001:db8::7',
  IPS: ['192.0.2.1', '192.0.2.2', '198.51.100.7'],
  IPS6: ['2001:db8::1', '2001:db8::7'],
  'serial number': '2026112201',
} as const satisfies MarkerValues;

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

test('MARKERS', () => assert.deepEqual(MARKERS, ['IP', 'IP6', 'IPS', 'IPS6', 'serial number']));

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
  { line: 'x A @ips@', message: 'unknown marker @ips@ (did you mean @IPS@?)' },
  { line: 'x A @IPs@', message: 'unknown marker @IPs@ (did you mean @IPS@?)' },
  { line: 'x AAAA @ip6@', message: 'unknown marker @ip6@ (did you mean @IP6@?)' },
  { line: 'x AAAA @IPv6@', message: 'unknown marker @IPv6@ (did you mean @IP6@?)' },
  { line: 'x AAAA @IP_6@', message: 'unknown marker @IP_6@ (did you mean @IP6@?)' },
  { line: 'x AAAA @Ips6@', message: 'unknown marker @Ips6@ (did you mean @IPS6@?)' },
  { line: 'x AAAA @IPSv6@', message: 'unknown marker @IPSv6@ (did you mean @IPS6@?)' },
  { line: 'x AAAA @IPS 6@', message: 'unknown marker @IPS 6@ (did you mean @IPS6@?)' },
  { line: 'x A @IP4@', message: 'unknown marker @IP4@ (did you mean @IP@?)' },
  { line: 'x A @IPv4@', message: 'unknown marker @IPv4@ (did you mean @IP@?)' },
  { line: 'x A 1 ; @ips@', message: 'unknown marker @ips@ (did you mean @IPS@?)' },
  { line: 'x AAAA ::1 ; @I-P-6@', message: 'unknown marker @I-P-6@ (did you mean @IP6@?)' },
  { line: 'x AAAA ::1 ; @ips 6@', message: 'unknown marker @ips 6@ (did you mean @IPS6@?)' },
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

// ---- repeating markers: @IPS@ and @IPS6@ ----

const rr = (lines: string[], eol = '\n') => lines.join(eol);

test('@IPS@ with one value renders exactly like @IP@ (value and comment forms, with and without a final newline)', () => {
  for (const final of ['\n', '']) {
    for (const body of ['www IN A @IP@', '\tIN A 192.0.2.1 ; @IP@ main', 'x IN A ( @IP@ )']) {
      const ip = parseOk(`${soa}${body}${final}`);
      const ips = parseOk(`${soa}${body.replace('@IP@', '@IPS@')}${final}`);
      const one = { IP: '203.0.113.9', IPS: ['203.0.113.9'], 'serial number': '7' };
      // The comment form keeps its comment, marker included: that is the only difference.
      assert.equal(fill(ips, one), fill(ip, one).replace('@IP@', '@IPS@'));
      assert.deepEqual(fillWithLineMap(ips, one).baseLine, [1, 2]);
    }
  }
});

test('@IPS@ with three values gives three lines, in order, each with the line ending kept', () => {
  const template = parseOk(rr([soa.trimEnd(), 'www IN A @IPS@', '\tIN AAAA ::1 ; @IPS6@ v6', 'end IN A 192.0.2.9', ''], '\r\n'));
  const text = fill(template, { ...values, IPS: ['192.0.2.1', '192.0.2.2', '192.0.2.3'], IPS6: ['::a', '::b', '::c'] });
  assert.equal(
    text,
    rr(
      [
        '@ SOA ns1 h 2026112201 1 2 3 4',
        'www IN A 192.0.2.1',
        'www IN A 192.0.2.2',
        'www IN A 192.0.2.3',
        '\tIN AAAA ::a ; @IPS6@ v6',
        '\tIN AAAA ::b ; @IPS6@ v6',
        '\tIN AAAA ::c ; @IPS6@ v6',
        'end IN A 192.0.2.9',
        '',
      ],
      '\r\n',
    ),
  );
});

test('fillWithLineMap: rendered lines map back to base lines across two repeated lines', () => {
  const base = rr([
    '$TTL 300', // 1
    '@ SOA ns1 h @serial number@ 1 2 3 4', // 2
    'a IN A @IPS@', // 3
    'b IN A 192.0.2.9', // 4
    'c IN AAAA @IPS6@', // 5
    '', // 6
    'd IN A @IP@', // 7
    '',
  ]);
  const { text, baseLine } = fillWithLineMap(parseOk(base), values);
  assert.deepEqual(baseLine, [1, 2, 3, 3, 3, 4, 5, 5, 6, 7]);
  const rendered = text.split('\n').slice(0, -1);
  assert.equal(rendered.length, baseLine.length);
  assert.deepEqual(rendered.slice(2, 5), ['a IN A 192.0.2.1', 'a IN A 192.0.2.2', 'a IN A 198.51.100.7']);
  assert.deepEqual(rendered.slice(6, 8), ['c IN AAAA 2001:db8::1', 'c IN AAAA 2001:db8::7']);
  assert.equal(fill(parseOk(base), values), text);
  // Without repeating markers the map is the identity, whatever the ending of the last line.
  assert.deepEqual(fillWithLineMap(parseOk(`${soa}x A @IP@`), values).baseLine, [1, 2]);
});

const lastLineTable: { name: string; text: string; want: string }[] = [
  {
    name: 'LF, no final newline: copies joined with \\n, the last one bare',
    text: '@ SOA a b @serial number@ 1 2 3 4\nwww A @IPS@',
    want: '@ SOA a b 2026112201 1 2 3 4\nwww A 192.0.2.1\nwww A 192.0.2.2\nwww A 198.51.100.7',
  },
  {
    name: 'CRLF, no final newline: copies joined with \\r\\n',
    text: '@ SOA a b @serial number@ 1 2 3 4\r\nwww AAAA ::1 ; @IPS6@',
    want: '@ SOA a b 2026112201 1 2 3 4\r\nwww AAAA 2001:db8::1 ; @IPS6@\r\nwww AAAA 2001:db8::7 ; @IPS6@',
  },
  {
    name: 'mixed endings: the ending of the line before',
    text: '@ SOA a b @serial number@ 1 2 3 4\r\nx A 1\nwww A @IPS@ ; last',
    want: '@ SOA a b 2026112201 1 2 3 4\r\nx A 1\nwww A 192.0.2.1 ; last\nwww A 192.0.2.2 ; last\nwww A 198.51.100.7 ; last',
  },
  {
    name: "CRLF cut after its '\\r': the '\\r' stays at the very end only",
    text: '@ SOA a b @serial number@ 1 2 3 4\r\nwww AAAA @IPS6@\r',
    want: '@ SOA a b 2026112201 1 2 3 4\r\nwww AAAA 2001:db8::1\r\nwww AAAA 2001:db8::7\r',
  },
  {
    name: 'the last line with a final newline is no special case',
    text: '@ SOA a b @serial number@ 1 2 3 4\r\nwww AAAA @IPS6@\r\n',
    want: '@ SOA a b 2026112201 1 2 3 4\r\nwww AAAA 2001:db8::1\r\nwww AAAA 2001:db8::7\r\n',
  },
];

for (const { name, text, want } of lastLineTable) {
  test(`repeated last line: ${name}`, () => assert.equal(fill(parseOk(text), values), want));
}

test('fill: an empty list, a missing list, or a value of the wrong shape is a programming error (plain Error)', () => {
  const template = parseOk(`${soa}www A @IPS@\n`);
  const plainError = (re: RegExp) => (e: unknown) => e instanceof Error && e.constructor === Error && re.test(e.message);
  assert.throws(() => fill(template, { ...values, IPS: [] }), plainError(/empty list for marker @IPS@ \(line 2\)/));
  assert.throws(() => fill(template, { 'serial number': '1' }), plainError(/no value for marker @IPS@/));
  assert.throws(() => fill(template, { ...values, IPS: '192.0.2.1' }), plainError(/@IPS@ takes a list/));
  assert.throws(() => fill(parseOk(`${soa}www A @IP@\n`), { ...values, IP: ['192.0.2.1'] }), plainError(/@IP@ takes one value, not a list/));
  // An empty list for a marker the file does not use is nobody's business.
  assert.equal(fill(parseOk(`${soa}www A @IP@\n`), { ...values, IPS: [], IPS6: [] }), '@ SOA ns1 h 2026112201 1 2 3 4\nwww A 198.51.100.7\n');
});

test('markersUsed and slotsOf see every form of every marker', () => {
  const template = parseOk(rr([soa.trimEnd(), 'a A @IPS@', 'b AAAA ::1 ; @IP6@', 'c AAAA @IPS6@ ; @IPS6@', '; @IP@ documentation only', '']));
  assert.deepEqual(markersUsed(template), new Set(['serial number', 'IPS', 'IP6', 'IPS6']));
  assert.deepEqual(
    slotsOf(template, 'IPS6').map(({ marker, line, owner, form, original }) => ({ marker, line, owner, form, original })),
    [{ marker: 'IPS6', line: 4, owner: 'c', form: 'value', original: '@IPS6@' }],
  );
  assert.deepEqual(slotsOf(template, 'IP'), []);
  assert.deepEqual(markersUsed(parseOk(soa)), new Set(['serial number']));
});

const repeatingOk: { name: string; line: string }[] = [
  { name: 'both forms on one value are one marker', line: 'www A @IPS@ ; @IPS@' },
  { name: 'two marks in one comment are one marker', line: 'www A 1 ; @IPS6@ @IPS6@' },
  { name: 'parentheses on one line', line: 'www A ( @IPS@ )' },
  { name: 'with @IP@ elsewhere on the line', line: 'www HINFO @IP@ @IPS@' },
  { name: 'inherited owner', line: '\tA @IPS@' },
];

for (const { name, line } of repeatingOk) {
  test(`repeating marker allowed: ${name}`, () => assert.deepEqual(problemsOf(`${soa}${line}\n`), []));
}

const repeatingProblems: { name: string; text: string; want: string[] }[] = [
  { name: '@IPS@ and @IPS6@ on one line', text: `${soa}x HINFO @IPS@ @IPS6@\n`, want: ['test.base:2: only one @IPS@ or @IPS6@ per line'] },
  { name: '@IPS@ twice, value and comment forms on two values', text: `${soa}x HINFO @IPS@ 1 ; @IPS@\n`, want: ['test.base:2: only one @IPS@ or @IPS6@ per line'] },
  { name: '@IPS@ and @IPS6@ on one value', text: `${soa}x A @IPS@ ; @IPS6@\n`, want: ['test.base:2: @IPS@ and @IPS6@ mark the same value'] },
  { name: 'in a parenthesised record, first line', text: `${soa}x A ( @IPS@\n )\n`, want: ['test.base:2: @IPS@ must be on a one-line record'] },
  { name: 'in a parenthesised record, comment form', text: `${soa}x AAAA (\n ::1 ) ; @IPS6@\n`, want: ['test.base:3: @IPS6@ must be on a one-line record'] },
  { name: '$ directive, value form: the directive problem only', text: `$TTL @IPS@\n${soa}`, want: ['test.base:1: a marker in a $TTL directive is not supported; markers go in records'] },
  { name: '$ directive, comment form', text: `$TTL 300 ; @IPS6@\n${soa}`, want: ['test.base:1: a marker in a $TTL directive is not supported; markers go in records'] },
  { name: 'one-line SOA', text: '@ SOA ns1 h @serial number@ 1 2 3 4 ; @IPS@\n', want: ['test.base:1: @IPS@ belongs on an address record'] },
  {
    name: 'multi-line SOA: not the one-line message too',
    text: '@ SOA ns1 h (\n @serial number@ 1 2 3 @IPS@ )\n',
    want: ['test.base:2: @IPS@ belongs on an address record'],
  },
  {
    name: 'the serial on the line, outside the SOA',
    text: `@ SOA ns1 h 1 1 2 3 4\nx HINFO @serial number@ @IPS@\n`,
    want: ['test.base:2: @serial number@ must be the SOA serial field', 'test.base:2: @IPS@ belongs on an address record'],
  },
  {
    name: 'two on a multi-line SOA line: both problems',
    text: '@ SOA ns1 h (\n @serial number@ 1 2 @IPS@ @IPS6@ )\n',
    want: ['test.base:2: only one @IPS@ or @IPS6@ per line', 'test.base:2: @IPS@ belongs on an address record'],
  },
];

for (const { name, text, want } of repeatingProblems) {
  test(`repeating marker problem: ${name}`, () => assert.deepEqual(problemsOf(text), want));
}

// ---- property: fill changes only the slot spans ----

/** A piece of generated base text; `marker` means fill replaces this piece with that value. */
interface Piece {
  text: string;
  marker?: string;
}
type Line = Piece[];

const REPEATING = new Set(['IPS', 'IPS6']);
const lit = (text: string): Piece => ({ text });
const blank = fc.constantFrom(' ', '\t', '  ', ' \t ', '\t\t');
const owner = fc.constantFrom('www', 'mail', '@', 'a.example.com.', 'x-1', 'sub\\.dot', 'admin\\@');
const ip4 = fc.constantFrom('192.0.2.1', '192.0.2.53', '10.0.0.1', '198.51.100.7');
const ip6 = fc.constantFrom('2001:db8::1', '::1', '2001:db8:0:1::53', 'fe80::1');
const note = fc.constantFrom('main server', 'a@b', 'see RFC 1035 (5.1)', '"quoted" ; twice', '@', '@@', 'user@host', '@foo@', '');
const txt = fc.constantFrom('"v=spf1 -all"', '"@IP@"', '"a ; b ( c"', '"@serial number@"', '"@ip@ \\" @"', '"SOA ( 1 2 3"', '"@IPS@ @IPS6@"');

/** An address record's type, the marker that fills it, and a literal the comment form replaces. */
const family = fc.oneof(
  fc.tuple(fc.constantFrom('IP', 'IPS'), ip4).map(([marker, literal]) => ({ type: 'A', marker, literal })),
  fc.tuple(fc.constantFrom('IP6', 'IPS6'), ip6).map(([marker, literal]) => ({ type: 'AAAA', marker, literal })),
);

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
  fc.tuple(start, family, blank, trailingNote).map(([s, f, b, n]) => [
    ...s,
    lit(`IN ${f.type}${b}`),
    { text: `@${f.marker}@`, marker: f.marker },
    ...(n ? [n] : []),
  ]),
  // comment form
  fc.tuple(start, family, blank, blank, note).map(([s, f, b, b2, n]) => [
    ...s,
    lit(`${f.type}${b}`),
    { text: f.literal, marker: f.marker },
    lit(`${b2}; @${f.marker}@ ${n}`),
  ]),
  // no marker
  fc.tuple(start, ip4, trailingNote).map(([s, ip, n]) => [...s, lit(`A ${ip}`), ...(n ? [n] : [])]),
  fc.tuple(start, fc.array(txt, { minLength: 1, maxLength: 3 }), trailingNote).map(([s, t, n]) => [...s, lit(`TXT ${t.join(' ')}`), ...(n ? [n] : [])]),
  // documentation, blank lines, directives
  fc
    .constantFrom('; uses @IP@ and @serial number@', '; round robin: @IPS@ @IPS6@', '; plain comment', '', '\t', '$TTL 300', '$ORIGIN example.com.', '$INCLUDE keys.inc')
    .map((t) => [lit(t)]),
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

/** Values as the caller gives them: one address, or the non-empty list of the up servers. */
const markerValues = fc.record({
  IP: ip4,
  IP6: ip6,
  IPS: fc.array(ip4, { minLength: 1, maxLength: 4 }),
  IPS6: fc.array(ip6, { minLength: 1, maxLength: 3 }),
  'serial number': fc.constantFrom('2026112201', '1', '4294967295'),
});
type Values = typeof markerValues extends fc.Arbitrary<infer V> ? V : never;

const baseFile = fc.tuple(
  fc.array(recordLine, { maxLength: 12 }),
  soaLines,
  fc.nat(12),
  fc.constantFrom('\n', '\r\n'),
  fc.boolean(),
).map(([records, soaPart, at, eol, endsWithEol]) => {
  const lines = [...records.slice(0, at), ...soaPart, ...records.slice(at)];
  // An empty last line with no line ending is no line at all: the file ends with the one before.
  const emptyLast = !endsWithEol && lines.at(-1)!.every((p) => p.text === '');
  if (emptyLast) lines.pop();
  const finalEol = endsWithEol || emptyLast;
  const pieces = lines.flatMap((line, i) => [...line, ...(i < lines.length - 1 || finalEol ? [lit(eol)] : [])]);
  return {
    text: pieces.map((p) => p.text).join(''),
    lines,
    eol,
    finalEol,
    markers: pieces.flatMap((p) => (p.marker === undefined ? [] : [p.marker])),
  };
});

/** What fill must give, worked out from the pieces: one copy of a line per value of its repeating marker. */
function expectedRender(lines: readonly Line[], eol: string, finalEol: boolean, v: Values): { text: string; baseLine: number[]; copies: string[][] } {
  const out: string[] = [];
  const baseLine: number[] = [];
  const copies: string[][] = []; // per base line, the value its slot takes in each copy
  lines.forEach((line, i) => {
    const slot = line.find((p) => p.marker !== undefined);
    const list: readonly string[] = slot === undefined ? [''] : REPEATING.has(slot.marker!) ? v[slot.marker as 'IPS' | 'IPS6'] : [v[slot.marker as 'IP' | 'IP6' | 'serial number']];
    copies.push([...list]);
    list.forEach((value, k) => {
      const ending = i < lines.length - 1 || finalEol || k < list.length - 1 ? eol : '';
      out.push(line.map((p) => (p === slot ? value : p.text)).join('') + ending);
      baseLine.push(i + 1);
    });
  });
  return { text: out.join(''), baseLine, copies };
}

/** A line with its slot cut out (and its line ending off). */
function blanked(line: Line, rendered?: { text: string; value: string }): string {
  const at = line.findIndex((p) => p.marker !== undefined);
  if (rendered === undefined) return line.filter((p) => p.marker === undefined).map((p) => p.text).join('');
  const text = rendered.text.replace(/\r?\n$/, '');
  if (at === -1) return text;
  const prefix = line.slice(0, at).map((p) => p.text).join('').length;
  assert.equal(text.slice(prefix, prefix + rendered.value.length), rendered.value, 'the slot holds its value');
  return text.slice(0, prefix) + text.slice(prefix + rendered.value.length);
}

test('property: fill changes only the slot spans; the rest is byte-identical, in every copy of a repeated line', () => {
  fc.assert(
    fc.property(baseFile, markerValues, ({ text, lines, eol, finalEol, markers }, v) => {
      const template = parseOk(text);
      const want = expectedRender(lines, eol, finalEol, v);
      const got = fillWithLineMap(template, v);
      assert.equal(got.text, want.text);
      assert.deepEqual(got.baseLine, want.baseLine);
      assert.equal(fill(template, v), got.text);
      assert.equal(unfill(template), text);
      const slots = template.lines.flatMap((l) => l.parts.filter((p): p is Slot => typeof p !== 'string'));
      assert.deepEqual(
        slots.map((s) => s.marker),
        markers,
      );
      // Each rendered line, its slot blanked, is its base line with the slot blanked.
      const rendered = got.text.split(/(?<=\n)/).filter((l) => l !== '');
      assert.equal(rendered.length, got.baseLine.length);
      const seen = new Map<number, number>();
      rendered.forEach((r, i) => {
        const b = got.baseLine[i]!;
        const k = seen.get(b) ?? 0;
        seen.set(b, k + 1);
        const value = want.copies[b - 1]![k]!;
        assert.equal(blanked(lines[b - 1]!, { text: r, value }), blanked(lines[b - 1]!));
      });
    }),
    { numRuns: 300 },
  );
});

// ---- markers in directives ----

const directiveProblems: { name: string; text: string; want: string[] }[] = [
  { name: '$TTL, value form', text: `$TTL @IP@\n${soa}`, want: ['test.base:1: a marker in a $TTL directive is not supported; markers go in records'] },
  { name: '$TTL, comment form', text: `${soa}$TTL 86400 ; @IP@\n`, want: ['test.base:2: a marker in a $TTL directive is not supported; markers go in records'] },
  { name: '$ORIGIN, value form', text: `${soa}www A 192.0.2.1\n$ORIGIN @IP@\n`, want: ['test.base:3: a marker in a $ORIGIN directive is not supported; markers go in records'] },
  { name: '$ORIGIN, comment form', text: `$ORIGIN example.com. ; @IP6@\n${soa}`, want: ['test.base:1: a marker in a $ORIGIN directive is not supported; markers go in records'] },
  { name: '$INCLUDE', text: `${soa}$INCLUDE @IP@.inc ; @IP@\n`, want: ['test.base:2: a marker in a $INCLUDE directive is not supported; markers go in records'] },
  { name: '$INCLUDE with a quoted file name, comment form', text: `${soa}$INCLUDE "a.inc" ; @IP@\n`, want: ['test.base:2: a marker in a $INCLUDE directive is not supported; markers go in records'] },
  { name: '$GENERATE', text: `${soa}$GENERATE 1-4 h$ A @IP@\n`, want: ['test.base:2: a marker in a $GENERATE directive is not supported; markers go in records'] },
  { name: 'lowercase directive: named upper-cased', text: `$ttl 300 ; @IP@\n${soa}`, want: ['test.base:1: a marker in a $TTL directive is not supported; markers go in records'] },
  { name: 'two on one line: one problem', text: `$TTL @IP@ ; @IP@\n${soa}`, want: ['test.base:1: a marker in a $TTL directive is not supported; markers go in records'] },
  {
    name: 'the serial in a directive: no serial besides',
    text: '$TTL @serial number@\n@ SOA ns1 h 1 2 3 4 5\n',
    want: ['test.base:1: a marker in a $TTL directive is not supported; markers go in records', 'test.base:2: no @serial number@ marker (put it in the SOA serial field)'],
  },
  { name: 'a near miss there stays a near miss', text: `$TTL @ip@\n${soa}`, want: ['test.base:1: unknown marker @ip@ (did you mean @IP@?)'] },
];

for (const { name, text, want } of directiveProblems) {
  test(`marker in a directive: ${name}`, () => assert.deepEqual(problemsOf(text), want));
}

test('directives without markers, and markers after them, are fine', () => {
  const template = parseOk(`$TTL 86400 ; one day\n$ORIGIN example.com.\n${soa}www A @IP@ ; $TTL @IP@\n`);
  assert.deepEqual(slotsOf(template, 'IP').map((s) => s.line), [4]);
});

// ---- markers in included files ----

const includedTable: { name: string; text: string; want: string[] }[] = [
  { name: 'no markers', text: 'www IN A 192.0.2.1 ; the web\n; uses @IP@ in the base file\n', want: [] },
  { name: 'comment form', text: 'www IN A 192.0.2.1\napi IN A 192.0.2.50 ; @IP@\n', want: ['ns.inc:2: @IP@ in an included file is not rendered; move the record into the base file'] },
  { name: 'value form', text: 'www IN AAAA @IP6@\n', want: ['ns.inc:1: @IP6@ in an included file is not rendered; move the record into the base file'] },
  { name: 'both forms on one value: once', text: 'www IN A @IP@ ; @IP@\n', want: ['ns.inc:1: @IP@ in an included file is not rendered; move the record into the base file'] },
  {
    name: 'two markers, two lines, the serial and round robin too',
    text: '@ SOA ns1 h (\n 1 ; @serial number@\n 2 3 4 5 )\nwww A @IPS@\n',
    want: [
      'ns.inc:2: @serial number@ in an included file is not rendered; move the record into the base file',
      'ns.inc:4: @IPS@ in an included file is not rendered; move the record into the base file',
    ],
  },
  { name: 'in a directive', text: '$TTL 300 ; @IP@\n', want: ['ns.inc:1: @IP@ in an included file is not rendered; move the record into the base file'] },
  { name: 'before a quoted string', text: 'x TXT "v" ; @IP@\n', want: ['ns.inc:1: @IP@ in an included file is not rendered; move the record into the base file'] },
  { name: 'near misses, value and comment form', text: 'a A @ip@\nb A 192.0.2.1 ; @Ip@\n', want: ['ns.inc:1: unknown marker @ip@ (did you mean @IP@?)', 'ns.inc:2: unknown marker @Ip@ (did you mean @IP@?)'] },
  { name: 'quoted: not a marker', text: 'x TXT "@IP@"\n', want: [] },
  { name: 'CRLF, no final newline', text: 'a A 192.0.2.1\r\nb A 192.0.2.2 ; @IP@', want: ['ns.inc:2: @IP@ in an included file is not rendered; move the record into the base file'] },
  { name: 'no SOA, no serial, empty: not its business', text: '', want: [] },
  { name: 'syntax is the checker\'s', text: 'x TXT "open\n(\n', want: [] },
  { name: 'a NUL byte', text: 'a A 1\n\0', want: ['ns.inc:2: not a text file (NUL byte)'] },
];

for (const { name, text, want } of includedTable) {
  test(`includedFileProblems: ${name}`, () => assert.deepEqual(includedFileProblems(text, 'ns.inc').map(formatProblem), want));
}

// ---- owners under $ORIGIN ----

const ownerTable: { name: string; zone: string | undefined; lines: string[]; want: string[] }[] = [
  { name: 'under the zone: as written', zone: 'example.com', lines: ['www A @IP@', '@ A @IP@', 'mx.example.com. A @IP@'], want: ['www', '@', 'mx.example.com.'] },
  { name: '$ORIGIN the zone, any case, with or without its dot', zone: 'Example.COM.', lines: ['$ORIGIN example.com.', 'www A @IP@'], want: ['www'] },
  { name: 'another origin: full names', zone: 'serv.pw', lines: ['$ORIGIN lin.serv.pw.', 'fmt3 A @IP@', '@ A @IP@', '\tA @IP@'], want: ['fmt3.lin.serv.pw', 'lin.serv.pw', 'lin.serv.pw'] },
  { name: 'absolute owners stay as written', zone: 'serv.pw', lines: ['$ORIGIN lin.serv.pw.', 'www.serv.pw. A @IP@'], want: ['www.serv.pw.'] },
  { name: 'a relative $ORIGIN is relative to the one before', zone: 'example.com', lines: ['$ORIGIN sub', 'www A @IP@', '$ORIGIN deeper', 'x A @IP@'], want: ['www.sub.example.com', 'x.deeper.sub.example.com'] },
  { name: 'back to the zone', zone: 'example.com', lines: ['$ORIGIN other.net.', 'a A @IP@', '$ORIGIN example.com.', 'b A @IP@'], want: ['a.other.net', 'b'] },
  { name: 'a blank owner keeps the name it had', zone: 'example.com', lines: ['www A 192.0.2.1', '$ORIGIN other.net.', '\tA 192.0.2.2 ; @IP@'], want: ['www'] },
  { name: 'an escaped dot is not the final dot', zone: 'example.com', lines: ['$ORIGIN other.net.', 'a\\. A @IP@'], want: ['a\\..other.net'] },
  { name: '$INCLUDE with an origin changes nothing here', zone: 'example.com', lines: ['$INCLUDE x.inc other.net.', 'www A @IP@'], want: ['www'] },
  { name: 'the root as origin', zone: 'example.com', lines: ['$ORIGIN .', 'www A @IP@', '@ A @IP@'], want: ['www', '.'] },
  { name: 'zone not given: as written, as before', zone: undefined, lines: ['$ORIGIN lin.serv.pw.', 'fmt3 A @IP@'], want: ['fmt3'] },
];

for (const { name, zone, lines, want } of ownerTable) {
  test(`slot owners: ${name}`, () => {
    const r = parseBase(`${soa}${lines.join('\n')}\n`, 'test.base', zone);
    if (!r.ok) assert.fail(r.problems.map(formatProblem).join('\n'));
    assert.deepEqual(slotsOf(r.template, 'IP').map((s) => s.owner), want);
  });
}

test('a base that writes the SOA twice (an AXFR dump: first and last) gets the serial in both', () => {
  const base = [
    'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. @serial number@ 3600 600 86400 300',
    'example.com. 3600 IN NS ns1.example.com.',
    'www.example.com. 300 IN A @IP@',
    'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 3600 600 86400 300',
    '',
  ].join('\n');
  const text = fill(parseOk(base), values);
  const serials = [...text.matchAll(/ SOA \S+ \S+ (\d+) /g)].map((m) => m[1]);
  assert.deepEqual(serials, ['2026112201', '2026112201']);
  assert.equal(slotsOf(parseOk(base), 'serial number').length, 2);
  // in parentheses too, and with the marker in the last one
  const wrapped = ['@ IN SOA ns1 hostmaster ( 7 3600 600 86400 300 )', '@ IN NS ns1', 'www IN A @IP@', '@ IN SOA ns1 hostmaster (', '  @serial number@ ; serial', '  3600 600 86400 300 )', ''].join('\n');
  const serials2 = [...fill(parseOk(wrapped), values).matchAll(/(\d{10})/g)].map((m) => m[1]);
  assert.deepEqual(serials2, ['2026112201', '2026112201']);
});

test('a second SOA whose serial is not a number is left to the checker; two markers stay a problem', () => {
  const two = ['@ IN SOA ns1 hostmaster @serial number@ 3600 600 86400 300', 'www IN A @IP@', '@ IN SOA ns1 hostmaster @serial number@ 3600 600 86400 300', ''].join('\n');
  const r = parseBase(two, 'x.base');
  assert.equal(r.ok, false);
});
