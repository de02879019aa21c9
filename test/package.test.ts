// What `npm pack` ships installs globally on a clean prefix and runs: --version, --help, the
// man page linked into share/man/man8, and `zonerw check` on the bundled example taken from
// the installed package (its check URL pointed at loopback: check makes no HTTP request, and
// this test proves it). The tarball holds bin/, dist/src/, the man page, zones.example/ and
// README.md, and nothing else: no tests, no TypeScript sources, no node_modules.
//
// Runs after `npm run build` (npm test does both); packs with --ignore-scripts so that the
// prepack build does not rewrite dist/ under the other tests. Dependencies come from the npm
// cache when they are there (--prefer-offline), else from the registry.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import type { AddressInfo } from 'node:net';
import { repoRoot } from './helpers/paths.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(cmd: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}

/** npm itself: the one running `npm test` when there is one, else the npm on PATH. */
function npm(args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  const cli = process.env.npm_execpath;
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // lifecycle variables of the `npm test` around us must not redirect this install
  for (const k of ['npm_config_prefix', 'npm_config_global', 'npm_config_global_prefix', 'npm_config_local_prefix', 'npm_config_dry_run', 'npm_config_ignore_scripts']) delete env[k];
  return cli && /npm-cli\.c?js$/.test(cli) ? run(process.execPath, [cli, ...args], { cwd, env, timeoutMs }) : run('npm', args, { cwd, env, timeoutMs });
}

// zonerw as the user runs it: the installed bin on a PATH whose node is this one
const userEnv = (): NodeJS.ProcessEnv => ({ PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? tmpdir() });

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
  const install = await npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, packed.filename)], tmp, 120_000);
  assert.equal(install.code, 0, `npm install -g --prefix ${prefix} ${packed.filename}:\n${install.stdout}\n${install.stderr}`);
  timings.push(`npm install -g ${install.ms} ms`);
  installed = join(prefix, 'lib', 'node_modules', pkg.name);
  bin = join(prefix, 'bin', 'zonerw');
});

after(async () => {
  if (timings.length > 0) console.log(`package: ${timings.join(', ')}; ${packed ? `${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked` : ''}`);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the tarball holds bin, the bundle (dist/zonerw), the man page, the example and the README, and nothing else', async () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ['package.json', 'README.md', 'bin/zonerw.js', 'dist/zonerw/cli.js', 'zones.example/zonerw.toml', 'zones.example/base/example.com.base', ...pkg.man.map((m) => m.replace(/^\.\//, ''))]) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  const allowed = /^(package\.json|README\.md|LICENSE(\.\w+)?|bin\/zonerw\.(js|8)|dist\/zonerw\/[\w.-]+\.js|zones\.example\/[\w/.-]+)$/;
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
  assert.ok(packed.size < 200_000, `the tarball stays small: ${packed.size} bytes`);
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

    // zone_dir is the nameserver's folder: zonerw never makes it, so a run would exit 78 without
    // it, and check says so first.
    const before = await run(bin, ['check', '--config', conf], { cwd: tmp, env: userEnv(), timeoutMs: 20_000 });
    assert.equal(before.code, 78, `zonerw check: ${before.stdout}${before.stderr}`);
    assert.equal(before.stderr, `zone_dir: ${join(example, 'zones')} does not exist: zonerw does not create the nameserver's zone folder; create it, or fix zone_dir\n`);
    await mkdir(join(example, 'zones'));
    const check = await run(bin, ['check', '--config', conf], { cwd: tmp, env: userEnv(), timeoutMs: 20_000 });
    assert.equal(check.code, 0, `zonerw check: ${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /^ok: zonerw\.toml: 2 servers, 1 zone \(/m);
    assert.equal(check.stderr, '');
    assert.equal(requests, 0, 'zonerw check makes no HTTP request');
    assert.deepEqual((await readdir(example)).sort(), ['base', 'zonerw.toml', 'zones'], 'zonerw check writes nothing beside the config (no state)');
    assert.deepEqual(await readdir(join(example, 'zones')), [], 'nor in zone_dir');
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
