// Runs every compiled *.test.js under dist/test with node's test runner. Node 20's --test
// takes no globs, so the files are listed here. Extra arguments narrow the set by substring:
//   node scripts/test.mjs core/ adapters/files
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/test';
function list(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? list(p) : e.name.endsWith('.test.js') ? [p] : [];
  });
}
const filters = process.argv.slice(2);
const files = list(root)
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files under ${root} match ${filters.join(' ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
