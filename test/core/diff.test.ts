import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unifiedDiff } from '../../src/core/diff.js';

test('unifiedDiff: one changed line with context', () => {
  const a = 'a\nb\nc\nd\ne\nf\ng\nh\n';
  const b = 'a\nb\nc\nd\nE\nf\ng\nh\n';
  assert.equal(unifiedDiff(a, b, 'old', 'new'), '--- old\n+++ new\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n');
});

test('unifiedDiff: from nothing, and no change at all', () => {
  assert.equal(unifiedDiff('', 'x\ny\n', '/dev/null', 'z'), '--- /dev/null\n+++ z\n@@ -0,0 +1,2 @@\n+x\n+y\n');
  assert.equal(unifiedDiff('same\n', 'same\n', 'a', 'b'), '');
});

test('unifiedDiff: two distant changes make two hunks', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `l${i}`);
  const changed = [...lines];
  changed[2] = 'X';
  changed[25] = 'Y';
  const d = unifiedDiff(`${lines.join('\n')}\n`, `${changed.join('\n')}\n`, 'a', 'b');
  assert.equal(d.split('\n').filter((l) => l.startsWith('@@')).length, 2);
  assert.match(d, /-l2\n\+X/);
  assert.match(d, /-l25\n\+Y/);
});
