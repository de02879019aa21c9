// Issue 16's flow rules, read from the sources: one writer of the state file (the run and pin
// alike); no step sets the exit code by hand (problems go through ctx.fail, said once); the
// pipeline reads gather -> plan -> apply; no function in src/ over 80 lines.
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

/**
 * Where each function of src/ starts and ends, read from the layout every file keeps: a line that
 * opens a function (a declaration, an arrow assigned to a name, a method) and the first later line
 * at the same indentation that closes it. Control statements are not functions.
 */
const OPENS = /^(\s*)(?:export )?(?:default )?(?:async )?(?:function\*? [\w$]+|(?:const|let) [\w$]+\s*(?::[^=]+)?=\s*(?:async )?(?:\([^)]*\)|[\w$]+)(?:\s*:\s*[^=]+)?\s*=>|(?:(?:public|private|protected|static|async|get|set) )*[\w$]+\s*(?:<[^>]*>)?\([^)]*\)(?:\s*:\s*[^{]+)?)\s*.*\{\s*$/;
function longFunctions(text: string, limit: number): string[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => {
    const m = OPENS.exec(line);
    if (!m || /^\s*(if|for|while|switch|catch|return|else)\b/.test(line)) return [];
    const closes = new RegExp(`^${m[1]}\\}`);
    const end = lines.findIndex((l, j) => j > i && closes.test(l));
    return end >= 0 && end - i + 1 > limit ? [`${i + 1} (${end - i + 1} lines): ${line.trim().slice(0, 60)}`] : [];
  });
}

test('no function in src/ is over 80 lines', () => {
  const long = [...files].flatMap(([f, text]) => longFunctions(text, 80).map((l) => `${f}:${l}`));
  assert.deepEqual(long, []);
  // the reader sees a long function: a body of 81 lines is caught, in every form it is written in
  const body = Array.from({ length: 80 }, () => '    x++;').join('\n');
  for (const opener of ['export function f(a: number): number {', '  async method(x: string) {', 'const g = async (y: number) => {'])
    assert.equal(longFunctions(`${opener}\n${body}\n${opener.match(/^\s*/)![0]}}`, 80).length, 1, opener);
});
