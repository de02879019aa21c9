import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideHealth, describeTransition, type CheckOutcome, type ServerInput } from '../../src/core/health.js';

const servers: ServerInput[] = [
  { name: 'main', address: '192.0.2.1', checked: true },
  { name: 'second', address: '192.0.2.2', checked: true },
  { name: 'backup', address: '198.51.100.7', checked: false },
];
const up = (reason = 'HTTP 200'): CheckOutcome => ({ up: true, reason, latencyMs: 3, attempts: 1, at: 1000 });
const down = (reason = 'HTTP 503', attempts = 2): CheckOutcome => ({ up: false, reason, latencyMs: 3, attempts, at: 1000 });
const outcomes = (main: CheckOutcome, second: CheckOutcome) => new Map([['main', main], ['second', second]]);

test('favoured = the first server that is up, in config order; none up -> the last', () => {
  const rows: [string, CheckOutcome, CheckOutcome, string][] = [
    ['all up', up(), up(), 'main'],
    ['main down', down(), up(), 'second'],
    ['first two down', down(), down(), 'backup'],
    ['main up, second down', up(), down(), 'main'],
  ];
  for (const [name, a, b, favoured] of rows) {
    assert.equal(decideHealth(servers, outcomes(a, b), { servers: {} }, 5000).favoured.server, favoured, name);
  }
  const allChecked = servers.map((s) => ({ ...s, checked: true }));
  const none = decideHealth(allChecked, new Map([['main', down()], ['second', down()], ['backup', down()]]), { servers: {} }, 5000);
  assert.equal(none.favoured.server, 'backup');
  assert.match(none.rule, /no server is up/);
});

test('a server without a check is up; one whose check did not run is down', () => {
  const d = decideHealth(servers, new Map([['main', up()]]), { servers: {} }, 1);
  assert.deepEqual(d.servers.map((v) => v.up), [true, false, true]);
});

test('transitions: remembered state decides what is new, and since when', () => {
  const memory = {
    servers: { main: { up: true, since: 100 }, second: { up: true, since: 100 }, backup: { up: true, since: 100 } },
    favoured: { server: 'main', address: '192.0.2.1', since: 100 },
  };
  const steady = decideHealth(servers, outcomes(up(), up()), memory, 5000);
  assert.equal(steady.favouredChanged, false);
  assert.equal(steady.favoured.since, 100);
  assert.equal(describeTransition(steady), undefined, 'nothing changed: nothing to say');

  const failover = decideHealth(servers, outcomes(down('HTTP 503', 2), up()), memory, 5000);
  assert.equal(failover.favouredChanged, true);
  assert.equal(failover.favoured.since, 5000);
  assert.equal(describeTransition(failover), 'main 192.0.2.1 down (HTTP 503, 2 attempts); favouring second 192.0.2.2');

  const later = { servers: { ...memory.servers, main: { up: false, since: 5000 } }, favoured: failover.favoured };
  const back = decideHealth(servers, outcomes(up(), up()), later, 9000);
  assert.equal(describeTransition(back), 'main 192.0.2.1 up (HTTP 200); favouring main 192.0.2.1');
  assert.equal(back.servers[0]!.since, 9000);
});

test('first run: a down main is news, an up main is not', () => {
  assert.equal(describeTransition(decideHealth(servers, outcomes(up(), up()), { servers: {} }, 1)), undefined);
  assert.equal(
    describeTransition(decideHealth(servers, outcomes(down('connection refused', 1), up()), { servers: {} }, 1)),
    'main 192.0.2.1 down (connection refused, 1 attempt); favouring second 192.0.2.2',
  );
});
