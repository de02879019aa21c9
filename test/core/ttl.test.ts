import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longestMarkedTtl, markedTtls, parseTtl } from '../../src/core/ttl.js';

const SOA = '@ IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 7200 3600 1209600 600 )\n@ IN NS ns1.example.com.\n';

test('each marked record\'s TTL: its own, else $TTL, else the record before\'s, else the SOA minimum (RFC 2308, RFC 1035)', () => {
  const rows: [string, string, { line: number; owner: string; ttl: number; from: string }[]][] = [
    ['$TTL', `$TTL 86400\n${SOA}www IN A @IP@\n`, [{ line: 4, owner: 'www', ttl: 86400, from: '$TTL' }]],
    ['its own, in units', `$TTL 86400\n${SOA}www 1h30m IN A @IP@\nmail IN 60 A 192.0.2.1 ; @IP:mail@\n`, [{ line: 4, owner: 'www', ttl: 5400, from: 'the record' }, { line: 5, owner: 'mail', ttl: 60, from: 'the record' }]],
    ['no $TTL: the SOA minimum', `${SOA}www IN A @IP@\n`, [{ line: 3, owner: 'www', ttl: 600, from: 'the SOA minimum' }]],
    ['no $TTL: the last TTL written before', `${SOA}ns1 3600 IN A 192.0.2.53\nwww IN A @IP@\n`, [{ line: 4, owner: 'www', ttl: 3600, from: 'the record before' }]],
    ['a blank owner is the previous one; @IPS@ and @IP6@ are marked', `$TTL 300\n${SOA}www IN A @IPS@\n    IN AAAA @IP6@\n`, [{ line: 4, owner: 'www', ttl: 300, from: '$TTL' }, { line: 5, owner: 'www', ttl: 300, from: '$TTL' }]],
    ['a $TTL later applies from there on', `$TTL 300\n${SOA}www IN A @IP@\n$TTL 1d\nftp IN A @IP@\n`, [{ line: 4, owner: 'www', ttl: 300, from: '$TTL' }, { line: 6, owner: 'ftp', ttl: 86400, from: '$TTL' }]],
    ['unmarked records are not told', `$TTL 86400\n${SOA}www IN A 192.0.2.1\n`, []],
  ];
  for (const [name, text, expected] of rows) assert.deepEqual(markedTtls(text), expected, name);
});

test('the longest one, and TTL words', () => {
  assert.deepEqual(longestMarkedTtl(`$TTL 300\n${SOA}www IN A @IP@\nftp 1d IN A @IP@\n`), { line: 5, owner: 'ftp', ttl: 86400, from: 'the record' });
  assert.equal(longestMarkedTtl(`$TTL 300\n${SOA}`), undefined);
  assert.deepEqual(['300', '1w', '2h5m', '1H', 'IN', '', '5x'].map(parseTtl), [300, 604800, 7500, 3600, undefined, undefined, undefined]);
});
