// A re-sign is not an ordinary publish (run/resign.ts): its line names the new expiry, and its
// history event is `resign`, with the old and the new expiry; a publish with other reasons stays one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installEvent, resignedLine } from '../../src/run/resign.js';
import { describeEvent } from '../../src/commands/history.js';

const NEW = Date.parse('2027-01-14T10:00:00Z');

test('resignedLine: the reason said with the new expiry; no re-sign or no expiry leaves the line', () => {
  const table: [string, string | undefined, number | undefined, string][] = [
    ['z: serial 1, signatures expire 2026-12-22 10:00:00 UTC', 'signatures expire 2026-12-22 10:00:00 UTC', NEW, 'z: serial 1, re-signed: signatures now expire 2027-01-14 10:00:00 UTC (they expire 2026-12-22 10:00:00 UTC)'],
    ['z: serial 1, www -> 1.2.3.4, signatures expired 2026-12-22 10:00:00 UTC', 'signatures expired 2026-12-22 10:00:00 UTC', NEW, 'z: serial 1, www -> 1.2.3.4, re-signed: signatures now expire 2027-01-14 10:00:00 UTC (they expired 2026-12-22 10:00:00 UTC)'],
    ['z: serial 1, signer or keys changed', 'signer or keys changed', NEW, 'z: serial 1, signer or keys changed: signatures now expire 2027-01-14 10:00:00 UTC'],
    ['z: serial 1, www -> 1.2.3.4', undefined, NEW, 'z: serial 1, www -> 1.2.3.4'],
    ['z: serial 1, not signed yet', 'not signed yet', undefined, 'z: serial 1, not signed yet'],
  ];
  for (const [line, resign, expires, want] of table) {
    assert.equal(resignedLine(line, resign !== undefined ? { resign } : {}, expires !== undefined ? { expires } : undefined), want);
  }
});

test('installEvent: resign when the signatures were the only reason, publish otherwise', () => {
  const was = Date.parse('2026-12-22T10:00:00Z');
  assert.deepEqual(installEvent(5, 'z', { serial: 2, why: ['resign'], resign: 'signatures expire 2026-12-22 10:00:00 UTC' }, was, NEW),
    { t: 5, type: 'resign', zone: 'z', serial: 2, reason: 'signatures expire 2026-12-22 10:00:00 UTC', was, expires: NEW });
  assert.deepEqual(installEvent(5, 'z', { serial: 2, why: ['values', 'resign'], resign: 'signatures expired 2026-12-22 10:00:00 UTC' }, was, NEW),
    { t: 5, type: 'publish', zone: 'z', serial: 2, why: ['values', 'resign'] });
  assert.deepEqual(installEvent(5, 'z', { serial: 2, why: ['values'] }, undefined, undefined), { t: 5, type: 'publish', zone: 'z', serial: 2, why: ['values'] });
});

test('zonerw history names a resign event with the old and the new expiry', () => {
  const e = installEvent(5, 'z', { serial: 2, why: ['resign'], resign: 'signatures expire 2026-12-22 10:00:00 UTC' }, Date.parse('2026-12-22T10:00:00Z'), NEW);
  assert.equal(describeEvent(e), 'z re-signed, serial 2: signatures expiring 2026-12-22 10:00:00 UTC renewed until 2027-01-14 10:00:00 UTC');
});
