// Issue 16's flow rules, read from the sources: one writer of the state file (the run and pin
// alike); no step sets the exit code by hand (problems go through ctx.fail, said once); the
// pipeline reads gather -> plan -> apply; no function over 80 lines in the files of the flow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

const src = join(repoRoot, 'src');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
const files = new Map(sources(src).map((f) => [relative(src, f), readFileSync(f, 'utf8')] as const));

test('the state file has one writer: src/run/remember.ts (the run and zonerw pin go through it)', () => {
  const callers = [...files].filter(([, text]) => /\.saveState\(/.test(text)).map(([f]) => f);
  assert.deepEqual(callers, ['run/remember.ts']);
  assert.match(files.get('commands/pin.ts')!, /writeState\(/);
});

test('no step sets the exit code by hand: problems go through ctx.fail (said, recorded, hook raised once)', () => {
  const byHand = [...files].flatMap(([f, text]) => [...text.matchAll(/\btrouble\.(config|baseFile|failed)\s*=\s*true/g)].map(() => f));
  // commands/check.ts's own Trouble and errors.ts's Trouble.add are the only setters
  assert.deepEqual(byHand.filter((f) => f.startsWith('run/')), []);
  assert.deepEqual([...files].filter(([f, text]) => f.startsWith('run/') && /ctx\.log\.err\(/.test(text)).map(([f]) => f), []);
});

test('the pipeline reads gather -> plan -> apply', () => {
  const text = files.get('run/pipeline.ts')!;
  const body = text.slice(text.indexOf('export async function carryOut'));
  const order = ['gather(ctx, probing)', 'planRun(gathered.inputs)', 'showPlan(ctx, plan, gathered) : apply(ctx, plan, gathered)'].map((s) => body.indexOf(s));
  assert.ok(order.every((i) => i > 0), order.join());
  assert.deepEqual([...order].sort((a, b) => a - b), order);
});

test('no function over 80 lines in the run flow', () => {
  const long: string[] = [];
  for (const f of ['run/pipeline.ts', 'run/gather.ts', 'run/apply.ts', 'run/dry-run.ts', 'run/check-zones.ts', 'core/run-plan.ts', 'core/zone-step.ts', 'core/safety.ts', 'core/zone-outcomes.ts', 'core/decision-plan.ts']) {
    const lines = files.get(f)!.split('\n');
    let start = -1;
    for (const [i, line] of lines.entries()) {
      if (/^(export )?(async )?function /.test(line)) start = i;
      if (start >= 0 && line === '}') {
        if (i - start + 1 > 80) long.push(`${f}:${start + 1} (${i - start + 1} lines)`);
        start = -1;
      }
    }
  }
  assert.deepEqual(long, []);
});
