// DNSSEC, pure: the records only a signer makes (refused in base files), when the signatures of
// a zone expire (read from real signer output: test/fixtures/dnssec/, written by dnssec-signzone
// with -s 20261101000000 -e 20261215103000, and by ldns-signzone -n with -e 20261220000000),
// when zonerw signs again, and the signer's argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  earliestSignatureExpiry, fileLineForm, parseSignatureTime, presignedProblems, resignMayBeDue, resignReason, signArgv, signerRecords, signsZone, verifierArgv,
} from '../../src/core/dnssec.js';
import { formatProblem, parseBase } from '../../src/core/markers.js';
import { fixturesDir } from '../helpers/paths.js';

const fixture = (name: string) => readFileSync(join(fixturesDir, 'dnssec', name), 'latin1');
const SOA = '$TTL 300\n@ IN SOA ns1 hostmaster ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1\nns1 IN A 192.0.2.53\n';
const DAY = 86_400_000;

test('signerRecords finds RRSIG, NSEC, NSEC3 and NSEC3PARAM records, whatever their case, TTL, class or form', () => {
  const text = `${SOA}@ 300 IN RRSIG SOA 13 2 300 20261230115931 20261130115931 53309 example.test. AAAA
www IN nsec mail.example.test. A RRSIG NSEC
    3600 NSEC3 1 0 1 - 87scg2vvrkq36j5fkkeaot9lhpdcr303 A
@ IN NSEC3PARAM 1 0 1 -
x IN TYPE46 \\# 0
y IN CLASS1 TYPE47 \\# 0
z IN TYPE50 \\# 0
n IN TYPE51 \\# 0
`;
  assert.deepEqual(signerRecords(text), [
    { line: 5, type: 'RRSIG' }, { line: 6, type: 'NSEC' }, { line: 7, type: 'NSEC3' }, { line: 8, type: 'NSEC3PARAM' },
    { line: 9, type: 'RRSIG' }, { line: 10, type: 'NSEC' }, { line: 11, type: 'NSEC3' }, { line: 12, type: 'NSEC3PARAM' },
  ]);
});

test('signerRecords: a record spanning lines is found at the line of its type; $GENERATE counts', () => {
  const text = `${SOA}www IN A 192.0.2.1\n\t\t\t300\tRRSIG\tA 13 3 300 (\n\t\t\t20261230115931 20261130115931 53309 example.test.\n\t\t\tAAAA )\n$GENERATE 1-3 h$ RRSIG A 13 3 300 20261230115931 20261130115931 1 example.test. AAAA\n`;
  assert.deepEqual(signerRecords(text), [{ line: 6, type: 'RRSIG' }, { line: 9, type: 'RRSIG' }]);
});

test('signerRecords: DNSKEY, DS, names and words that only look like a type, comments and strings are not signer records', () => {
  const text = `${SOA}@ IN DNSKEY 257 3 13 AAAA
child IN DS 12345 13 2 ABCDEF
rrsig IN A 192.0.2.1
nsec IN CNAME nsec3.example.test.
txt IN TXT "RRSIG NSEC" ; an RRSIG in a comment
; @ IN RRSIG SOA 13 2 300 ...
$INCLUDE Kexample.test.+013+12345.key
`;
  assert.deepEqual(signerRecords(text), []);
  assert.deepEqual(presignedProblems(text, 'base/example.test.base'), []);
});

test('signer output holds them: both fixtures are found at their first signature', () => {
  assert.equal(signerRecords(fixture('dnssec-signzone.signed'))[0]?.type, 'RRSIG');
  assert.equal(signerRecords(fixture('dnssec-signzone.signed')).length, 15, '10 RRSIG and 5 NSEC records');
  const ldns = signerRecords(fixture('ldns-signzone.signed'));
  assert.deepEqual([...new Set(ldns.map((r) => r.type))].sort(), ['NSEC3', 'NSEC3PARAM', 'RRSIG']);
});

test('presignedProblems: one problem, at the first signer record, naming what was found and the ways that work', () => {
  const text = `${SOA}www IN A @IP@\nwww IN RRSIG A 13 3 300 20261230115931 20261130115931 53309 example.test. AAAA\n@ IN NSEC www.example.test. NS SOA RRSIG NSEC DNSKEY\nwww IN NSEC example.test. A RRSIG NSEC\n`;
  const problems = presignedProblems(text, 'base/example.test.base');
  assert.deepEqual(problems.map(formatProblem), [
    'base/example.test.base:6: an RRSIG record: a base file must be unsigned, since zonerw changes records after any signing and the old signatures then fail ' +
      '(validating resolvers answer SERVFAIL); remove these 3 records (RRSIG, NSEC) and let the nameserver sign the zone (BIND: dnssec-policy with ' +
      'inline-signing yes; Knot: dnssec-signing: on), or with NSD let zonerw sign it ([dnssec] sign in its config); DNSKEY records may stay',
  ]);
  assert.match(formatProblem(presignedProblems(`${SOA}@ IN NSEC3PARAM 1 0 1 -\n`, 'b')[0]!), /^b:5: an NSEC3PARAM record: .* remove this record \(NSEC3PARAM\) and/);
  // parseBase itself accepts such a file: the markers are fine, the signatures are the problem.
  assert.ok(parseBase(text, 'base/example.test.base', 'example.test').ok);
});

test('parseSignatureTime: YYYYMMDDHHmmSS in UTC, or seconds since the epoch (RFC 4034 3.2)', () => {
  assert.equal(parseSignatureTime('20261215103000'), Date.UTC(2026, 11, 15, 10, 30, 0));
  assert.equal(parseSignatureTime('1796043797'), 1796043797_000);
  assert.equal(parseSignatureTime('4294967295'), 4294967295_000);
  for (const bad of ['20261315103000', '20260230000000', '20261215250000', '4294967296', '2026-12-15', '', 'x']) {
    assert.equal(parseSignatureTime(bad), undefined, bad);
  }
});

test('earliestSignatureExpiry reads the first expiration of real signer output, multi-line or not', () => {
  assert.equal(earliestSignatureExpiry(fixture('dnssec-signzone.signed')), Date.UTC(2026, 11, 15, 10, 30, 0));
  assert.equal(earliestSignatureExpiry(fixture('ldns-signzone.signed')), Date.UTC(2026, 11, 20, 0, 0, 0));
  assert.equal(earliestSignatureExpiry(SOA), undefined);
  const mixed = `${SOA}a IN RRSIG A 13 3 300 20270101000000 20261101000000 1 example.test. AAAA\nb IN RRSIG A 13 3 300 1796043797 20261101000000 1 example.test. AAAA\nc IN RRSIG A 13 3\n`;
  assert.equal(earliestSignatureExpiry(mixed), 1796043797_000, 'the earliest; a record cut short is skipped');
});

test('resignReason: not signed yet; signatures within resign_before; expired; or nothing to do', () => {
  const text = fixture('dnssec-signzone.signed');
  const expires = Date.UTC(2026, 11, 15, 10, 30, 0);
  assert.deepEqual(resignReason(SOA, expires, 7 * DAY), { reason: 'not signed yet' });
  assert.equal(resignReason(text, expires - 7 * DAY, 7 * DAY), undefined, 'exactly resign_before left: not yet');
  assert.deepEqual(resignReason(text, expires - 7 * DAY + 1, 7 * DAY), { reason: 'signatures expire 2026-12-15 10:30:00 UTC', expires });
  assert.deepEqual(resignReason(text, expires + 1, 7 * DAY), { reason: 'signatures expired 2026-12-15 10:30:00 UTC', expires });
});

test('resignMayBeDue: the steady run still reads a signed zone it knows no expiry of, or one that is due', () => {
  assert.equal(resignMayBeDue(undefined, 0, DAY), true);
  assert.equal(resignMayBeDue(10 * DAY, 2 * DAY, 7 * DAY), false);
  assert.equal(resignMayBeDue(10 * DAY, 4 * DAY, 7 * DAY), true);
  assert.equal(resignMayBeDue('soon', 4 * DAY, 7 * DAY), true, 'a state edited by hand');
  assert.equal(resignMayBeDue(Number.NaN, 4 * DAY, 7 * DAY), true);
});

test('signArgv replaces {zone}, {in} and {out} wherever they stand, and nothing else', () => {
  const argv = signArgv(['dnssec-signzone', '-o', '{zone}', '-f', '{out}', '-d/keys/{zone}', '{in}', '{other}', '{in}{in}'], { zone: 'example.com', in: '/z/.t', out: '/o/s' });
  assert.deepEqual(argv, ['dnssec-signzone', '-o', 'example.com', '-f', '/o/s', '-d/keys/example.com', '/z/.t', '{other}', '/z/.t/z/.t']);
  assert.deepEqual(signArgv(['x', '{in}'], { zone: 'z', in: '$(rm -rf /) {out}', out: 'o' }), ['x', '$(rm -rf /) {out}'], 'values are not read again');
});

test('signsZone: every zone, or the zones [dnssec] zones lists', () => {
  const s = { sign: ['x', '{in}', '{out}'], resignBeforeMs: DAY, timeoutMs: 1000 };
  assert.equal(signsZone(undefined, 'a.test'), false);
  assert.equal(signsZone(s, 'a.test'), true);
  assert.equal(signsZone({ ...s, zones: ['b.test'] }, 'a.test'), false);
  assert.equal(signsZone({ ...s, zones: ['b.test'] }, 'b.test'), true);
});

test('verifierArgv and fileLineForm', () => {
  assert.deepEqual(verifierArgv('dnssec-verify', 'example.com', '/s'), ['dnssec-verify', '-o', 'example.com', '/s']);
  assert.deepEqual(verifierArgv('ldns-verify-zone', 'example.com', '/s'), ['ldns-verify-zone', '/s']);
  assert.equal(fileLineForm('could not parse the RR\'s rdata at /z/.t line 5', '/z/.t'), 'could not parse the RR\'s rdata at /z/.t:5');
});
