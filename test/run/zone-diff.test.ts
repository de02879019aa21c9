// --dry-run's diff (jsdiff) and what it compares (run/dry-run-show.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../src/run/zone-diff.js';
import { zoneDiffLines } from '../../src/run/dry-run-show.js';
import { withoutSignerRecords } from '../../src/core/signer-lines.js';

test('unifiedDiff: one changed line with context', () => {
  const a = 'a\nb\nc\nd\ne\nf\ng\nh\n';
  const b = 'a\nb\nc\nd\nE\nf\ng\nh\n';
  assert.equal(unifiedDiff(a, b, 'old', 'new'), '--- old\n+++ new\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
});

test('unifiedDiff: from nothing, no change at all, a missing final newline, CRLF', () => {
  assert.equal(unifiedDiff('', 'x\ny\n', '/dev/null', 'z'), '--- /dev/null\n+++ z\n@@ -0,0 +1,2 @@\n+x\n+y\n');
  assert.equal(unifiedDiff('same\n', 'same\n', 'a', 'b'), '');
  assert.equal(unifiedDiff('x\ny', 'x\nz', 'a', 'b'), '--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n');
  assert.equal(unifiedDiff('x\r\ny\r\n', 'x\r\nz\r\n', 'a', 'b'), '--- a\n+++ b\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n');
});

test('unifiedDiff: two distant changes make two hunks', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `l${i}`);
  const changed = [...lines];
  changed[2] = 'X';
  changed[25] = 'Y';
  const d = unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, 'a', 'b');
  assert.equal(d.split('\n').filter((l) => l.startsWith('@@')).length, 2);
  assert.match(d, /-l2\n\+X/);
  assert.match(d, /-l25\n\+Y/);
});

test('unifiedDiff: 12,000 lines with the first and the last changed is two small hunks, not the whole file', () => {
  const lines = Array.from({ length: 12_000 }, (_, i) => `h${i} IN A 192.0.2.${i % 250}`);
  const changed = [...lines];
  changed[0] = 'first changed';
  changed[11_999] = 'last changed';
  const d = unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, 'a', 'b').split('\n');
  assert.ok(d.length < 20, `${d.length} lines`);
  assert.deepEqual(d.filter((l) => /^[-+@]/.test(l)), ['--- a', '+++ b', '@@ -1,4 +1,4 @@', `-${lines[0]}`, '+first changed', '@@ -11997,4 +11997,4 @@', `-${lines[11_999]}`, '+last changed']);
});

test('unifiedDiff: past 1,000 edits, the middle is shown replaced whole, between the common head and tail', () => {
  const a = Array.from({ length: 2_000 }, (_, i) => `r${i}`);
  const b = a.map((l, i) => (i >= 5 && i < 1_995 ? `${l}x` : l));
  const d = unifiedDiff(`${a.join('\n')}\n`, `${b.join('\n')}\n`, 'a', 'b').split('\n');
  assert.equal(d[2], '@@ -3,1996 +3,1996 @@');
  assert.deepEqual(d.slice(3, 6), [' r2', ' r3', ' r4']);
  assert.deepEqual([d[6], d[1995], d[1996], d[3985]], ['-r5', '-r1994', '+r5x', '+r1994x']);
  assert.deepEqual(d.slice(3986, 3989), [' r1995', ' r1996', ' r1997']);
});

const SIGNED = `example.com.\t300\tIN SOA\tns1.example.com. h.example.com. ( 2026112200 300 60 1209600 300 )
example.com.\t300\tRRSIG\tSOA 13 2 300 (
\t\t\t\t20261222100000 20261122090000 1 example.com.
\t\t\t\tAAAA )
example.com.\t300\tNSEC\twww.example.com. NS SOA RRSIG NSEC DNSKEY
www.example.com.\t300\tIN A\t192.0.2.1
www.example.com.\t300\tRRSIG\tA 13 3 300 ( 20261222100000 20261122090000 1 example.com. BBBB )
`;

test('withoutSignerRecords: RRSIG, NSEC, NSEC3 records over all their lines are left out, the rest kept as written', () => {
  assert.equal(withoutSignerRecords(SIGNED), 'example.com.\t300\tIN SOA\tns1.example.com. h.example.com. ( 2026112200 300 60 1209600 300 )\nwww.example.com.\t300\tIN A\t192.0.2.1\n');
  assert.equal(withoutSignerRecords('www IN A 192.0.2.1\n'), 'www IN A 192.0.2.1\n');
});

test('zoneDiffLines: a signed zone is compared with the signer\'s output, signatures left out, and says so', () => {
  const next = SIGNED.replace('2026112200', '2026112201').replace('192.0.2.1', '198.51.100.7').replaceAll('AAAA', 'CCCC').replace('BBBB', 'DDDD');
  const lines = zoneDiffLines({ installed: SIGNED, shown: 'zones/example.com', wouldInstall: next, signing: 'signed' });
  assert.equal(lines[0], '(the zone as the signer would write it, against the signed zones/example.com, both without their RRSIG, NSEC and NSEC3 records: they change with every signing)');
  assert.deepEqual(lines.slice(1).filter((l) => /^[-+]/.test(l)), [
    '--- zones/example.com', '+++ zones/example.com',
    '-example.com.\t300\tIN SOA\tns1.example.com. h.example.com. ( 2026112200 300 60 1209600 300 )',
    '-www.example.com.\t300\tIN A\t192.0.2.1',
    '+example.com.\t300\tIN SOA\tns1.example.com. h.example.com. ( 2026112201 300 60 1209600 300 )',
    '+www.example.com.\t300\tIN A\t198.51.100.7',
  ]);
  assert.deepEqual(zoneDiffLines({ installed: 'a\n', shown: 'z', wouldInstall: 'a\n' }), []);
  assert.deepEqual(zoneDiffLines({ installed: undefined, shown: 'z', wouldInstall: 'caf\u00c3\u00a9\n' }), ['--- /dev/null', '+++ z', '@@ -0,0 +1,1 @@', '+caf\u00e9'], 'shown as UTF-8');
});
