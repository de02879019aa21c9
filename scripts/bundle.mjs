// Bundles the compiled CLI (dist/src) and its dependencies into dist/zonerw/: a cron tool pays
// for every module file it loads on every run, and one bundle (with a few lazily loaded
// chunks for the commands and adapters a run may not need) loads ~15 ms faster than ~45
// separate ESM files and the CommonJS packages behind them. Tests of the modules use dist/src;
// the binary, and so the end-to-end tests, use this bundle.
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
  splitting: true,
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
