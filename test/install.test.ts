// The other npm routes of the README: `npm install -g git+file://REPO` (npm runs the `prepare`
// script in its clone, which builds dist/; scripts/prepare.mjs works around npm/cli#8440 for
// global git installs), then an upgrade by installing a newer tarball over it, then
// `npm uninstall -g`, which leaves the config, state and zone files alone.
//
// The repository installed is a temporary git repository holding the working tree's files (the
// tracked and the untracked-but-not-ignored ones, as they are now): in CI that is HEAD, and
// while developing it tests what is about to be committed. Everything goes to a temporary
// prefix; dependencies come from the npm cache when they are there (--prefer-offline).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { repoRoot } from './helpers/paths.js';
import { npm, npmInstallGlobal, run, userEnv, type Run } from './helpers/npm.js';

const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const bumped = pkg.version.replace(/(\d+)$/, (n) => String(Number(n) + 1));
const git = (args: string[], cwd: string) =>
  execFileSync('git', ['-c', 'user.name=zonerw test', '-c', 'user.email=test@zonerw.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let tmp: string;
let repo: string;
let prefix: string;
let bin: string;
let installed: string;
const timings: string[] = [];
const show = (r: Run) => `exit ${r.code}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`;
const version = () => run(bin, ['--version'], { cwd: tmp, env: userEnv(), timeoutMs: 15_000 });

/** Every file under dir, relative, sorted; the content hashes of esbuild's chunk names blanked. */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).replace(/-[A-Z0-9]{8}\.js$/, '-HASH.js'));
  }
  return out.sort();
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'zonerw-install-'));
  repo = join(tmp, 'repo');
  const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repoRoot).split('\0').filter((f) => f !== '' && existsSync(join(repoRoot, f)));
  for (const f of files) {
    await mkdir(dirname(join(repo, f)), { recursive: true });
    await cp(join(repoRoot, f), join(repo, f));
  }
  git(['init', '-q'], repo);
  git(['add', '-A'], repo);
  git(['commit', '-q', '-m', 'the working tree'], repo);
  prefix = join(tmp, 'prefix');
  bin = join(prefix, 'bin', 'zonerw');
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
});

after(async () => {
  if (timings.length > 0) console.log(`install: ${timings.join(', ')}`);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('npm install -g git+file://REPO builds dist/ (prepare) and installs what npm pack ships', async () => {
  assert.ok(!existsSync(join(repo, 'dist')), 'the repository has no dist/: the install must build it');
  const r = await npmInstallGlobal(prefix, `git+file://${repo}`, tmp, 180_000);
  assert.equal(r.code, 0, `npm install -g git+file://${repo}\n${show(r)}`);
  timings.push(`npm install -g git+file:// ${r.ms} ms`);
  assert.ok(!(await readdir(join(prefix, 'lib', 'node_modules'), { withFileTypes: true })).find((e) => e.name === pkg.name)?.isSymbolicLink(), 'a real folder, not a link into a clone that npm deletes');
  const v = await version();
  assert.equal(v.code, 0, show(v));
  assert.equal(v.stdout.trim(), pkg.version);
  assert.equal(await realpath(bin), join(await realpath(installed), 'bin', 'zonerw.js'));

  // the same files as the tarball of this tree
  const pack = await npm(['pack', '--dry-run', '--json', '--ignore-scripts'], repoRoot, 60_000);
  assert.equal(pack.code, 0, show(pack));
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ files: { path: string }[] }];
  const expected = packed.files.map((f) => f.path.replace(/-[A-Z0-9]{8}\.js$/, '-HASH.js')).sort();
  assert.deepEqual(await tree(installed), expected);
});

test(`a newer tarball (${bumped}) installed over it upgrades it; npm uninstall -g removes only the package`, async () => {
  // a zonerw run leaves config, state and zones behind, outside the package
  const site = join(tmp, 'site');
  await mkdir(join(site, 'base'), { recursive: true });
  await mkdir(join(site, 'zones'));
  await cp(join(repoRoot, 'zones.example', 'base', 'example.com.base'), join(site, 'base', 'example.com.base'));
  const conf = join(site, 'zonerw.toml');
  await writeFile(
    conf,
    'base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "none"\ncheckzone = "never"\n' +
      '[[server]]\nname = "backup"\naddress = "198.51.100.7"\n',
  );
  const first = await run(bin, ['--config', conf], { cwd: tmp, env: userEnv(), timeoutMs: 20_000 });
  assert.equal(first.code, 0, show(first));
  const leftBehind = await tree(site);
  assert.ok(leftBehind.includes('state/state.json') && leftBehind.includes('zones/example.com'), leftBehind.join(' '));

  // the newer version: this tree's tarball with the version bumped, packed again
  const pack = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], repoRoot, 60_000);
  assert.equal(pack.code, 0, show(pack));
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [{ filename: string }];
  const unpacked = join(tmp, 'newer');
  await mkdir(unpacked);
  execFileSync('tar', ['-xzf', join(tmp, packed.filename), '-C', unpacked]);
  const manifest = join(unpacked, 'package', 'package.json');
  await writeFile(manifest, (await readFile(manifest, 'utf8')).replace(`"version": "${pkg.version}"`, `"version": "${bumped}"`));
  // a file only the old version has must go away on upgrade
  await writeFile(join(installed, 'dist', 'zonerw', 'chunk-OLDVERSN.js'), '// from the old version\n');
  const repack = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], join(unpacked, 'package'), 60_000);
  assert.equal(repack.code, 0, show(repack));
  const [newer] = JSON.parse(repack.stdout.slice(repack.stdout.indexOf('['))) as [{ filename: string }];
  assert.equal(newer.filename, `${pkg.name}-${bumped}.tgz`);

  const up = await npmInstallGlobal(prefix, join(tmp, newer.filename), tmp);
  assert.equal(up.code, 0, `upgrade\n${show(up)}`);
  timings.push(`upgrade ${up.ms} ms`);
  const v = await version();
  assert.equal(v.code, 0, show(v));
  assert.equal(v.stdout.trim(), bumped);
  assert.ok(!existsSync(join(installed, 'dist', 'zonerw', 'chunk-OLDVERSN.js')), 'the old version\'s files are gone');
  const again = await run(bin, ['--config', conf], { cwd: tmp, env: userEnv(), timeoutMs: 20_000 });
  assert.deepEqual([again.code, again.stdout, again.stderr], [0, '', ''], `the upgraded zonerw carries on with the same state, silently\n${show(again)}`);

  const un = await npm(['uninstall', '--global', '--prefix', prefix, pkg.name], tmp, 60_000);
  assert.equal(un.code, 0, show(un));
  assert.ok(!existsSync(bin), 'the bin link is gone');
  assert.ok(!existsSync(installed), 'the package folder is gone');
  assert.deepEqual(await tree(site), leftBehind, 'config, base, state and zone files stay');
});
