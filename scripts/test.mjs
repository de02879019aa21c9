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
// Three files run at a time: on 2 cores the tests spend much of their time waiting on servers
// (CPU about 60% busy with two at a time; 157 s measured with two, 125 s with three, same
// tests). A long file started last would run on alone at the end. So the long
// ones start first (longest first: the kill test, the watch, then the other end-to-end and
// reliability files), and the many short ones fill in beside them.
const FIRST = ['reliability/kill.test.js', 'e2e/watch-nsd.test.js'];
const rank = (f) => {
  const r = relative(root, f);
  const i = FIRST.indexOf(r);
  return i >= 0 ? i : r.startsWith('e2e/') || r.startsWith('reliability/') ? FIRST.length : FIRST.length + 1;
};
const files = list(root)
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
if (files.length === 0) {
  console.error(`no test files under ${root} match ${filters.join(' ')}`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=3', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
