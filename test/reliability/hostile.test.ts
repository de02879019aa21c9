// The hostile and broken input corpus: test/fixtures/hostile/<case>/ holds a zonerw.toml, a
// base/ folder, optionally installed/ (zone files put in zone_dir first), state.json (put in
// state_dir first) and expected/ (zone files as they must be afterwards), and expect.json:
//
//   { "exit": 65,                     exit code
//     "stderr": ["exact line", ...],  "{dir}" stands for the case's temp folder; a line may
//                                     instead be { "match": "^regex$" } where only its gist is fixed
//     "stdout": [...],                default: nothing
//     "args": ["--force"],            after --config
//     "env": { "NODE_OPTIONS": ... }, for zonerw (ZONERW_NOW is 2026-11-22T10:00:00Z)
//     "generate": { "base/example.com.base": "binary" | "huge" },   made at test time
//     "setup": [[...args]],           runs before the one under test, each must exit 0
//     "statePatch": { ... } }         merged into state.json after the setup runs
//
// Every case: the exact exit code and lines, no stack trace, base files untouched, installed
// zone files byte-identical (or as expected/ says), nothing written outside zones/ and state/.
// ZONERW_RECORD=1 prints what each case really did instead of failing, to write expect.json;
// ZONERW_CASES=a,b runs only the cases whose names contain a or b.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zonerw } from '../helpers/cli.js';
import { fixturesDir } from '../helpers/paths.js';
import { STACK, changedOutside, lines, rng, tempRoot, tree } from './helpers.js';

const corpus = join(fixturesDir, 'hostile');
const NOW = '2026-11-22T10:00:00Z';
const RECORD = process.env.ZONERW_RECORD === '1';

type Line = string | { match: string };

interface Expect {
  exit: number;
  stderr: Line[];
  stdout?: Line[];
  args?: string[];
  env?: Record<string, string>;
  generate?: Record<string, 'binary' | 'huge'>;
  setup?: string[][];
  statePatch?: Record<string, unknown>;
}

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A PNG's first bytes (a NUL on line 3), then 4 KiB of seeded noise. */
function binary(): Buffer {
  const head = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  const random = rng(0xb1a5);
  const noise = Buffer.alloc(4096);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(random() * 256);
  return Buffer.concat([head, noise]);
}

/** 50 MiB of an otherwise good base file: the usual records, then A records by the million. */
function huge(): Buffer {
  const head = readFileSync(join(corpus, 'state-truncated', 'base', 'example.com.base'));
  const chunks: Buffer[] = [head];
  let size = head.length;
  const block = Buffer.from(Array.from({ length: 4096 }, (_, i) => `h${String(i).padStart(7, '0')} IN A 192.0.2.${i % 250}\n`).join(''));
  while (size < 50 * 1024 * 1024) {
    chunks.push(block);
    size += block.length;
  }
  return Buffer.concat(chunks);
}

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object') {
      merge(target[k] as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      target[k] = v;
    }
  }
}

const cases = readdirSync(corpus).filter((n) => statSync(join(corpus, n)).isDirectory()).sort();
const only = process.env.ZONERW_CASES?.split(',').filter(Boolean);

/** Actual lines against expected ones: exact strings, or regexes where the gist is fixed. */
function sameLines(actual: string[], expected: Line[], what: string): void {
  const shown = expected.map((e, i) => (typeof e === 'string' ? e : new RegExp(e.match).test(actual[i] ?? '') ? actual[i] : `/${e.match}/`));
  assert.deepEqual(actual, shown, what);
}

describe('hostile and broken input', () => {
  test('the corpus is all there', () => {
    assert.ok(cases.length >= 30, `only ${cases.length} cases in ${corpus}`);
    for (const c of cases) assert.ok(existsSync(join(corpus, c, 'expect.json')), `${c}: no expect.json`);
  });

  for (const name of cases) {
    const skip = only && !only.some((o) => name.includes(o)) ? 'not in ZONERW_CASES' : false;
    test(name, { timeout: 120_000, skip }, async (t) => {
      const src = join(corpus, name);
      const expect = JSON.parse(readFileSync(join(src, 'expect.json'), 'utf8')) as Expect;
      const root = tempRoot(`hostile-${name}`);
      roots.push(root);
      const dir = join(root, 'case');
      mkdirSync(dir);
      for (const entry of ['zonerw.toml', 'base']) {
        if (existsSync(join(src, entry))) cpSync(join(src, entry), join(dir, entry), { recursive: true });
      }
      mkdirSync(join(dir, 'zones'));
      if (existsSync(join(src, 'installed'))) cpSync(join(src, 'installed'), join(dir, 'zones'), { recursive: true });
      if (existsSync(join(src, 'state.json'))) {
        mkdirSync(join(dir, 'state'));
        cpSync(join(src, 'state.json'), join(dir, 'state', 'state.json'), { recursive: true });
      }
      for (const [path, kind] of Object.entries(expect.generate ?? {})) {
        const target = path === 'state.json' ? join(dir, 'state', 'state.json') : join(dir, path);
        mkdirSync(join(target, '..'), { recursive: true });
        writeFileSync(target, kind === 'binary' ? binary() : huge());
      }
      const conf = join(dir, 'zonerw.toml');
      const env = { ZONERW_NOW: NOW, ...expect.env };
      for (const args of expect.setup ?? []) {
        const s = await zonerw(['--config', conf, ...args], env);
        assert.equal(s.code, 0, `setup run ${JSON.stringify(args)}: ${s.stderr}`);
      }
      if (expect.statePatch) {
        const p = join(dir, 'state', 'state.json');
        const state = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
        merge(state, expect.statePatch);
        writeFileSync(p, JSON.stringify(state));
      }

      const before = tree(dir);
      const r = await zonerw(['--config', conf, ...(expect.args ?? [])], env);
      const shown = (s: string) => lines(s.split(dir).join('{dir}'));
      if (RECORD) {
        t.diagnostic(JSON.stringify({ exit: r.code, stderr: shown(r.stderr), stdout: shown(r.stdout) }));
        return;
      }
      assert.doesNotMatch(r.stdout + r.stderr, STACK, 'a stack trace');
      assert.equal(r.code, expect.exit, `exit ${r.code}; stderr:\n${r.stderr}`);
      sameLines(shown(r.stderr), expect.stderr, 'stderr');
      sameLines(shown(r.stdout), expect.stdout ?? [], 'stdout');

      const now = tree(dir);
      assert.deepEqual(changedOutside(before, now, ['zones', 'state']), [], 'written outside zone_dir and state_dir (a base file, the config...)');
      const expected = join(src, 'expected');
      const zoneNames = new Set([...before.keys(), ...now.keys()].filter((k) => k.startsWith('zones/')));
      for (const k of zoneNames) {
        const want = existsSync(join(expected, k.slice('zones/'.length)))
          ? readFileSync(join(expected, k.slice('zones/'.length)), 'latin1')
          : undefined;
        if (want !== undefined) assert.equal(readFileSync(join(dir, k), 'latin1'), want, `${k} is not as expected/ says`);
        else assert.equal(now.get(k), before.get(k), `${k} changed`);
      }
    });
  }
});
