// How a command ended, and what it said, in words: one way for every command zonerw runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkerWords } from '../../src/core/checker-words.js';
import { commandResult, describeFailure, describeOutcome, outputWords, type Outcome } from '../../src/core/outcome.js';

describe('describeOutcome', () => {
  const cases: [Outcome, string][] = [
    [{ kind: 'exit', code: 3 }, 'exit 3'],
    [{ kind: 'signal', signal: 'SIGTERM' }, 'killed by SIGTERM'],
    [{ kind: 'timeout', afterMs: 10_000 }, 'timed out after 10s'],
    [{ kind: 'timeout', afterMs: 948.1343379999998 }, 'timed out after 948ms'],
    [{ kind: 'not found', program: 'rndc', searched: ['/usr/sbin', '/sbin'] }, 'not found: rndc (not on PATH, nor in /usr/sbin, /sbin)'],
    [{ kind: 'not found', program: '/opt/x' }, 'not found: /opt/x'],
    [{ kind: 'cannot run', program: '/opt/x', why: 'permission denied' }, 'cannot run /opt/x: permission denied'],
  ];
  for (const [o, words] of cases) test(words, () => assert.equal(describeOutcome(o), words));

  test('ok only for exit 0', () => {
    assert.equal(commandResult({ kind: 'exit', code: 0 }).ok, true);
    assert.equal(commandResult({ kind: 'exit', code: 1 }).ok, false);
    assert.equal(commandResult({ kind: 'timeout', afterMs: 1 }).ok, false);
  });
});

describe('outputWords and describeFailure', () => {
  test('stderr then stdout, trimmed, blank lines dropped, joined by "; "', () => {
    assert.equal(outputWords({ stdout: ' out\n\n', stderr: 'err 1\n err 2 \n' }), 'err 1; err 2; out');
  });

  test('the last lines only (a hook\'s error is at its end)', () => {
    assert.equal(outputWords({ stdout: 'a\nb\nc\nd', stderr: '' }, { last: 2 }), 'c; d');
  });

  test('a usage text after the error is dropped; a usage text alone keeps its first line', () => {
    const until = /^\S+ \[OPTIONS\]/;
    const usage = 'ldns-signzone [OPTIONS] zonefile key [key [key]]\n  signs the zone with the given key(s)\n  -b\t\tuse layout\n';
    assert.equal(outputWords({ stdout: usage, stderr: 'Error: not enough arguments\n' }, { until }), 'Error: not enough arguments');
    assert.equal(outputWords({ stdout: usage, stderr: '' }, { until }), 'ldns-signzone [OPTIONS] zonefile key [key [key]]');
  });

  test('failed (how it ended): what it said', () => {
    assert.equal(describeFailure(commandResult({ kind: 'exit', code: 1 }, '', 'rndc: connect failed\n')), 'failed (exit 1): rndc: connect failed');
    assert.equal(describeFailure(commandResult({ kind: 'timeout', afterMs: 5000 })), 'failed (timed out after 5s)');
  });
});

describe('checkerWords: the checker\'s error first, its warnings after', () => {
  test('named-checkzone: the line that names the reason, the failure, then the warnings', () => {
    const stdout = [
      'zone example.com/IN: w1b.example.com/MX \'w1.example.com\' is a CNAME (illegal)',
      'zone example.com/IN: mail.example.com/MX \'x.example.net\' has no address records (A or AAAA)',
      'zone example.com/IN: loading from master file z failed: bad owner name (check-names)',
      'zone example.com/IN: not loaded due to errors.',
    ].join('\n');
    const stderr = 'z:8: yy_yy.example.com: bad owner name (check-names)\n';
    const words = checkerWords({ stdout, stderr }).split('; ');
    assert.equal(words[0], 'z:8: yy_yy.example.com: bad owner name (check-names)');
    assert.match(words[1]!, /loading from master file z failed/);
    assert.match(words.at(-1)!, /has no address records/);
  });

  test('nsd-checkzone: its error at a line (stderr) before its summary (stdout)', () => {
    const words = checkerWords({ stdout: 'zone example.com file d.zone has 1 errors\n', stderr: '[2026-12-05 11:40:06.407] nsd-checkzone[32025]: error: d.zone:6: this SOA record was already encountered\n' });
    assert.equal(words, '[2026-12-05 11:40:06.407] nsd-checkzone[32025]: error: d.zone:6: this SOA record was already encountered; zone example.com file d.zone has 1 errors');
  });

  test('nsd-checkzone: error lines before the rest', () => {
    const words = checkerWords({ stdout: 'warning: something odd\n', stderr: '[2026-12-05] nsd-checkzone[1]: error: d.zone:6: this SOA record was already encountered\nzone example.com file d.zone has 1 errors\n' });
    assert.match(words, /^\[2026-12-05\] nsd-checkzone\[1\]: error: d\.zone:6: .*; zone example\.com file d\.zone has 1 errors; warning: something odd$/);
  });
});
