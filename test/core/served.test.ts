// The pure judgement of what a nameserver serves: tables of answers against what was published,
// the marker records a rendered zone implies, and the words for each way it can differ.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillWithLineMap, parseBase } from '../../src/core/markers.js';
import { describeVerdict, judge, markerRecords, normaliseAddress, serialCurrent, type Expected, type MarkerRecord, type ZoneAnswer } from '../../src/core/served.js';

const www: MarkerRecord = { name: 'www.example.com', type: 'A', addresses: ['198.51.100.7'], exact: true };
const pool: MarkerRecord = { name: 'pool.example.com', type: 'A', addresses: ['192.0.2.1', '198.51.100.7'], exact: true };
const v6: MarkerRecord = { name: 'www.example.com', type: 'AAAA', addresses: ['2001:db8::7'], exact: true };
const expected: Expected = { serial: 2026112202, records: [www, pool, v6] };

const answer = (serial: number | undefined, addresses: Record<string, string[]> = {}, extra: Partial<ZoneAnswer> = {}): ZoneAnswer => ({
  ...(serial !== undefined ? { serial } : {}),
  answered: true,
  addresses: Object.entries(addresses).map(([k, a]) => {
    const [name, type] = k.split(' ') as [string, 'A' | 'AAAA'];
    return { name, type, addresses: a };
  }),
  ...extra,
});
const right = { 'www.example.com A': ['198.51.100.7'], 'pool.example.com A': ['198.51.100.7', '192.0.2.1'], 'www.example.com AAAA': ['2001:0db8:0:0::7'] };

test('judge: current, older, other addresses, refused, silent', () => {
  const cases: [string, ZoneAnswer, string][] = [
    ['the same serial and addresses (any order, any IPv6 spelling)', answer(2026112202, right), 'current'],
    ['a later serial (a signer renumbered): current', answer(2026112204, right), 'current'],
    ['a later serial past 2^32 (RFC 1982)', answer(5, right), 'older'],
    ['an older serial', answer(2026112201, right), 'older'],
    ['the serial, an address missing from a pool', answer(2026112202, { ...right, 'pool.example.com A': ['198.51.100.7'] }), 'addresses'],
    ['the serial, an extra address in a pool (a server that went down still served)', answer(2026112202, { ...right, 'pool.example.com A': ['198.51.100.7', '192.0.2.1', '203.0.113.9'] }), 'addresses'],
    ['the serial, the old address', answer(2026112202, { ...right, 'www.example.com A': ['192.0.2.1'] }), 'addresses'],
    ['the serial, the name not answered', answer(2026112202, { 'pool.example.com A': right['pool.example.com A'], 'www.example.com AAAA': ['2001:db8::7'] }), 'addresses'],
    ['SERVFAIL', answer(undefined, {}, { problem: 'SERVFAIL' }), 'refused'],
    ['nothing answers', answer(undefined, {}, { answered: false, problem: 'no answer within 1000 ms' }), 'no answer'],
  ];
  for (const [what, a, want] of cases) {
    const v = judge(expected, a);
    assert.equal(v.current ? 'current' : v.why, want, what);
  }
  assert.deepEqual(judge(expected, answer(2026112204, right)), { current: true, serial: 2026112204 });
});

test('judge: a zone with $INCLUDE (exact: false) may serve more addresses at the same owner, never fewer', () => {
  const loose: Expected = { serial: 7, records: [{ ...pool, exact: false }] };
  assert.equal(judge(loose, answer(7, { 'pool.example.com A': ['192.0.2.1', '198.51.100.7', '203.0.113.9'] })).current, true);
  assert.equal(judge(loose, answer(7, { 'pool.example.com A': ['192.0.2.1'] })).current, false);
});

test('serialCurrent: the same or later by RFC 1982', () => {
  assert.deepEqual([serialCurrent(5, 5), serialCurrent(6, 5), serialCurrent(4, 5), serialCurrent(1, 4294967295), serialCurrent(4294967295, 1)], [true, true, false, true, false]);
});

test('describeVerdict: what is served instead, in one phrase', () => {
  const words = (a: ZoneAnswer, e: Expected = { serial: 2026112202, records: [www] }) => {
    const v = judge(e, a);
    assert.ok(!v.current);
    return describeVerdict(v, e);
  };
  assert.equal(words(answer(2026112201, { 'www.example.com A': ['192.0.2.1'] })), 'serves serial 2026112201 (www.example.com A 192.0.2.1), not serial 2026112202 (www.example.com A 198.51.100.7)');
  assert.equal(words(answer(2026112201), { serial: 2026112202, records: [] }), 'serves serial 2026112201, not serial 2026112202');
  assert.equal(words(answer(2026112202, { 'www.example.com A': [] })), 'serves serial 2026112202 with www.example.com A none, not www.example.com A 198.51.100.7');
  assert.equal(words(answer(undefined, {}, { problem: 'REFUSED' })), 'answers REFUSED for the zone');
  assert.equal(words(answer(undefined, {}, { answered: false, problem: 'no answer within 1000 ms' })), 'does not answer (no answer within 1000 ms)');
});

function recordsOf(base: string, values: Record<string, string | string[]>, includes = false): MarkerRecord[] {
  const parsed = parseBase(base, 'test.base', 'example.com');
  assert.ok(parsed.ok, JSON.stringify(parsed));
  const rendered = fillWithLineMap(parsed.template, { ...values, 'serial number': '1' });
  return markerRecords(parsed.template, rendered, 'example.com', includes);
}

test('markerRecords: the owners of address slots, with every address the rendered zone gives them', () => {
  const base = [
    '$TTL 300',
    '@ IN SOA ns1 h ( @serial number@ 1 2 3 4 )',
    '  IN NS ns1',
    '  IN A @IP@', // the apex, by a blank owner
    'ns1 IN A 203.0.113.53',
    'www 300 IN A 192.0.2.1 ; @IP@',
    'www IN A 203.0.113.80', // a static record at a marker owner: part of the set
    'www IN AAAA @IP6@',
    'pool IN A @IPS@',
    'static IN A 203.0.113.9',
    '$ORIGIN sub.example.com.',
    'api IN A @IP@', // another $ORIGIN: api.sub.example.com
    'Mail.Example.COM. IN A @IP@', // absolute, any case
    'out.example.net. IN A @IP@', // outside the zone: not asked
    '',
  ].join('\n');
  const got = recordsOf(base, { IP: '198.51.100.7', IPS: ['192.0.2.1', '198.51.100.7'], IP6: '2001:DB8:0::7', IPS6: ['2001:db8::7'] });
  assert.deepEqual(got, [
    { name: 'api.sub.example.com', type: 'A', addresses: ['198.51.100.7'], exact: true },
    { name: 'example.com', type: 'A', addresses: ['198.51.100.7'], exact: true },
    { name: 'mail.example.com', type: 'A', addresses: ['198.51.100.7'], exact: true },
    { name: 'pool.example.com', type: 'A', addresses: ['192.0.2.1', '198.51.100.7'], exact: true },
    { name: 'www.example.com', type: 'A', addresses: ['198.51.100.7', '203.0.113.80'], exact: true },
    { name: 'www.example.com', type: 'AAAA', addresses: ['2001:db8::7'], exact: true },
  ]);
  assert.deepEqual(recordsOf('@ SOA ns1 h @serial number@ 1 2 3 4\n@ NS ns1\nwww A @IP@\n$INCLUDE more.inc\n', { IP: '192.0.2.1' }, true), [
    { name: 'www.example.com', type: 'A', addresses: ['192.0.2.1'], exact: false },
  ]);
  assert.deepEqual(recordsOf('@ SOA ns1 h @serial number@ 1 2 3 4\n@ NS ns1\nwww A 192.0.2.1\n', {}), [], 'no address marker: nothing to ask but the SOA');
});

test('normaliseAddress: RFC 5952 text for IPv6, IPv4 as it is', () => {
  const cases: [string, string][] = [
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['2001:0db8:0000:0001:0000:0000:0000:0001', '2001:db8:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
  ];
  for (const [input, want] of cases) assert.equal(normaliseAddress(input), want, input);
});

test('favouredDiffers: the markers whose installed value is not the decision\'s (a refused or failed publish)', async () => {
  const { favouredDiffers, describeDiffers } = await import('../../src/core/served.js');
  const rows: [string, Record<string, string | string[]>, Record<string, string | string[]>, string][] = [
    ['carries the decision', { IP: '198.51.100.7' }, { IP: '198.51.100.7', IPS: ['198.51.100.7'] }, ''],
    ['the old favoured server', { IP: '192.0.2.1' }, { IP: '198.51.100.7' }, '@IP@ 192.0.2.1, not 198.51.100.7'],
    ['a pool in another order is another value', { IPS: ['192.0.2.1', '198.51.100.7'] }, { IPS: ['198.51.100.7'] }, '@IPS@ 192.0.2.1 198.51.100.7, not 198.51.100.7'],
    ['an empty pool', { IPS: [] }, { IPS: ['198.51.100.7'] }, '@IPS@ none, not 198.51.100.7'],
    ['a marker the decision has no value for is left out', { IP6: '2001:db8::1' }, { IP: '192.0.2.1' }, ''],
    ['a group\'s marker', { 'IP:mail': '192.0.2.25', IP: '198.51.100.7' }, { 'IP:mail': '198.51.100.25', IP: '198.51.100.7' }, '@IP:mail@ 192.0.2.25, not 198.51.100.25'],
  ];
  for (const [why, installed, decided, words] of rows) assert.equal(describeDiffers(favouredDiffers(installed, decided)), words, why);
});

test('describeSignatures: when the served signatures expire, and EXPIRED loudly once they have', async () => {
  const { describeSignatures } = await import('../../src/core/signatures.js');
  const now = Date.UTC(2026, 11, 5, 10);
  assert.equal(describeSignatures(now + 10 * 86_400_000, now), 'signatures expire 2026-12-15 10:00:00 UTC (in 10d)');
  assert.match(describeSignatures(now - 5 * 86_400_000, now), /^SIGNATURES EXPIRED 2026-11-30 10:00:00 UTC \(5d ago\): validating resolvers answer SERVFAIL/);
  assert.match(describeSignatures(now, now), /^SIGNATURES EXPIRED/, 'expiring now is expired');
});
