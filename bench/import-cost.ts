// `node dist/bench/import-cost.js SPEC`: prints, as JSON, how long a fresh process takes to
// import SPEC (a package name, a node: builtin, or a path relative to the repository), measured
// around the dynamic import() with performance.now(). Without SPEC it imports nothing, which
// gives the bench the cost of the measuring itself. Used by bench.ts, one fresh process per
// measurement, so nothing is cached in between.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const spec = process.argv[2];
const repoRoot = new URL('../../', import.meta.url);
const target = spec === undefined ? undefined : spec.startsWith('.') || spec.startsWith('/') ? pathToFileURL(resolve(new URL(repoRoot).pathname, spec)).href : spec;
const t0 = performance.now();
if (target !== undefined) await import(target);
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify({ spec: spec ?? null, ms, sinceStartMs: performance.now() })}\n`);
