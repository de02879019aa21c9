// The README's nameserver snippets and cron line are the ones the tests run: every option a
// snippet sets (its value too, unless the value is the reader's own address or path) is in the
// configs test/lab/lab.ts gives the real NSD, BIND and Knot the end-to-end tests start, and the
// cron line is the invocation test/e2e/cron-nsd.test.ts runs under cron's environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const lab = readFileSync(join(repoRoot, 'test', 'lab', 'lab.ts'), 'utf8');

/** The first fenced block after `marker` in the README, its lines without comments and blanks. */
function snippet(marker: string): string[] {
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md has ${marker}`);
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  return block.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && l !== '}' && l !== '};');
}

/** What a snippet line must match in the lab: its option, and its value when that is not the reader's own (an address, a path, a name). */
function option(line: string): string {
  const own = /\b\d{1,3}(\.\d{1,3}){3}\b|\/|"example\.com"|example\.com|\bns2\b|^(acl|notify):/;
  if (!own.test(line)) return line;
  const cut = line.search(/[:{]|\s/);
  return line.slice(0, cut + 1);
}

for (const [kind, marker, skip] of [
  ['NSD', '**NSD**, `/etc/nsd/nsd.conf`', /^(server:|ip-address:|remote-control:|zone:|name:)/],
  ['BIND', '**BIND**, in `named.conf.local`', /^zone /],
  ['Knot', '**Knot**, `/etc/knot/knot.conf`', /^(zone:|- domain:)/],
] as const) {
  test(`the README's ${kind} primary snippet sets what the lab's ${kind} primary runs with`, () => {
    const options = snippet(marker).filter((l) => !skip.test(l)).map(option);
    assert.ok(options.length >= 3, `${kind}: ${options.join(' | ')}`);
    const missing = options.filter((o) => !lab.includes(o));
    assert.deepEqual(missing, [], `options in the README's ${kind} snippet that test/lab/lab.ts does not set`);
  });
}

test("the README's cron line is the invocation the cron test runs: zonerw --config FILE, with cron's own PATH", () => {
  const cron = snippet('```cron');
  assert.ok(!cron.some((l) => l.startsWith('PATH=')), 'no PATH line: zonerw finds /usr/sbin by itself');
  const job = cron.find((l) => l.startsWith('*/2 '))!;
  assert.match(job, /^\*\/2 \* \* \* \* +root +zonerw --config \/etc\/zonerw\/zonerw\.toml$/);
  const test = readFileSync(join(repoRoot, 'test', 'e2e', 'cron-nsd.test.ts'), 'utf8');
  assert.match(test, /const CRON_PATH = '\/usr\/bin:\/bin';/, 'the cron test runs with cron\'s PATH');
  assert.match(test, /\{ PATH: CRON_PATH \}/, 'and nothing else in its environment');
  assert.match(test, /'--config'/, 'the cron test runs zonerw --config FILE');
});
