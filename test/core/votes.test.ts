// The quorum of votes: table-driven over who votes what, and the outcome health.ts then sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ProbeOutcome } from '../../src/core/health.js';
import type { Vote } from '../../src/core/probe.js';
import { countVotes, defaultQuorum, describeVotes, vantagesReached, votedOutcome, votesBehind } from '../../src/core/votes.js';

const vote = (vantage: string, up: boolean | null, reason = up === null ? 'connection refused' : up ? 'HTTP 200' : 'HTTP 404'): Vote => ({ vantage, up, reason });
const own = (up: boolean): ProbeOutcome => ({ up, reason: up ? 'HTTP 200' : 'HTTP 404', latencyMs: 3, attempts: up ? 1 : 2, at: 1000 });

test('the default quorum is a majority of zonerw and the vantages', () => {
  assert.deepEqual([0, 1, 2, 3, 4].map(defaultQuorum), [1, 2, 2, 3, 3]);
});

test('verdicts', () => {
  const cases: [own: boolean, vantages: (boolean | null)[], quorum: number, verdict: string][] = [
    [false, [true, true], 2, 'up'], // zonerw cut off from main, the world sees it: no failover
    [false, [false, false], 2, 'down'],
    [true, [false, false], 2, 'down'],
    [false, [null, true], 2, 'none'], // one vantage stopped, zonerw down, the other up
    [false, [null, false], 2, 'down'], // main really dead
    [true, [null, null], 2, 'none'], // zonerw alone cannot reach a quorum of 2
    [false, [], 1, 'down'],
    [true, [false], 1, 'down'], // both sides reach a quorum of 1: down wins
    [true, [true, true, false], 3, 'up'],
  ];
  for (const [me, others, quorum, verdict] of cases) {
    const votes = [vote('zonerw', me), ...others.map((u, i) => vote(`v${i}`, u))];
    assert.equal(countVotes(votes, quorum).verdict, verdict, `${describeVotes(votes)}, quorum ${quorum}`);
  }
});

test('the outcome carries every vote; no verdict keeps the last result and says so', () => {
  const up = votedOutcome(own(false), [vote('fra', true), vote('ams', true)], 2, true);
  assert.equal(up.up, true);
  assert.equal(up.undecided, undefined);
  assert.deepEqual(up.votes, [vote('zonerw', false), vote('fra', true), vote('ams', true)]);
  assert.equal(up.reason, 'up by 2 of 3 votes (quorum 2): zonerw down (HTTP 404), fra up (HTTP 200), ams up (HTTP 200)');
  assert.equal(up.attempts, 2);
  const none = votedOutcome(own(false), [vote('fra', null), vote('ams', true)], 2, false);
  assert.equal(none.undecided, true);
  assert.equal(none.up, false);
  assert.equal(none.reason, 'no verdict: 1 up, 1 down, 1 silent, quorum 2: zonerw down (HTTP 404), fra no vote (connection refused), ams up (HTTP 200)');
  // nothing remembered: nothing to keep, and no verdict is never taken as up
  assert.equal(votedOutcome(own(false), [vote('fra', null), vote('ams', true)], 2, undefined).up, false);
});

test('votes behind a move, and which vantages answered', () => {
  const a = votedOutcome(own(false), [vote('fra', false), vote('ams', null)], 2, true);
  const b = votedOutcome(own(true), [vote('fra', true), vote('ams', true)], 2, true);
  assert.deepEqual(votesBehind([{ name: 'main', outcome: a }, { name: 'backup', outcome: b }, { name: 'last' }]), { votes: { main: a.votes, backup: b.votes } });
  assert.deepEqual(votesBehind([{ name: 'main', outcome: own(true) }]), {});
  assert.deepEqual([...vantagesReached([a, b, undefined])], [['fra', true], ['ams', false]]);
});

test('a verdict is never both, and needs its quorum', () => {
  fc.assert(fc.property(fc.array(fc.constantFrom(true, false, null), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 8 }), (ups, quorum) => {
    const t = countVotes(ups.map((u, i) => vote(`v${i}`, u)), quorum);
    if (t.verdict === 'up') assert.ok(t.up >= quorum && t.down < quorum);
    if (t.verdict === 'down') assert.ok(t.down >= quorum);
    if (t.verdict === 'none') assert.ok(t.up < quorum && t.down < quorum);
  }));
});
