// Whether a signer's output is the rendered zone, signed (core/signed-match.ts): table-driven.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { signedMismatch, zoneRecords } from '../../src/core/signed-match.js';

const RENDER = `$TTL 1h
@    IN SOA ns1 hostmaster ( 2026112201 1h 10m 14d 5m )
@    IN NS  ns1
@       MX  10 mail
ns1  IN A   198.51.100.7
www  IN A   192.0.2.1
     IN AAAA 2001:DB8:0:0::7
txt     TXT hello "v=spf1 -all"
_sip._udp SRV 0 5 5060 sip.Example.NET.
$ORIGIN sub
host A 192.0.2.9
`;

// as dnssec-signzone writes it: full names, TTL and class on every record, signatures between
const SIGNED = `; File written on Sat Dec  5 11:00:00 2026
example.com.\t3600\tIN SOA\tns1.example.com. hostmaster.example.com. 2026112201 3600 600 1209600 300
example.com.\t3600\tRRSIG\tSOA 13 2 3600 20270104110000 20261205100000 12345 example.com. AAAA==
example.com.\t3600\tNS\tns1.example.com.
example.com.\t3600\tMX\t10 mail.example.com.
example.com.\t300\tDNSKEY\t257 3 13 AAAA==
example.com.\t0\tNSEC3PARAM 1 0 0 -
ns1.example.com.\t3600\tIN A\t198.51.100.7
www.example.com.\t3600\tIN A\t192.0.2.1
www.example.com.\t3600\tIN AAAA\t2001:db8::7
txt.example.com.\t3600\tIN TXT\t"hello" "v=spf1 -all"
_sip._udp.example.com.\t3600\tIN SRV\t0 5 5060 sip.example.net.
host.sub.example.com.\t3600\tIN A\t192.0.2.9
host.sub.example.com.\t3600\tNSEC\twww.example.com. A RRSIG NSEC
`;

describe('signedMismatch', () => {
  test('the render, signed: no mismatch (names absolute, case, TTL units, AAAA spelling, unquoted TXT, DNSSEC records aside)', () => {
    assert.equal(signedMismatch(RENDER, SIGNED, 'example.com'), undefined);
  });

  test('a stale signed zone: its serial', () => {
    assert.match(signedMismatch(RENDER, SIGNED.replace(' 2026112201 ', ' 2026112106 '), 'example.com') ?? '', /^the signed zone has serial 2026112106, not the rendered 2026112201/);
  });

  test('two SOAs that differ (only one got the serial): refused', () => {
    const two = `${SIGNED}example.com.\t3600\tIN SOA\tns1.example.com. hostmaster.example.com. 1 3600 600 1209600 300\n`;
    assert.match(signedMismatch(RENDER, two, 'example.com') ?? '', /serial 2026112201 and 1, not the rendered 2026112201/);
  });

  test('a marker record with another address: named both ways', () => {
    const got = signedMismatch(RENDER, SIGNED.replace('IN A\t192.0.2.1', 'IN A\t203.0.113.9'), 'example.com');
    assert.equal(got, 'the signed zone is not the rendered one: it lacks www.example.com. A 192.0.2.1, and holds www.example.com. A 203.0.113.9, which the render does not; the signer must sign {in} into {out}');
  });

  test('a render that includes files: records it cannot see are not held against the signer', () => {
    const render = `${RENDER}$INCLUDE keys.inc\n`;
    const signed = `${SIGNED}extra.example.com. 300 IN A 192.0.2.77\n`;
    assert.equal(signedMismatch(render, signed, 'example.com'), undefined);
    assert.match(signedMismatch(render, SIGNED.replace(/^ns1.*\n/m, ''), 'example.com') ?? '', /lacks ns1\.example\.com\. A 198\.51\.100\.7/);
  });

  test('RFC 3597: a TYPEnnn or generic data in the base matches the signer\'s mnemonic form (by owner and type)', () => {
    const render = `${RENDER.replace('txt     TXT hello "v=spf1 -all"', 'txt TYPE16 \\# 6 0568656c6c6f')}gen A \\# 4 c0000202\n`;
    const signed = SIGNED.replace('"hello" "v=spf1 -all"', '"hello"') + 'gen.sub.example.com. 3600 IN A 192.0.2.2\n';
    assert.equal(signedMismatch(render, signed, 'example.com'), undefined);
    assert.match(signedMismatch(render, SIGNED, 'example.com') ?? '', /lacks gen\.sub\.example\.com\. A$|lacks gen\.sub\.example\.com\. A;/);
  });

  test('a character-string in any spelling: raw bytes, \\DDD escapes, quoted or not', () => {
    const render = '@ IN SOA ns1 h 1 1 1 1 1\nt TXT "caf\u00c3\u00a9 \\"q\\"" plain\n';
    const signed = 'example.com. 300 IN SOA ns1.example.com. h.example.com. 1 1 1 1 1\nt.example.com. 300 IN TXT "caf\\195\\169 \\"q\\"" "plain"\n';
    assert.equal(signedMismatch(render, signed, 'example.com'), undefined);
  });

  test('many differences: three named, the rest counted', () => {
    const render = `${RENDER}${Array.from({ length: 5 }, (_, i) => `h${i} A 192.0.2.${i}`).join('\n')}\n`;
    assert.match(signedMismatch(render, SIGNED, 'example.com') ?? '', /lacks h0\.sub\.example\.com\. A 192\.0\.2\.0; h1\.sub\.example\.com\. A 192\.0\.2\.1; h2\.sub\.example\.com\. A 192\.0\.2\.2 and 2 more;/);
  });
});

test('zoneRecords: each record once, with its line; two equal SOAs are one record', () => {
  const r = zoneRecords('@ IN SOA ns1 h 5 1 1 1 1\nwww A 192.0.2.1\n@ IN SOA ns1 h 5 1 1 1 1\n', 'example.com');
  assert.deepEqual([...r.records.keys()], ['example.com. SOA ns1.example.com. h.example.com. 5 1 1 1 1', 'www.example.com. A 192.0.2.1']);
  assert.deepEqual([...r.records.values()].map((k) => k.line), [1, 2]);
  assert.deepEqual(r.serials, [{ serial: '5', line: 1 }, { serial: '5', line: 3 }]);
  assert.equal(r.complete, true);
});
