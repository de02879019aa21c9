import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countRecords, shrinkProblem } from '../../src/core/records.js';

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
