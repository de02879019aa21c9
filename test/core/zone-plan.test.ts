import { test } from 'node:test';
import { overlay, type Overlay } from '../helpers/overlay.js';
import assert from 'node:assert/strict';
import { planZone, settleIntent, type ZoneFacts, type ZoneMemory } from '../../src/core/zone-plan.js';

const today = { year: 2026, month: 11, day: 22 };
const opts = { force: false, onBaseChange: 'publish' as const, today };
const memory: ZoneMemory = {
  serial: 2026112203,
  contentHash: 'c1',
  baseHash: 'b1',
  fileHash: 'f1',
  values: { IP: '192.0.2.1' },
  publishedAt: 1,
  pending: [],
};
const facts = (over: Overlay<ZoneFacts> = {}): ZoneFacts =>
  overlay<ZoneFacts>(
    {
      zone: 'example.com',
      contentHash: 'c1',
      baseHash: 'b1',
      values: { IP: '192.0.2.1' },
      installed: { hash: 'f1', serial: 2026112203, matchesRender: true },
      memory,
    },
    over,
  );

test('nothing changed: keep, serial untouched', () => {
  assert.deepEqual(planZone(facts(), opts), { action: 'keep', zone: 'example.com', handEdited: false, notice: false, adopt: false });
});

test('the favoured address changed: publish with the next serial', () => {
  const p = planZone(facts({ contentHash: 'c2', values: { IP: '198.51.100.7' } }), opts);
  assert.equal(p.action, 'publish');
  assert.deepEqual(p.action === 'publish' && [p.serial, p.why, p.keepCopy], [2026112204, ['values'], false]);
});

test('base edited: publish, or wait under on_base_change = "warn" unless the address moved too', () => {
  const edited = facts({ contentHash: 'c2', baseHash: 'b2' });
  assert.equal(planZone(edited, opts).action, 'publish');
  assert.equal(planZone(edited, { ...opts, onBaseChange: 'warn' }).action, 'wait');
  const both = facts({ contentHash: 'c3', baseHash: 'b2', values: { IP: '198.51.100.7' } });
  const p = planZone(both, { ...opts, onBaseChange: 'warn' });
  assert.deepEqual(p.action === 'publish' && p.why, ['values', 'base']);
  const forced = planZone(edited, { ...opts, onBaseChange: 'warn', force: true });
  assert.deepEqual(forced.action === 'publish' && forced.why, ['base', 'forced']);
});

test('--force publishes unchanged content with a new serial', () => {
  const p = planZone(facts(), { ...opts, force: true });
  assert.deepEqual(p.action === 'publish' && [p.serial, p.why], [2026112204, ['forced']]);
});

test('zone file missing: publish, serial still above the remembered one', () => {
  const p = planZone(facts({ installed: undefined }), opts);
  assert.deepEqual(p.action === 'publish' && [p.serial, p.why, p.keepCopy], [2026112204, ['missing'], false]);
});

test('no state: adopt a file that is already right, else publish above its serial and keep a copy', () => {
  const adopt = planZone(facts({ memory: undefined }), opts);
  assert.deepEqual(adopt, { action: 'keep', zone: 'example.com', handEdited: false, notice: false, adopt: true });
  const stale = planZone(facts({ memory: undefined, installed: { hash: 'x', serial: 2026112250, matchesRender: false } }), opts);
  assert.deepEqual(stale.action === 'publish' && [stale.serial, stale.why, stale.keepCopy], [2026112251, ['first'], true]);
  const fresh = planZone(facts({ memory: undefined, installed: undefined }), opts);
  assert.deepEqual(fresh.action === 'publish' && [fresh.serial, fresh.why], [2026112200, ['missing']]);
});

test('hand-edited file: kept, noticed once; replaced with a copy on the next change', () => {
  const edited = { hash: 'hand', serial: 2026112290, matchesRender: false };
  const keep = planZone(facts({ installed: edited }), opts);
  assert.deepEqual(keep, { action: 'keep', zone: 'example.com', handEdited: true, notice: true, adopt: false });
  const seen = planZone(facts({ installed: edited, memory: { ...memory, editSeen: 'hand' } }), opts);
  assert.equal(seen.action === 'keep' && seen.notice, false);
  const change = planZone(facts({ installed: edited, contentHash: 'c2', values: { IP: '198.51.100.7' } }), opts);
  // the hand edit raised the serial: the new one goes above it
  assert.deepEqual(change.action === 'publish' && [change.serial, change.keepCopy], [2026112291, true]);
});

test('settleIntent: the file on disk decides whether an interrupted install happened', () => {
  const intent = { ...memory, serial: 2026112204, fileHash: 'f2', pending: ['reload' as const, 'notify' as const] };
  assert.equal(settleIntent(memory, intent, 'f2'), intent, 'installed: adopt the intent, reload still owed');
  assert.equal(settleIntent(memory, intent, 'f1'), memory, 'not installed: the old memory stands');
  assert.equal(settleIntent(undefined, intent, undefined), undefined);
  assert.equal(settleIntent(memory, undefined, 'f1'), memory);
});

test('the primary\'s served serial: a publish goes above it (a signer numbered ahead); a lower one changes nothing; RFC 1982 order', () => {
  const moved = { contentHash: 'c2', values: { IP: '198.51.100.7' } };
  const serialOf = (served: number | undefined) => {
    const p = planZone(facts({ ...moved, ...(served !== undefined ? { served } : {}) }), opts);
    return p.action === 'publish' ? p.serial : undefined;
  };
  const cases: [served: number | undefined, want: number][] = [
    [undefined, 2026112204],
    [2026112205, 2026112206], // Knot re-signed twice: 03 -> 05
    [2026112203, 2026112204],
    [2026112201, 2026112204], // lower than the state: ignored
    [2026112300, 2026112301], // tomorrow's numbers already
    [3000000000, 3000000001], // far ahead, yet less than 2^31 ahead: greater by RFC 1982, followed
    [4294967295, 2026112204], // more than 2^31 ahead is behind by RFC 1982: ignored
  ];
  for (const [served, want] of cases) assert.equal(serialOf(served), want, `served ${served}`);
  // a zone that does not change keeps its serial whatever the primary serves
  assert.equal(planZone(facts({ served: 2026112299 }), opts).action, 'keep');
});
