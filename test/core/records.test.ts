import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRecords, generateCount, shrinkProblem } from '../../src/core/records.js';

const ZONE = `$TTL 300
$ORIGIN example.com.
@   IN SOA ns1 hostmaster ( 2026112200 ; serial
        300 60 1209600 300 )
    IN NS ns1
    IN NS ns2.example.net.
; a comment line is not a record
ns1 IN A 192.0.2.53
www 300 IN A 192.0.2.1
txt IN TXT "NS ( looks like a type" ; in a string
ns  IN A 192.0.2.54
`;

test('countRecords counts records, not directives, comments or words in strings', () => {
  assert.deepEqual(countRecords(ZONE), { records: 7, ns: 2 });
  assert.deepEqual(countRecords(''), { records: 0, ns: 0 });
  assert.deepEqual(countRecords('@ IN SOA a b ( 1 2 3 4 5 )\n'), { records: 1, ns: 0 });
});

test('shrinkProblem: no NS, or more than max_shrink of the records gone, is refused', () => {
  assert.equal(shrinkProblem({ records: 1, ns: 0 }, 20, 0.5), 'the rendered zone has no NS records (1 record in all)');
  assert.equal(shrinkProblem({ records: 10, ns: 2 }, 20, 0.5), undefined, 'exactly half: allowed');
  assert.equal(shrinkProblem({ records: 9, ns: 2 }, 20, 0.5), 'it would drop from 20 records to 9 (55% fewer; max_shrink is 50%)');
  assert.equal(shrinkProblem({ records: 2, ns: 1 }, 20, 1), undefined, 'max_shrink 100%: anything goes');
  assert.equal(shrinkProblem({ records: 2, ns: 1 }, undefined, 0.5), undefined, 'nothing published before');
  assert.equal(shrinkProblem({ records: 40, ns: 1 }, 20, 0), undefined, 'growing is fine');
});

const SOA = '@ IN SOA ns1 hostmaster 1 300 60 1209600 300\n';

// BIND's $GENERATE: `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs`. The counts were
// checked against what `named-compilezone -o -` writes out for the same lines.
const generateTable: { name: string; text: string; want: { records: number; ns: number } }[] = [
  { name: 'NS records from a range', text: `${SOA}$GENERATE 1-4 @ NS ns$.example.net.\n`, want: { records: 5, ns: 4 } },
  { name: 'step: 0, 3, 6, 9', text: `${SOA}$GENERATE 0-10/3 h$ A 192.0.2.$\n`, want: { records: 5, ns: 0 } },
  { name: 'step larger than the range', text: `${SOA}$GENERATE 1-3/5 h$ A 192.0.2.$\n`, want: { records: 2, ns: 0 } },
  { name: 'one record', text: `${SOA}$GENERATE 5-5 h$ A 192.0.2.$\n`, want: { records: 2, ns: 0 } },
  { name: 'ttl and class before the type', text: `${SOA}$GENERATE 1-10 @ 300 IN NS ns$\n`, want: { records: 11, ns: 10 } },
  { name: 'class and ttl the other way round', text: `${SOA}$GENERATE 1-10 @ IN 300 NS ns$\n`, want: { records: 11, ns: 10 } },
  { name: 'lowercase directive and type', text: `${SOA}$generate 1-2 @ ns ns$\n`, want: { records: 3, ns: 2 } },
  { name: 'with a comment', text: `${SOA}$GENERATE 1-2 @ NS ns$ ; NS from a range\n`, want: { records: 3, ns: 2 } },
  { name: "sscanf's '+'", text: `${SOA}$GENERATE +1-3 h$ A 192.0.2.$\n`, want: { records: 4, ns: 0 } },
  { name: 'largest range BIND takes', text: `${SOA}$GENERATE 0-2147483647/1000000000 h$ A 192.0.2.1\n`, want: { records: 4, ns: 0 } },
  { name: 'stop below start: BIND refuses it, nothing counted', text: `${SOA}$GENERATE 5-4 h$ A 192.0.2.1\n`, want: { records: 1, ns: 0 } },
  { name: 'step 0: refused', text: `${SOA}$GENERATE 1-10/0 h$ A 192.0.2.1\n`, want: { records: 1, ns: 0 } },
  { name: 'past 2^31 - 1: refused', text: `${SOA}$GENERATE 0-2147483648/1000000000 h$ A 192.0.2.1\n`, want: { records: 1, ns: 0 } },
  { name: 'no step after the slash: refused', text: `${SOA}$GENERATE 1-3/ h$ A 192.0.2.1\n`, want: { records: 1, ns: 0 } },
  { name: 'no rhs: nothing counted', text: `${SOA}$GENERATE 1-3 h$ A\n`, want: { records: 1, ns: 0 } },
  { name: 'no range at all', text: `${SOA}$GENERATE\n`, want: { records: 1, ns: 0 } },
  { name: 'other directives count nothing', text: `$TTL 300\n$ORIGIN example.com.\n$INCLUDE ns.inc\n${SOA}`, want: { records: 1, ns: 0 } },
];

for (const { name, text, want } of generateTable) {
  test(`countRecords $GENERATE: ${name}`, () => assert.deepEqual(countRecords(text), want));
}

test('generateCount: (stop - start) / step + 1, or undefined for what BIND refuses', () => {
  const table: [string, number | undefined][] = [
    ['1-4', 4],
    ['0-10/3', 4],
    ['0-99999999/10000000', 10],
    ['7-7/100', 1],
    ['4-1', undefined],
    ['1-2/0', undefined],
    ['a-b', undefined],
    ['1', undefined],
    ['-1-3', undefined],
    ['1-3/2/1', undefined],
  ];
  for (const [range, want] of table) assert.equal(generateCount(range), want, range);
});

test('countRecords adds the records of the included files, $GENERATE in them too', () => {
  const base = `${SOA}$INCLUDE ns.inc\n$INCLUDE hosts.inc sub.example.com.\n`;
  const ns = '@ IN NS ns1.example.net.\n@ IN NS ns2.example.net.\n';
  const hosts = 'www IN A 192.0.2.1\n$GENERATE 1-8 h$ IN A 192.0.2.$\n';
  assert.deepEqual(countRecords(base), { records: 1, ns: 0 });
  assert.deepEqual(countRecords(base, [ns]), { records: 3, ns: 2 });
  assert.deepEqual(countRecords(base, [ns, hosts]), { records: 12, ns: 2 });
  assert.deepEqual(countRecords(base, []), countRecords(base));
  // 8 of 12 records moved into an include: the same count, so max_shrink has nothing to refuse.
  const flat = `${SOA}${ns}${hosts}`;
  assert.deepEqual(countRecords(flat), countRecords(base, [ns, hosts]));
  assert.equal(shrinkProblem(countRecords(base, [ns, hosts]), countRecords(flat).records, 0.5), undefined);
});
