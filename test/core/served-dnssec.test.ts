// The DNSSEC a primary serves, judged (core/served-dnssec.ts): key tags as RFC 4034 Appendix B
// computes them (the vectors are dnssec-keygen's own), the DNSKEY set of a signer's output, who
// signs a zone, and each fault with its words and fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../helpers/paths.js';
import { decodeBase64, dnskeyTagsOf, judgeServedDnssec, keyTag, signedBy, type ServedDnssec } from '../../src/core/served-dnssec.js';

// dnssec-keygen -a ECDSAP256SHA256 -f KSK example.com -> Kexample.com.+013+22307
const KSK = 'EOuWxV88O6gqfZsyjHT38r1adHrHNRCBvgCAYhCoF3dWGSLEaxxcyXGd FeID9RD/kv7ybFQaxEiFpxXRNaEKOw==';

test('keyTag: RFC 4034 Appendix B, as dnssec-keygen numbers the key', () => {
  assert.equal(keyTag(257, 3, 13, decodeBase64(KSK.replace(/\s/g, ''))!), 22307);
  assert.equal(keyTag(256, 3, 13, decodeBase64(KSK.replace(/\s/g, ''))!), 22306, 'the flags count: a ZSK of the same key is one less');
});

test('decodeBase64: RFC 4648 with and without padding; a stray character is no key', () => {
  assert.deepEqual([...decodeBase64('AQID')!], [1, 2, 3]);
  assert.deepEqual([...decodeBase64('AQI=')!], [1, 2]);
  assert.deepEqual([...decodeBase64('AQ==')!], [1]);
  assert.equal(decodeBase64('AQ*D'), undefined);
});

test("dnskeyTagsOf: the apex DNSKEY set of a signer's output, keys split over fields or parentheses, other owners left out", () => {
  const text = `example.com.\t300\tIN\tSOA\tns1.example.com. h.example.com. 1 2 3 4 5
example.com. 300 IN DNSKEY 257 3 13 ( ${KSK} ) ; KSK
example.com. 300 IN DNSKEY 256 3 13 ${KSK}
sub.example.com. 300 IN DNSKEY 257 3 13 AQID
example.com. 300 IN RRSIG DNSKEY 13 2 300 20261222100000 20261122100000 22307 example.com. AAAA
`;
  assert.deepEqual(dnskeyTagsOf(text, 'example.com'), [22306, 22307]);
  assert.deepEqual(dnskeyTagsOf(text, 'EXAMPLE.com.'), [22306, 22307], 'names compare without case and final dot');
  assert.deepEqual(dnskeyTagsOf('example.com. 300 IN A 192.0.2.1\n', 'example.com'), []);
});

test("dnskeyTagsOf: real signers' output (owners left blank by dnssec-signzone), the tags their RRSIGs name", () => {
  for (const name of ['dnssec-signzone.signed', 'ldns-signzone.signed']) {
    const text = readFileSync(join(fixturesDir, 'dnssec', name), 'latin1');
    assert.deepEqual(dnskeyTagsOf(text, 'example.test'), [43687, 53309], name);
  }
});

test('signedBy: [dnssec] (its zones) is zonerw; [nameserver] signs true or its list is the nameserver', () => {
  const ns = (signs?: true | string[]) => ({ nameserver: signs === undefined ? {} : { signs } });
  const table: [Parameters<typeof signedBy>[0], string, ReturnType<typeof signedBy>][] = [
    [{ ...ns(), dnssec: {} }, 'a.test', 'zonerw'],
    [{ ...ns(true), dnssec: { zones: ['a.test'] } }, 'a.test', 'zonerw'],
    [{ ...ns(true), dnssec: { zones: ['a.test'] } }, 'b.test', 'nameserver'],
    [ns(['b.test']), 'b.test', 'nameserver'],
    [ns(['b.test']), 'c.test', undefined],
    [ns(), 'c.test', undefined],
  ];
  for (const [cfg, zone, by] of table) assert.equal(signedBy(cfg, zone), by, `${JSON.stringify(cfg)} ${zone}`);
});

const NOW = Date.parse('2026-12-05T12:00:00Z');
const DAY = 86_400_000;
const good: ServedDnssec = { answered: true, signed: true, expires: NOW + 10 * DAY, inception: NOW - DAY, keyTags: [22306, 22307] };

test('judgeServedDnssec: each fault, with the zone first and its fix; a good answer and an unanswered one say nothing', () => {
  const cases: [string, ServedDnssec, 'zonerw' | 'nameserver', number[] | undefined, string[], RegExp[]][] = [
    ['good, nameserver', good, 'nameserver', undefined, [], []],
    ['good, zonerw, same keys in another order', good, 'zonerw', [22307, 22306], [], []],
    ['no answer', { answered: false, signed: false, problem: 'no answer within 1s' }, 'nameserver', undefined, [], []],
    ['REFUSED', { answered: true, signed: false, problem: 'REFUSED' }, 'zonerw', [1], [], []],
    ['unsigned by the nameserver', { answered: true, signed: false, keyTags: [] }, 'nameserver', undefined, ['not signed', 'no DNSKEY'],
      [/^a\.test: NOT SIGNED: the primary serves the zone without RRSIGs over its SOA \(asked with DO\), although \[nameserver\] signs says the nameserver signs it: .*key-directory and the journal writable by named/, /^a\.test: the primary serves no DNSKEY at the zone's apex/]],
    ['unsigned, zonerw', { answered: true, signed: false, keyTags: [] }, 'zonerw', [22307], ['not signed', 'no DNSKEY'], [/although zonerw signs it \(\[dnssec\]\): .*run zonerw --force$/, /no DNSKEY/]],
    ['expired', { ...good, expires: NOW - 2 * DAY }, 'nameserver', undefined, ['expired'], [/^a\.test: the signatures the primary serves EXPIRED 2026-12-03 12:00:00 UTC \(2d ago\): validating resolvers answer SERVFAIL; the nameserver stopped re-signing/]],
    ['not yet valid', { ...good, inception: NOW + 3 * 3_600_000 }, 'zonerw', undefined, ['not yet valid'], [/^a\.test: the signatures the primary serves are NOT YET VALID: their inception is 2026-12-05 15:00:00 UTC \(in 3h\): .*dnssec-signzone -s/]],
    ['another key set', { ...good, keyTags: [4711, 22307] }, 'zonerw', [22306, 22307], ['other keys'],
      [/^a\.test: the primary serves the DNSKEY set 4711 22307, not the one zonerw signed with \(22306 22307\): another signer re-signs the zone .*; turn one signer off: /]],
    ['another key set, but the nameserver signs: not compared', { ...good, keyTags: [4711] }, 'nameserver', [22306], [], []],
    ['keys not known yet (a state from before): not compared', { ...good, keyTags: [4711] }, 'zonerw', undefined, [], []],
  ];
  for (const [name, served, by, signedWith, faults, words] of cases) {
    const v = judgeServedDnssec('a.test', served, by, NOW, signedWith);
    assert.deepEqual(v.faults, faults, name);
    assert.equal(v.lines.length, words.length, name);
    words.forEach((w, i) => assert.match(v.lines[i]!, w, name));
  }
});
