import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendHistory, readHistory } from '../../src/adapters/history-file.js';
import type { HistoryEvent } from '../../src/core/history.js';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

test('appends one JSON line per event; rotates at the limit without losing the newest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-history-'));
  dirs.push(dir);
  const ev = (t: number): HistoryEvent => ({ t, type: 'error', message: `event ${t} ${'x'.repeat(80)}` });
  for (let t = 0; t < 100; t++) await appendHistory(dir, [ev(t)], 2000);
  const current = await readFile(join(dir, 'history.jsonl'), 'utf8');
  assert.ok((await stat(join(dir, 'history.jsonl.1'))).size >= 2000, 'rotated once the file passed the limit');
  assert.ok(current.length < 2200, 'the current file stays near the limit');
  const events = await readHistory(dir);
  assert.equal(events.at(-1)!.t, 99, 'the newest event is there');
  assert.deepEqual(events.map((e) => e.t), events.map((e) => e.t).sort((a, b) => a - b), 'oldest first, across both files');
  assert.ok(events.length >= 2000 / 110, 'at least a limit of history is kept');
  await appendHistory(dir, []);
  assert.equal(await readFile(join(dir, 'history.jsonl'), 'utf8'), current, 'nothing to say: nothing written');
});
