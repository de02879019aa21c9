import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHistory, summarise, type HistoryEvent } from '../../src/core/history.js';

const H = 3_600_000;
const check = (t: number, server: string, up: boolean): HistoryEvent => ({ t, type: 'check', server, up, reason: up ? 'HTTP 200' : 'HTTP 503' });
const move = (t: number, from: string | null, to: string): HistoryEvent => ({ t, type: 'transition', from, to, address: '192.0.2.1', reason: 'x' });

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
