import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findIncludes, type IncludeRef } from '../../src/core/includes.js';

const table: { name: string; text: string; want: IncludeRef[] }[] = [
  { name: 'none', text: '$TTL 300\n@ IN SOA ns1 h 1 2 3 4 5\n', want: [] },
  { name: 'a relative path', text: '$TTL 300\n$INCLUDE ns.inc\n', want: [{ path: 'ns.inc', line: 2 }] },
  { name: 'an absolute path with an origin', text: '$INCLUDE /etc/nsd/keys.inc sub.example.com.\n', want: [{ path: '/etc/nsd/keys.inc', origin: 'sub.example.com.', line: 1 }] },
  { name: 'a relative origin, as written', text: '$INCLUDE hosts.inc sub\n', want: [{ path: 'hosts.inc', origin: 'sub', line: 1 }] },
  { name: 'a comment after it', text: '$INCLUDE ns.inc ; the NS records\n', want: [{ path: 'ns.inc', line: 1 }] },
  { name: 'a comment after the origin', text: '$INCLUDE ns.inc example.com. ; NS\n', want: [{ path: 'ns.inc', origin: 'example.com.', line: 1 }] },
  { name: 'lowercase, CRLF', text: '$include a.inc\r\n$Include b.inc\r\n', want: [{ path: 'a.inc', line: 1 }, { path: 'b.inc', line: 2 }] },
  { name: 'quoted: quotes off, what is inside as written', text: '$INCLUDE "in c;(.inc" "x.example."\n', want: [{ path: 'in c;(.inc', origin: 'x.example.', line: 1 }] },
  { name: 'backslashes kept, as BIND opens them', text: '$INCLUDE in\\ c\n', want: [{ path: 'in\\ c', line: 1 }] },
  { name: 'no file name: left to the checker', text: '$INCLUDE\n$INCLUDE ; nothing\n', want: [] },
  { name: 'not at the line start: not a directive', text: ' $INCLUDE x.inc\nwww TXT "$INCLUDE y.inc"\n; $INCLUDE z.inc\n', want: [] },
  {
    name: 'in order, after parenthesised records',
    text: '@ IN SOA ns1 h (\n 1 2 3 4 5 )\n$INCLUDE one.inc\nwww A 192.0.2.1\n$INCLUDE two.inc\n',
    want: [{ path: 'one.inc', line: 3 }, { path: 'two.inc', line: 5 }],
  },
];

for (const { name, text, want } of table) {
  test(`findIncludes: ${name}`, () => assert.deepEqual(findIncludes(text), want));
}

test('findIncludes on an included text finds the nested includes (the caller follows them)', () => {
  const files: Record<string, string> = {
    'z.base': '$INCLUDE a.inc\n$INCLUDE b.inc\n',
    'a.inc': 'www A 192.0.2.1\n$INCLUDE c.inc\n',
    'b.inc': 'mail A 192.0.2.2\n',
    'c.inc': 'ftp A 192.0.2.3\n',
  };
  const order: string[] = [];
  const walk = (name: string): void => {
    for (const ref of findIncludes(files[name]!)) {
      order.push(ref.path);
      walk(ref.path);
    }
  };
  walk('z.base');
  assert.deepEqual(order, ['a.inc', 'c.inc', 'b.inc']);
});
