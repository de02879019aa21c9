// The layers hold (README, Architecture): src/core imports only src/core and no node: module;
// adapters never import config; commands are reached only from the CLI and import no other
// command; no import cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { repoRoot } from './helpers/paths.js';

const src = join(repoRoot, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** file (relative to src/) -> its imports: relative ones as files relative to src/, others as written */
const graph = new Map<string, string[]>(
  sources(src).map((file) => {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:\bfrom|\bimport\()\s*'([^']+)'/g)].map((m) => m[1]!);
    const resolved = specs.map((s) => (s.startsWith('.') ? relative(src, normalize(join(dirname(file), s))).replace(/\.js$/, '.ts') : s));
    return [relative(src, file), resolved] as const;
  }),
);

test('src/core imports nothing outside src/core, and no node: module', () => {
  const bad = [...graph].flatMap(([f, deps]) => (f.startsWith('core/') ? deps.filter((d) => !d.startsWith('core/')).map((d) => `${f} -> ${d}`) : []));
  assert.deepEqual(bad, []);
});

test('adapters import no config', () => {
  const bad = [...graph].flatMap(([f, deps]) => (f.startsWith('adapters/') ? deps.filter((d) => d.startsWith('config/')).map((d) => `${f} -> ${d}`) : []));
  assert.deepEqual(bad, []);
});

test('run/ and commands/ reach adapters only through the ports (src/wiring.ts builds them)', () => {
  const bad = [...graph].flatMap(([f, deps]) => (f.startsWith('run/') || f.startsWith('commands/') ? deps.filter((d) => d.startsWith('adapters/')).map((d) => `${f} -> ${d}`) : []));
  assert.deepEqual(bad, []);
});

test('src/wiring.ts is the one module outside adapters/ that imports an adapter (cli.ts is argv only)', () => {
  const bad = [...graph].flatMap(([f, deps]) => (f.startsWith('adapters/') || f === 'wiring.ts' ? [] : deps.filter((d) => d.startsWith('adapters/')).map((d) => `${f} -> ${d}`)));
  assert.deepEqual(bad, []);
});

test('a command imports no other command (what two share lives in src/run/)', () => {
  // A command is what cli.ts dispatches to; a module of one command (check-vantages.ts) may sit beside it.
  const commands = new Set((graph.get('cli.ts') ?? []).filter((d) => d.startsWith('commands/')));
  assert.ok(commands.has('commands/run.ts') && commands.has('commands/check.ts'), `cli.ts dispatches to: ${[...commands].join(', ')}`);
  const bad = [...graph].flatMap(([f, deps]) => (f.startsWith('commands/') ? deps.filter((d) => commands.has(d) && d !== f).map((d) => `${f} -> ${d}`) : []));
  assert.deepEqual(bad, []);
});

test('a plain run never loads jsdiff: only --dry-run imports it, and only through a dynamic import()', () => {
  // Static imports only (`from '...'`): what the entry loads, and what the bundle evaluates, at start-up.
  const staticDeps = new Map([...graph.keys()].map((f) => {
    const text = readFileSync(join(src, f), 'utf8');
    const specs = [...text.matchAll(/^import (?!type )[^;]*?\bfrom\s*'([^']+)'/gm)].map((m) => m[1]!);
    return [f, specs.map((s) => (s.startsWith('.') ? relative(src, normalize(join(dirname(join(src, f)), s))).replace(/\.js$/, '.ts') : s))] as const;
  }));
  const reached = new Set<string>();
  const visit = (f: string): void => {
    if (reached.has(f)) return;
    reached.add(f);
    for (const d of staticDeps.get(f) ?? []) visit(d);
  };
  for (const entry of ['cli.ts', 'commands/run.ts']) visit(entry);
  assert.ok(reached.has('run/dry-run.ts'), 'the walk follows static imports');
  assert.deepEqual([...reached].filter((f) => f === 'diff' || f === 'run/zone-diff.ts'), []);
  const importers = [...graph].filter(([, deps]) => deps.includes('diff')).map(([f]) => f);
  assert.deepEqual(importers, ['run/zone-diff.ts']);
});

test('no import cycle', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]): void => {
    state.set(f, 'open');
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') cycles.push([...path.slice(path.indexOf(d)), d].join(' -> '));
      else if (!state.has(d)) visit(d, [...path, d]);
    }
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f, [f]);
  assert.deepEqual(cycles, []);
});
