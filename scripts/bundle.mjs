// Bundles the compiled CLI (dist/src) and its dependencies into one file, dist/zonerw/cli.js: a
// cron tool pays for every module file it loads on every run (resolve, stat, URL, compile and
// link each). One file is ~16 ms faster per steady run than the ~20 lazily loaded chunks that
// esbuild's splitting made (hyperfine, 30 runs x 3: 112 vs 128 ms), although it holds code a
// run may not use: V8 only pre-parses a function it does not call, and the CommonJS packages
// inside are evaluated on first require. A module reached only by a dynamic import() (jsdiff,
// through src/run/dry-run-show.ts) is wrapped in a function too, evaluated only by the command
// that imports it (--dry-run); test/architecture.test.ts keeps jsdiff off the static imports.
// Tests of the modules use dist/src; the binary, and so the end-to-end tests, use this bundle.
//
// The bundle carries third-party code, so their licence notices go beside it:
// dist/zonerw/THIRD-PARTY-LICENSES.txt, made from esbuild's metafile (scripts/licenses.mjs).
// The metafile itself is kept as dist/zonerw-meta.json (not shipped) for scripts/deb.mjs.
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { bundledPackages, thirdPartyNotices } from './licenses.mjs';

rmSync('dist/zonerw', { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: ['dist/src/cli.js'],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/zonerw',
  // CommonJS dependencies (commander, proper-lockfile) call require() for node: built-ins.
  banner: { js: "import { createRequire as __zonerwRequire } from 'node:module'; const require = __zonerwRequire(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});
writeFileSync('dist/zonerw-meta.json', JSON.stringify(metafile));
writeFileSync('dist/zonerw/THIRD-PARTY-LICENSES.txt', thirdPartyNotices(bundledPackages(metafile)));
