// Addresses and host:port strings: the one parser behind config keys, TCP probes, secondaries
// and reference hosts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4, isIPv6, parseHostDefaultPort, parseHostPort } from '../../src/core/address.js';

describe('parseHostPort', () => {
  const good: [string, string, number][] = [
    ['192.0.2.1:25', '192.0.2.1', 25],
    ['127.0.0.1:65535', '127.0.0.1', 65535],
    ['[2001:db8::1]:22', '2001:db8::1', 22],
    ['[::1]:64738', '::1', 64738],
    ['[::]:1', '::', 1],
    ['[2001:db8:0:0:0:0:0:1]:443', '2001:db8:0:0:0:0:0:1', 443],
    ['[::ffff:192.0.2.1]:25', '::ffff:192.0.2.1', 25],
    ['mail.example.com:25', 'mail.example.com', 25],
    ['mail.example.com.:587', 'mail.example.com.', 587],
    ['localhost:22', 'localhost', 22],
    ['1example.com:80', '1example.com', 80],
  ];
  for (const [s, host, port] of good) {
    test(`${s} -> ${host} ${port}`, () => assert.deepEqual(parseHostPort(s), { host, port }));
  }
  const bad = [
    '', '192.0.2.1', '192.0.2.1:', ':25', '192.0.2.1:0', '192.0.2.1:65536', '192.0.2.1:025', '192.0.2.1:+25',
    '192.0.2.1:2 5', ' 192.0.2.1:25', '192.0.2.1:25 ', '192.0.2.300:25', '192.0.2:25', '2001:db8::1:22',
    '[2001:db8::1]', '[2001:db8::1]22', '[2001:db8::1:22', '[192.0.2.1]:25', '[2001:db8::1::2]:22',
    '[1:2:3:4:5:6:7:8:9]:22', '[12345::1]:22', '-bad.example.com:25', 'bad_name.example.com:25',
    'http://192.0.2.1:80', 'example..com:25',
  ];
  test('rejects what is not ADDRESS:PORT', () => {
    for (const s of bad) assert.equal(parseHostPort(s), undefined, JSON.stringify(s));
  });
});

describe('addresses', () => {
  test('IPv4: dotted quads of 0-255 without leading zeros', () => {
    for (const s of ['192.0.2.1', '0.0.0.0', '255.255.255.255']) assert.equal(isIPv4(s), true, s);
    for (const s of ['192.0.2.300', '192.0.2', '01.2.3.4', '1.2.3.4.5', '', ' 1.2.3.4']) assert.equal(isIPv4(s), false, s);
  });
  test('IPv6: full, compressed and with an IPv4 tail', () => {
    for (const s of ['2001:db8::1', '::', '::1', '2001:db8:0:0:0:0:0:1', '::ffff:192.0.2.1']) assert.equal(isIPv6(s), true, s);
    for (const s of ['2001:db8::1::2', '12345::1', '1:2:3:4:5:6:7:8:9', '192.0.2.1', '::ffff:192.0.2.300']) assert.equal(isIPv6(s), false, s);
  });
  test('a default port when none is given', () => {
    assert.deepEqual(parseHostDefaultPort('192.0.2.53', 53), { host: '192.0.2.53', port: 53 });
    assert.deepEqual(parseHostDefaultPort('2001:db8::53', 53), { host: '2001:db8::53', port: 53 });
    assert.deepEqual(parseHostDefaultPort('ns2.example.net:5353', 53), { host: 'ns2.example.net', port: 5353 });
    assert.equal(parseHostDefaultPort('192.0.2.300', 53), undefined);
  });
});
