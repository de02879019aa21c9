import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readSoaSerial, tokenize, type TokenKind } from '../../src/core/lexer.js';

/** Tokens as `kind:text` pairs, newlines shown as `nl`, for short readable tables. */
function brief(text: string): string[] {
  return tokenize(text).tokens.map((t) => (t.kind === 'newline' ? 'nl' : `${t.kind}:${t.text}`));
}

const tokenTable: { name: string; text: string; want: string[] }[] = [
  { name: 'words and blanks', text: 'www  IN\tA 192.0.2.1', want: ['word:www', 'word:IN', 'word:A', 'word:192.0.2.1'] },
  { name: 'comment to end of line', text: 'a ; b ( "c\nd', want: ['word:a', 'comment:; b ( "c', 'nl', 'word:d'] },
  { name: 'CRLF: \\r is blank, not in the comment', text: 'a ; c\r\nb\r\n', want: ['word:a', 'comment:; c', 'nl', 'word:b', 'nl'] },
  {
    name: 'quoted string keeps ; ( @ and escapes',
    text: 'x TXT "a ; ( @IP@ \\" b" y',
    want: ['word:x', 'word:TXT', 'quoted:"a ; ( @IP@ \\" b"', 'word:y'],
  },
  { name: 'parens are their own tokens, even inside a word', text: 'a(b)c', want: ['word:a', 'open:(', 'word:b', 'close:)', 'word:c'] },
  { name: 'a quote ends a word', text: 'a"b"', want: ['word:a', 'quoted:"b"'] },
  {
    name: 'escapes in words: \\. \\@ \\DDD and an escaped blank or ;',
    text: 'a\\.b \\@ \\064x c\\ d e\\;f',
    want: ['word:a\\.b', 'word:\\@', 'word:\\064x', 'word:c\\ d', 'word:e\\;f'],
  },
  { name: 'a backslash at the end of a line does not eat the newline', text: 'a\\\nb', want: ['word:a\\', 'nl', 'word:b'] },
  {
    name: 'newlines inside parens are still tokens',
    text: 'SOA (\n 1 ; c\n 2 )\n',
    want: ['word:SOA', 'open:(', 'nl', 'word:1', 'comment:; c', 'nl', 'word:2', 'close:)', 'nl'],
  },
  { name: 'lone @ is a word', text: '@ IN A 1', want: ['word:@', 'word:IN', 'word:A', 'word:1'] },
  { name: 'empty text', text: '', want: [] },
];

for (const { name, text, want } of tokenTable) {
  test(`tokenize: ${name}`, () => {
    assert.deepEqual(brief(text), want);
    assert.deepEqual(tokenize(text).problems, []);
  });
}

test('tokenize: offsets and lines', () => {
  const { tokens } = tokenize('a b\n  "q" ;c\n');
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.start, t.end, t.line]),
    [
      ['word', 0, 1, 1],
      ['word', 2, 3, 1],
      ['newline', 3, 4, 1],
      ['quoted', 6, 9, 2],
      ['comment', 10, 12, 2],
      ['newline', 12, 13, 2],
    ],
  );
});

const problemTable: { name: string; text: string; want: { line: number; message: string }[]; kinds?: TokenKind[] }[] = [
  {
    name: 'unterminated quote stops at the line end',
    text: 'a\nb "c ; d\ne',
    want: [{ line: 2, message: 'unterminated quoted string' }],
    kinds: ['word', 'newline', 'word', 'quoted', 'newline', 'word'],
  },
  { name: 'unterminated quote at EOF', text: 'x "abc', want: [{ line: 1, message: 'unterminated quoted string' }] },
  { name: 'unbalanced )', text: 'a\nb )\n', want: [{ line: 2, message: "unbalanced parenthesis: ')' without '('" }] },
  { name: 'unclosed ( names the line of the (', text: 'a\nb (\nc\n', want: [{ line: 2, message: "unbalanced parenthesis: '(' is never closed" }] },
  { name: 'parens in comments and quotes do not count', text: 'a "(" ; (\nb ")"\n', want: [] },
  {
    name: 'several problems',
    text: ')\n"x\n(\n',
    want: [
      { line: 1, message: "unbalanced parenthesis: ')' without '('" },
      { line: 2, message: 'unterminated quoted string' },
      { line: 3, message: "unbalanced parenthesis: '(' is never closed" },
    ],
  },
];

for (const { name, text, want, kinds } of problemTable) {
  test(`tokenize problems: ${name}`, () => {
    const r = tokenize(text);
    assert.deepEqual(r.problems, want);
    if (kinds) assert.deepEqual(r.tokens.map((t) => t.kind), kinds);
  });
}

const serialTable: { name: string; text: string; want: number | undefined }[] = [
  { name: 'one-line SOA', text: '@ IN SOA ns1 hostmaster 2026112201 3600 600 1209600 300\n', want: 2026112201 },
  { name: 'TTL and class in either order', text: 'example.com. IN 300 SOA ns1 h 7 1 2 3 4\n', want: 7 },
  { name: 'no class, no owner (blank start)', text: '\tSOA ns1 h 8 1 2 3 4\n', want: 8 },
  {
    name: 'multi-line with comments',
    text: '$TTL 300\n@ IN SOA ns1.example.com. hostmaster.example.com. ( ; start\n  ; nothing here\n\n  2012080201 ; serial\n  3600 600 1209600 300 )\n',
    want: 2012080201,
  },
  {
    name: 'parens between the names',
    text: '@ IN SOA (\n ns1\n hostmaster\n 42\n 1 2 3 4 )\n',
    want: 42,
  },
  {
    name: 'SOA in a TXT string before the real SOA',
    text: 'x IN TXT "SOA ( 1 2 3" "SOA"\n@ IN SOA ns1 h 99 1 2 3 4\n',
    want: 99,
  },
  { name: 'an owner named soa is not the type', text: 'soa IN A 192.0.2.1\n@ IN SOA ns1 h 5 1 2 3 4\n', want: 5 },
  { name: 'lowercase soa', text: '@ in soa ns1 h 2026010100 1 2 3 4\n', want: 2026010100 },
  { name: 'zero', text: '@ SOA ns1 h 0 1 2 3 4', want: 0 },
  { name: 'largest serial', text: '@ SOA ns1 h 4294967295 1 2 3 4', want: 4294967295 },
  { name: 'serial out of range', text: '@ SOA ns1 h 4294967296 1 2 3 4', want: undefined },
  { name: 'serial not decimal', text: '@ SOA ns1 h 0x10 1 2 3 4', want: undefined },
  { name: 'negative serial', text: '@ SOA ns1 h -1 1 2 3 4', want: undefined },
  { name: 'serial is a marker', text: '@ SOA ns1 h @serial number@ 1 2 3 4', want: undefined },
  { name: 'SOA cut short', text: '@ SOA ns1 h\n', want: undefined },
  { name: 'quoted serial', text: '@ SOA ns1 h "5" 1 2 3 4', want: undefined },
  { name: 'no SOA', text: 'www IN A 192.0.2.1\n', want: undefined },
  { name: 'first SOA wins', text: '@ SOA ns1 h 1 1 2 3 4\n@ SOA ns1 h 2 1 2 3 4\n', want: 1 },
  { name: 'directives are not records', text: '$ORIGIN soa.\n$TTL 5\n@ SOA a b 3 1 2 3 4\n', want: 3 },
];

for (const { name, text, want } of serialTable) {
  test(`readSoaSerial: ${name}`, () => assert.equal(readSoaSerial(text), want));
}

/** Arbitrary strings, and strings built from the characters the tokenizer cares about. */
const zoneish = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.constantFrom('"', '\\', ';', '(', ')', '\n', '\r', ' ', '\t', '@', 'a', '1', '\0', 'é'), maxLength: 200 }),
);

test('property: tokenize never throws, spans are in order and within bounds', () => {
  fc.assert(
    fc.property(zoneish, (text) => {
      const { tokens, problems } = tokenize(text);
      let previousEnd = 0;
      for (const t of tokens) {
        assert.ok(t.start >= previousEnd && t.end > t.start && t.end <= text.length, `span ${t.start}-${t.end}`);
        // Only blanks lie between tokens: nothing is silently dropped.
        assert.match(text.slice(previousEnd, t.start), /^[ \t\r]*$/);
        assert.equal(t.text, text.slice(t.start, t.end));
        assert.equal(t.line, text.slice(0, t.start).split('\n').length);
        assert.ok(t.kind === 'newline' || !t.text.includes('\n'));
        previousEnd = t.end;
      }
      assert.match(text.slice(previousEnd), /^[ \t\r]*$/);
      for (const p of problems) assert.ok(p.line >= 1 && p.line <= text.split('\n').length);
      assert.doesNotThrow(() => readSoaSerial(text));
    }),
    { numRuns: 500 },
  );
});
