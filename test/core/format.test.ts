// The one formatter of each kind: operation durations, spans of time, instants, and the one
// duration parser.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileStamp, formatMs, formatSpan, parseDuration, utcTime } from '../../src/core/format.js';

describe('formatMs', () => {
  test('formats durations for reasons', () => {
    assert.equal(formatMs(500), '500ms');
    assert.equal(formatMs(5000), '5s');
    assert.equal(formatMs(1500), '1.5s');
    assert.equal(formatMs(1250), '1.25s');
  });
});

describe('formatSpan', () => {
  const cases: [number, string][] = [
    [0, '0s'], [-5000, '0s'], [3_000, '3s'], [89_000, '89s'], [90_000, '2m'], [10 * 60_000, '10m'],
    [(10 * 60_000) / 56, '11s'], [89 * 60_000, '89m'], [2 * 3_600_000, '2h'], [2 * 3_600_000 + 5 * 60_000, '2h 5m'],
    [47 * 3_600_000, '47h'], [48 * 3_600_000, '2d'], [50 * 3_600_000, '2d 2h'], [30 * 86_400_000, '30d'],
  ];
  for (const [ms, text] of cases) test(`${ms} ms -> ${text}`, () => assert.equal(formatSpan(ms), text));
});

describe('instants', () => {
  const t = Date.parse('2026-11-22T02:45:00.123Z');
  test('utcTime: to the second', () => assert.equal(utcTime(t), '2026-11-22 02:45:00'));
  test('fileStamp: no separators, for file names', () => assert.equal(fileStamp(t), '20261122T024500Z'));
});

describe('parseDuration', () => {
  const cases: [unknown, number | undefined][] = [
    ['500ms', 500], ['5s', 5000], ['2m', 120_000], ['1.5h', 5_400_000], ['7d', 604_800_000], [' 10s ', 10_000], [3, 3000],
    ['5', undefined], ['5 minutes', undefined], ['-1s', undefined], [-1, undefined], [Number.NaN, undefined], [true, undefined],
  ];
  for (const [v, ms] of cases) test(`${JSON.stringify(v)} -> ${ms}`, () => assert.equal(parseDuration(v), ms));
});
