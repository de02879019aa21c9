// What `npm pack` ships installs globally on a clean prefix and runs: --version, --help, the
// man page linked into share/man/man8, and `zonerw check` on the bundled example taken from
// the installed package (its check URL pointed at loopback: check makes no HTTP request, and
// this test proves it). The tarball holds bin/, the bundle dist/zonerw/ with the bundled
// packages' licence notices, the man page, zones.example/, README.md and LICENSE, and nothing
// else: no tests, no TypeScript sources, no node_modules. (test/install.test.ts installs from
// git and upgrades.)
//
// Runs after `npm run build` (npm test does both); packs with --ignore-scripts so that the
// prepack build does not rewrite dist/ under the other tests. Dependencies come from the npm
// cache when they are there (--prefer-offline), else from the registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { AddressInfo } from 'node:net';
import { repoRoot } from './helpers/paths.js';
import { npm, npmInstallGlobal, run, userEnv } from './helpers/npm.js';

const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; man: string[]; dependencies?: Record<string, string> };
let tmp: string;
let prefix: string;
let installed: string;
let bin: string;
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
const timings: string[] = [];

before(async () => {
  assert.ok(existsSync(join(repoRoot, 'dist', 'zonerw', 'cli.js')), 'build first: npm run build');
  tmp = await mkdtemp(join(tmpdir(), 'zonerw-package-'));
  const pack = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], repoRoot, 60_000);
  assert.equal(pack.code, 0, `npm pack: ${pack.stderr}`);
  timings.push(`npm pack ${pack.ms} ms`);
  [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as [typeof packed];
  prefix = join(tmp, 'prefix');
  const install = await npmInstallGlobal(prefix, join(tmp, packed.filename), tmp);
  assert.equal(install.code, 0, `npm install -g --prefix ${prefix} ${packed.filename}:\n${install.stdout}\n${install.stderr}`);
  timings.push(`npm install -g ${install.ms} ms`);
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
  bin = join(prefix, 'bin', 'zonerw');
});

after(async () => {
  if (timings.length > 0) console.log(`package: ${timings.join(', ')}; ${packed ? `${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked` : ''}`);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the tarball holds bin, the bundle (dist/zonerw) and its licence notices, the man page, the example, the README and LICENSE, and nothing else', async () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/zonerw.js', 'dist/zonerw/cli.js', 'dist/zonerw/THIRD-PARTY-LICENSES.txt', 'zones.example/zonerw.toml', 'zones.example/base/example.com.base', 'zones.example/zones/.gitkeep', ...pkg.man.map((m) => m.replace(/^\.\//, ''))]) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  const allowed = /^(package\.json|README\.md|LICENSE|bin\/zonerw\.(js|8)|dist\/zonerw\/([\w.-]+\.js|THIRD-PARTY-LICENSES\.txt)|zones\.example\/[\w/.-]+)$/;
  assert.deepEqual(files.filter((f) => !allowed.test(f)), [], 'nothing else in the tarball');
  assert.deepEqual(files.filter((f) => /(^|\/)node_modules\/|^dist\/(test|bench|scripts)\/|^(src|test|bench|scripts|\.ci)\/|\.ts$|\.test\.js$|\.tgz$/.test(f)), [], 'no tests, sources, node_modules');
  // the bundle is self-contained: the installed package needs no dependencies
  assert.deepEqual(pkg.dependencies ?? {}, {}, 'everything the binary needs is in dist/zonerw');

  // and the package as installed is exactly that list (npm adds nothing but node_modules)
  const walk = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules' && dir === installed) continue;
      if (e.isDirectory()) out.push(...(await walk(join(dir, e.name))));
      else out.push(relative(installed, join(dir, e.name)));
    }
    return out;
  };
  assert.deepEqual((await walk(installed)).sort(), files);
  // a bound against shipping what does not belong (sources, tests, node_modules): the bundle with
  // every command (watch, votes, trust, the --dry-run diff) packs to about 210 KB
  assert.ok(packed.size < 260_000, `the tarball stays small: ${packed.size} bytes`);
});

test('the installed zonerw runs: --version, --help', async () => {
  const version = await run(bin, ['--version'], { cwd: tmp, env: userEnv(), timeoutMs: 15_000 });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), pkg.version);
  const help = await run(bin, ['--help'], { cwd: tmp, env: userEnv(), timeoutMs: 15_000 });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: zonerw /m);
  for (const c of ['run', 'status', 'check', 'pin']) assert.match(help.stdout, new RegExp(`^  ${c}\\b`, 'm'));
  timings.push(`zonerw --version ${version.ms} ms`);
});

test('the man page is installed as share/man/man8/zonerw.8', async () => {
  const linked = join(prefix, 'share', 'man', 'man8', 'zonerw.8');
  assert.ok((await stat(linked)).isFile(), `${linked}: npm links the package.json "man" pages`);
  assert.equal(await readFile(linked, 'utf8'), await readFile(join(repoRoot, 'bin', 'zonerw.8'), 'utf8'));
  assert.match(await readFile(linked, 'utf8'), /^\.TH ZONERW 8\b/m);
});

test('zonerw check passes on the shipped example, without contacting anything', async () => {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const example = join(tmp, 'example');
    await mkdir(example);
    await cp(join(installed, 'zones.example'), example, { recursive: true });
    const conf = join(example, 'zonerw.toml');
    const original = await readFile(conf, 'utf8');
    // every check and reference target (URL or tcp) in the example -> this loopback server
    const rewritten = original.replace(/(https?:\/\/|tcp:\/\/|tcp\s*=\s*")(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?/g, (_m, scheme: string) => `${scheme}127.0.0.1:${port}`);
    const live = rewritten.split('\n').filter((l) => !/^\s*#/.test(l));
    assert.ok(live.some((l) => l.includes(`http://127.0.0.1:${port}/`)), 'the example checks main over HTTP, now on loopback');
    assert.deepEqual(live.filter((l) => /(https?|tcp):\/\/(?!127\.0\.0\.1)|tcp\s*=\s*"(?!127\.0\.0\.1)/.test(l)), [], 'no check target left off loopback');
    await writeFile(conf, rewritten);

    // zone_dir is the nameserver's folder, which zonerw never makes: the example ships it (empty)
    const check = await run(bin, ['check', '--config', conf], { cwd: tmp, env: userEnv(), timeoutMs: 20_000 });
    assert.equal(check.code, 0, `zonerw check: ${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /^ok: zonerw\.toml: 2 servers, 1 zone \(/m);
    assert.equal(check.stderr, '');
    assert.equal(requests, 0, 'zonerw check makes no HTTP request');
    assert.deepEqual((await readdir(example)).sort(), ['base', 'zonerw.toml', 'zones'], 'zonerw check writes nothing beside the config (no state)');
    assert.deepEqual(await readdir(join(example, 'zones')), ['.gitkeep'], 'nor in zone_dir');
    timings.push(`zonerw check ${check.ms} ms`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('the installed bin is a link to the package\'s bin/zonerw.js', async () => {
  assert.equal(await realpath(bin), join(await realpath(installed), 'bin', 'zonerw.js'));
  assert.equal(basename(bin), Object.keys((JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin)[0]);
});

test('the licence notice of every package in the bundle ships beside it (THIRD-PARTY-LICENSES.txt), and LICENSE', async () => {
  const notices = await readFile(join(installed, 'dist', 'zonerw', 'THIRD-PARTY-LICENSES.txt'), 'utf8');
  // every package that put bytes into the bundle, read from esbuild's metafile here again
  const meta = JSON.parse(await readFile(join(repoRoot, 'dist', 'zonerw-meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }> };
  const dirs = new Set<string>();
  for (const o of Object.values(meta.outputs)) {
    for (const [input, i] of Object.entries(o.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m && i.bytesInOutput > 0) dirs.add(m[1]!);
    }
  }
  const names = [...dirs].map((d) => d.replace(/^.*node_modules\//, ''));
  for (const dep of ['commander', 'diff', 'dns-packet', 'smol-toml']) assert.ok(names.includes(dep), `${dep} is in the bundle (metafile: ${names.join(', ')})`);
  for (const dir of dirs) {
    const { name, version } = JSON.parse(await readFile(join(repoRoot, dir, 'package.json'), 'utf8')) as { name: string; version: string };
    assert.match(notices, new RegExp(`^  ${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ${version.replace(/\./g, '\\.')} `, 'm'), `${name} ${version} is listed`);
    const licence = (await readdir(join(repoRoot, dir))).filter((f) => /^(licen[cs]e|copying)/i.test(f));
    assert.ok(licence.length > 0, `${dir} has a licence file`);
    for (const f of licence) assert.ok(notices.includes((await readFile(join(repoRoot, dir, f), 'utf8')).replace(/\r\n/g, '\n').trimEnd()), `the text of ${dir}/${f} is in THIRD-PARTY-LICENSES.txt`);
  }
  assert.match(await readFile(join(installed, 'LICENSE'), 'utf8'), /^MIT License\n\nCopyright \(c\) 2026 zonerw contributors\n/);
});
