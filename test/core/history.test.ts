import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameMoves, parseHistory, summarise, type HistoryEvent, type RecordedEvent } from '../../src/core/history.js';
import { moveKind } from '../../src/core/hooks.js';

const H = 3_600_000;
const check = (t: number, server: string, up: boolean): HistoryEvent => ({ t, type: 'check', server, up, reason: up ? 'HTTP 200' : 'HTTP 503' });
/** a move as zonerw recorded it before issue 11: every one a `transition` */
const legacy = (t: number, from: string | null, to: string): RecordedEvent => ({ t, type: 'transition', from, to, address: '192.0.2.1', reason: 'x' });
const move = (t: number, from: string | null, to: string): HistoryEvent => nameMoves([legacy(t, from, to)], 'main')[0]!;

test('summarise: availability, longest outage, failovers and time favoured over a window', () => {
  const events = [
    check(0, 'main', true), move(0, null, 'main'),
    check(10 * H, 'main', false), move(10 * H, 'main', 'backup'),
    check(13 * H, 'main', true), move(14 * H, 'backup', 'main'),
    check(20 * H, 'main', false), move(20 * H, 'main', 'backup'),
    check(21 * H, 'main', true), move(22 * H, 'backup', 'main'),
  ];
  const [main, backup] = summarise(events, ['main', 'backup'], 0, 24 * H, 24);
  assert.equal(main!.availability, 20 / 24);
  assert.equal(main!.longestOutageMs, 3 * H);
  assert.equal(main!.failovers, 2);
  assert.equal(backup!.failbacks, 2);
  assert.deepEqual([main!.failbacks, main!.changes, backup!.failovers, backup!.changes], [0, 0, 0, 0]);
  assert.equal(main!.favouredMs, 18 * H);
  assert.equal(backup!.favouredMs, 6 * H);
  assert.equal(backup!.availability, null, 'never checked');
  assert.equal(main!.slots.join(' ').split(' ').filter((s) => s === 'down').length, 4, 'slots 10,11,12 and 20 saw it down');
  assert.deepEqual([main!.slots[9], main!.slots[10], main!.slots[13], main!.slots[20], main!.slots[21]], ['up', 'down', 'up', 'down', 'up']);
  assert.deepEqual(backup!.slots, Array(24).fill('none'));
});

test('summarise: the state at the start of the window comes from events before it; an outage still open counts to the end', () => {
  const events = [check(0, 'main', true), check(5 * H, 'main', false)];
  const [main] = summarise(events, ['main'], 10 * H, 12 * H, 2);
  assert.deepEqual([main!.availability, main!.longestOutageMs, main!.slots], [0, 2 * H, ['down', 'down']]);
});

test('parseHistory skips a torn last line', () => {
  const text = `${JSON.stringify(check(1, 'main', true))}\n${JSON.stringify(check(2, 'main', false))}\n{"t":3,"type":"che`;
  assert.equal(parseHistory(text).length, 2);
});

test('the timeline is coloured only when asked (a terminal without NO_COLOR)', async () => {
  const { formatHistory } = await import('../../src/commands/history.js');
  const stats = summarise([check(0, 'main', true), check(H, 'main', false)], ['main'], 0, 2 * H, 2);
  const plain = formatHistory([], stats, 0, 2 * H, false).at(-1)!;
  const coloured = formatHistory([], stats, 0, 2 * H, true).at(-1)!;
  assert.match(plain, /^ {2}main {2}\|#_\|/);
  assert.doesNotMatch(plain, /\x1b\[/);
  assert.match(coloured, /\x1b\[32m█\x1b\[0m\x1b\[31m▁\x1b\[0m/);
});

test('a move is named as its hooks are: failover away from the first server, failback to it, change otherwise', () => {
  assert.equal(moveKind('main', 'backup', 'main'), 'failover');
  assert.equal(moveKind(undefined, 'backup', 'main'), 'failover', 'a first run that starts away from the first server');
  assert.equal(moveKind('backup', 'main', 'main'), 'failback');
  assert.equal(moveKind('backup', 'backup2', 'main'), 'change');
  assert.equal(moveKind(undefined, 'main', 'main'), 'change', "a first run's start on the first server");
  assert.equal(moveKind('main', 'main', 'main'), 'change', 'the same server at a new address');
});

test('old history files: their `transition` events are read as failover, failback or change', () => {
  const text = [legacy(0, null, 'main'), legacy(1, 'main', 'backup'), legacy(2, 'backup', 'backup2'), legacy(3, 'backup2', 'main')].map((e) => JSON.stringify(e)).join('\n');
  const named = nameMoves(parseHistory(text), 'main');
  assert.deepEqual(named.map((e) => e.type), ['change', 'failover', 'change', 'failback']);
  const [main, backup, backup2] = summarise(named, ['main', 'backup', 'backup2'], 0, 4, 4);
  assert.deepEqual([main!.failovers, backup!.changes, backup2!.failbacks], [1, 1, 1]);
});

test('history --since 10m: each mark of the timeline is 11s (formatSpan), never 0m', async () => {
  const { formatHistory } = await import('../../src/commands/history.js');
  const to = 10 * 60_000;
  const stats = summarise([check(0, 'main', true)], ['main', 'backup'], 0, to, 56);
  const lines = formatHistory([], stats, 0, to, false);
  assert.ok(lines.includes('servers (each mark is 11s; # up, _ down, blank unknown):'), lines.join('\n'));
  assert.match(lines.at(-2)!, /, favoured 0s, 0 failovers, longest outage 0s$/);
  assert.match(lines.at(-1)!, /, favoured 0s, 0 failbacks, longest outage 0s$/);
  const week = formatHistory([], summarise([], ['main'], 0, 7 * 24 * H, 56), 0, 7 * 24 * H, false);
  assert.ok(week.includes('servers (each mark is 3h; # up, _ down, blank unknown):'));
});
