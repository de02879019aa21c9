// Issue 11's rough edges, through the built binary as a sysadmin meets them: a reader that goes
// away (`zonerw status | head -1`), an unreadable history, a state from a newer zonerw, pin
// under cron (no USER), a state folder made under umask 077, cert_min_days under ZONERW_NOW,
// the words of a move in the history, and `zonerw check` as a preflight (the parts that need
// no other user; those are in test/reliability/dedicated-user.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { zonerwBin } from '../helpers/paths.js';
import { skipOrFail } from '../helpers/need.js';
import { BACKUP, DOWN_LINE, MainServer, STACK, lines, makeBinLab, tempRoot, type BinLab, type LabOptions } from '../reliability/helpers.js';

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const LATER = { ZONERW_NOW: '2026-11-22T11:00:00Z' };
let root: string;
let main: MainServer;
let n = 0;

before(async () => {
  root = tempRoot('ops');
  main = await new MainServer().start();
});
after(async () => {
  await main.stop();
  rmSync(root, { recursive: true, force: true });
});

function lab(o: LabOptions = {}): BinLab {
  main.mode = 'up';
  return makeBinLab(join(root, `lab${n++}`), { checkUrl: main.url, ...o });
}

/** The binary with its stdout and/or stderr read by nobody: the reader is gone before the first write. */
function withClosed(args: string[], env: Record<string, string>, closed: ('stdout' | 'stderr')[]): Promise<CliResult> {
  const child = spawn(process.execPath, [zonerwBin, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  for (const s of closed) child[s]!.destroy();
  if (!closed.includes('stdout')) child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  if (!closed.includes('stderr')) child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('a reader that goes away', () => {
  test('zonerw status | head -1: no EPIPE, no stack trace, exit 0', async () => {
    const l = lab();
    assert.equal((await zonerw(['--config', l.conf], NOW)).code, 0);
    for (const args of [['status'], ['status', '--json'], ['history'], ['--help']]) {
      const r = await withClosed(['--config', l.conf, ...args], NOW, ['stdout']);
      assert.doesNotMatch(r.stderr, /EPIPE/);
      assert.doesNotMatch(r.stderr, STACK);
      assert.deepEqual([r.code, r.stderr], [0, ''], args.join(' '));
    }
  });

  test('a run whose stdout and stderr are both gone still does all its work and exits with its own code', async () => {
    const l = lab();
    assert.equal((await zonerw(['--config', l.conf], NOW)).code, 0);
    writeFileSync(join(l.baseDir, 'bad.example.base'), '@ IN SOA ns1 h ( @serial number@ 1 2 3 4 )\nwww IN A @ip@\n');
    main.mode = 'down';
    const r = await withClosed(['--config', l.conf], LATER, ['stdout', 'stderr']);
    assert.equal(r.code, 65, 'the wrong base file, not a crash (70) or a signal');
    assert.match(readFileSync(join(l.zoneDir, 'example.com'), 'latin1'), new RegExp(`www {2}IN A {3}${BACKUP.replaceAll('.', '\\.')}`), 'the failover was installed');
    const history = readFileSync(join(l.stateDir, 'history.jsonl'), 'utf8');
    assert.match(history, /"type":"publish","zone":"example.com","serial":2026112201/, 'and recorded');
  });
});

test('an unreadable history.jsonl is an error naming it (exit 1), not "(no events)"', async () => {
  const l = lab();
  assert.equal((await zonerw(['--config', l.conf], NOW)).code, 0);
  const file = join(l.stateDir, 'history.jsonl');
  rmSync(file);
  mkdirSync(file); // unreadable even for root
  for (const args of [['history'], ['history', '--json']]) {
    const r = await zonerw(['--config', l.conf, ...args], NOW);
    assert.deepEqual([r.code, r.stdout], [1, ''], r.stderr);
    assert.match(r.stderr, new RegExp(`^zonerw: cannot read ${file}: EISDIR`));
  }
  rmSync(file, { recursive: true });
  const none = await zonerw(['--config', l.conf, 'history'], NOW);
  assert.equal(none.code, 0, 'a history that does not exist yet holds no events');
  assert.match(none.stdout, /\(no events\)/);
});

test('a state.json from a newer zonerw: status says that runs refuse it, as they do', async () => {
  const l = lab();
  mkdirSync(l.stateDir);
  writeFileSync(join(l.stateDir, 'state.json'), '{"version": 999, "zones": {}}\n');
  const status = await zonerw(['--config', l.conf, 'status'], NOW);
  assert.equal(status.code, 0);
  assert.equal(lines(status.stdout)[0], 'state: written by a newer zonerw (version 999; this one reads 2): every run refuses it (exit 1) and changes nothing; upgrade zonerw, or move state.json away to start afresh');
  assert.equal(JSON.parse((await zonerw(['--config', l.conf, 'status', '--json'], NOW)).stdout).stateAction, 'refuse');
  const run = await zonerw(['--config', l.conf], NOW);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /written by a newer zonerw .*: upgrade zonerw, or move the file away/);
  const check = await zonerw(['--config', l.conf, 'check'], NOW);
  assert.equal(check.code, 1, 'check finds it first');
  assert.match(check.stderr, /^state_dir: .*state\.json: written by a newer zonerw .*: every run refuses it; upgrade zonerw, or move the file away to start afresh$/m);
  writeFileSync(join(l.stateDir, 'state.json'), '{"version": 1, "zon');
  const damaged = await zonerw(['--config', l.conf, 'status'], NOW);
  assert.match(lines(damaged.stdout)[0]!, /^state: unreadable \(.*\); the next run moves it aside to state\.json\.corrupt and rebuilds it from the zone files$/);
});

test('pin under cron or sudo -i (no USER, LOGNAME or SUDO_USER): recorded by the uid\'s name, not "unknown"', async () => {
  const l = lab();
  const r = await zonerw(['--config', l.conf, 'pin', 'backup'], NOW); // the environment is PATH alone
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^pinned to backup by ${userInfo().username} at `));
  const history = readFileSync(join(l.stateDir, 'history.jsonl'), 'utf8');
  assert.equal(JSON.parse(history.trim()).by, userInfo().username);
});

test('under umask 077 the state folder zonerw makes is 0755, state.json and history.jsonl 0644: a monitoring user may run status', async () => {
  const l = lab();
  writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace('state_dir = "state"', 'state_dir = "var/state"'));
  const umask077 = ['sh', '-c', 'umask 077 && exec "$0" "$@"'];
  const r = await zonerw(['--config', l.conf], NOW, { under: umask077 });
  assert.equal(r.code, 0, r.stderr);
  const mode = (p: string) => statSync(join(l.dir, p)).mode & 0o777;
  assert.deepEqual([mode('var'), mode('var/state'), mode('var/state/state.json'), mode('var/state/history.jsonl')], [0o755, 0o755, 0o644, 0o644]);
  assert.equal(mode('zones/example.com'), 0o644, 'a new zone file too');
});

test('history --json names each move as the hooks do (failover, failback); the summary says failovers and failbacks', async () => {
  const l = lab();
  assert.equal((await zonerw(['--config', l.conf], { ZONERW_NOW: '2026-11-21T00:00:00Z' })).code, 0);
  main.mode = 'down';
  assert.equal((await zonerw(['--config', l.conf], { ZONERW_NOW: '2026-11-21T06:00:00Z' })).code, 0);
  main.mode = 'up';
  assert.equal((await zonerw(['--config', l.conf], { ZONERW_NOW: '2026-11-21T09:00:00Z' })).code, 0);
  // an event written by an older zonerw: still read, and named as a run names it now
  const file = join(l.stateDir, 'history.jsonl');
  writeFileSync(file, `${JSON.stringify({ t: Date.parse('2026-11-21T12:00:00Z'), type: 'transition', from: 'main', to: 'backup', address: BACKUP, reason: 'old' })}\n`, { flag: 'a' });
  const json = JSON.parse((await zonerw(['--config', l.conf, 'history', '--since', '1d', '--json'], { ZONERW_NOW: '2026-11-22T00:00:00Z' })).stdout);
  const moves = json.events.filter((e: { type: string }) => !['check', 'publish'].includes(e.type));
  assert.deepEqual(moves.map((e: { type: string; from: string | null }) => [e.type, e.from]), [['change', null], ['failover', 'main'], ['failback', 'backup'], ['failover', 'main']]);
  assert.deepEqual(json.servers.map((s: { failovers: number; failbacks: number }) => [s.failovers, s.failbacks]), [[2, 0], [0, 1]]);
  const text = await zonerw(['--config', l.conf, 'history', '--since', '1d'], { ZONERW_NOW: '2026-11-22T00:00:00Z' });
  const out = lines(text.stdout);
  assert.ok(out.includes(`  2026-11-21 06:00:00  failover: favouring backup ${BACKUP} instead of main: ${DOWN_LINE}`), text.stdout);
  assert.ok(out.includes('  2026-11-21 00:00:00  start: favouring main 192.0.2.1: main is the first server and it is up'), text.stdout);
  assert.match(out.find((x) => x.startsWith('  main '))!, /, 2 failovers, longest outage/);
  assert.match(out.find((x) => x.startsWith('  backup '))!, /, 1 failback, longest outage/);
});

describe('cert_min_days counts from the run\'s clock (ZONERW_NOW), like every other decision', () => {
  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  test('a certificate with 3 days left: up today, down on a day ZONERW_NOW says is its last', async (t) => {
    if (!hasOpenssl) return skipOrFail(t, 'openssl not found');
    const dir = join(root, 'tls');
    mkdirSync(dir);
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '3', '-subj', '/CN=main.example.test', '-addext', 'subjectAltName=DNS:main.example.test', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const notAfter = Date.parse(new X509Certificate(cert).validTo);
    const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (_req, res) => res.end('main'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const l = lab();
      writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace(`check = "${main.url}"`, `check = { url = "https://127.0.0.1:${port}/", host = "main.example.test", ca = "${join(dir, 'cert.pem')}", cert_min_days = 2 }`));
      const today = await zonerw(['--config', l.conf], { ZONERW_NOW: new Date().toISOString() });
      assert.equal(today.code, 0, today.stderr);
      assert.match(today.stdout, /-> 192\.0\.2\.1/, 'with 3 days left and cert_min_days = 2: up');
      const date = new Date(notAfter).toISOString().slice(0, 10);
      const lastDay = await zonerw(['--config', l.conf], { ZONERW_NOW: new Date(notAfter - 36 * 3_600_000).toISOString() });
      assert.equal(lastDay.code, 0, lastDay.stderr);
      assert.equal(lines(lastDay.stdout)[0], `main 192.0.2.1 down (certificate expires in 1 day (${date}), 1 attempt); favouring backup ${BACKUP}`);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('zonerw check as a preflight', () => {
  /** A control command that answers `status` as told, and logs every call. */
  function control(l: BinLab, status: string): string {
    const script = join(l.dir, 'control.sh');
    writeFileSync(script, `#!/bin/sh\necho "$@" >> ${join(l.dir, 'control.log')}\n${status}\n`, { mode: 0o755 });
    return script;
  }
  // no primary answers DNS here: address = false (test/run/pipeline.test.ts has check's primary step)
  const withControl = (l: BinLab, script: string) => writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace('kind = "none"', `kind = "nsd"\ncontrol = ["${script}"]\naddress = false`));

  test('all well: it asks the control command for its status, and says ok (exit 0); nothing is written', async () => {
    const l = lab();
    withControl(l, control(l, 'echo "version: 4.6.1"'));
    const r = await zonerw(['--config', l.conf, 'check'], NOW);
    assert.deepEqual([r.code, r.stderr], [0, '']);
    assert.equal(r.stdout, 'ok: zonerw.toml: 2 servers, 1 zone (validation off (checkzone = "never"))\n');
    assert.equal(readFileSync(join(l.dir, 'control.log'), 'utf8'), 'status\n');
    assert.ok(!existsSync(l.stateDir), 'no state folder made');
  });

  test('the nameserver not answering its control command: one line with the fix, exit 1, as a run would exit', async () => {
    const l = lab();
    withControl(l, control(l, 'echo "error: connect (/run/nsd/nsd.ctl): Connection refused" >&2; exit 1'));
    const r = await zonerw(['--config', l.conf, 'check'], NOW);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `nameserver.control: ${join(l.dir, 'control.sh')} status failed (exit 1): error: connect (/run/nsd/nsd.ctl): Connection refused; start the nameserver, or fix nameserver.control: a run installs zone files but cannot reload them until this answers\n`);
    const run = await zonerw(['--config', l.conf], NOW);
    assert.equal(run.code, 1, 'and a run does fail');
  });

  test('a missing zone_dir: check says so with the fix (exit 78), as the run refuses it', async () => {
    const l = lab({ makeZoneDir: false });
    const r = await zonerw(['--config', l.conf, 'check'], NOW);
    assert.equal(r.code, 78);
    assert.equal(r.stderr, `zone_dir: ${l.zoneDir} does not exist: zonerw does not create the nameserver's zone folder; create it, or fix zone_dir\n`);
    assert.equal((await zonerw(['--config', l.conf], NOW)).code, 78);
  });

  test('a state_dir that cannot be made, and zone files that are links or folders: each named with its fix', async () => {
    const l = lab();
    writeFileSync(join(l.dir, 'plain-file'), '');
    writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace('state_dir = "state"', 'state_dir = "plain-file/state"'));
    mkdirSync(join(l.zoneDir, 'example.com'));
    const r = await zonerw(['--config', l.conf, 'check'], NOW);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      `state_dir: cannot create ${join(l.dir, 'plain-file', 'state')}: ${join(l.dir, 'plain-file')} is not a folder`,
      `example.com: cannot read ${join(l.zoneDir, 'example.com')}: EISDIR: illegal operation on a directory (running as ${userInfo().username}, uid ${process.getuid!()}): a folder where a file is expected: give the file's path, or move the folder away`,
      `example.com: ${join(l.zoneDir, 'example.com')} is not a regular file: move it away`,
    ]);
  });

  test('a deleted base file whose zone is still served: check finds it (exit 65), as every run says it', async () => {
    const l = lab();
    writeFileSync(join(l.baseDir, 'example.net.base'), readFileSync(join(l.baseDir, 'example.com.base'), 'utf8').replaceAll('example.com', 'example.net'));
    assert.equal((await zonerw(['--config', l.conf], NOW)).code, 0);
    rmSync(join(l.baseDir, 'example.net.base'));
    const r = await zonerw(['--config', l.conf, 'check'], NOW);
    assert.equal(r.code, 65);
    assert.match(r.stderr, /^base\/example\.net\.base is gone: zone example\.net is no longer published/);
    const status = await zonerw(['--config', l.conf, 'status'], NOW);
    assert.match(status.stdout, /^ {2}example\.net: serial 2026112200, .*\n {4}NOT PUBLISHED: base\/example\.net\.base is gone/m);
  });
});


