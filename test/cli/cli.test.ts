// The built binary: exit codes, usage errors, --help/--version, status, and the lock between
// concurrent runs. Nameserver kind "none" (real NSD/BIND runs are in test/e2e).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startZonerw, zonerw } from '../helpers/cli.js';

let dir: string;
let server: Server;
let port: number;
let mode: 'ok' | 'hold' = 'ok';
const held: ServerResponse[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zonerw-cli-'));
  server = createServer((_req, res) => {
    if (mode === 'hold') held.push(res);
    else res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  for (const res of held) res.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

async function setup(name: string, checkTimeout = '2s'): Promise<string> {
  const d = join(dir, name);
  await mkdir(join(d, 'base'), { recursive: true });
  await mkdir(join(d, 'zones'));
  await writeFile(join(d, 'base', 'example.com.base'), '@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.example.com.\nns1 IN A 198.51.100.7\nwww IN A @IP@\n');
  const conf = join(d, 'zonerw.toml');
  await writeFile(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "none"\ncheckzone = "never"\n[check]\ntimeout = "${checkTimeout}"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "http://127.0.0.1:${port}/"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`);
  return conf;
}

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };

test('usage errors exit 64; --help and --version exit 0', async () => {
  const bad = await zonerw(['--frobnicate']);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /unknown option '--frobnicate'/);
  const help = await zonerw(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: zonerw/);
  assert.match(help.stdout, /status/);
  const runHelp = await zonerw(['run', '--help']);
  assert.match(runHelp.stdout, /--force/);
  assert.match(runHelp.stdout, /--dry-run/);
  assert.match(runHelp.stdout, /Example/);
  const version = await zonerw(['--version']);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), JSON.parse(await readFile(new URL('../../../package.json', import.meta.url), 'utf8')).version);
  const both = await zonerw(['-v', '-q', '--config', '/nonexistent']);
  assert.equal(both.code, 64);
});

test('config: missing file and bad values exit 78 with the key path, nothing written', async () => {
  const missing = await zonerw(['--config', join(dir, 'nope.toml')]);
  assert.equal(missing.code, 78);
  assert.match(missing.stderr, /^zonerw: .*nope\.toml: no such file \(give --config FILE or set ZONERW_CONFIG\)$/m);
  const conf = await setup('badconf');
  await writeFile(conf, (await readFile(conf, 'utf8')).replace('192.0.2.1', '192.0.2.300').replace('kind = "none"', 'kind = "nsd"\nkidn = 1'));
  const r = await zonerw(['--config', conf]);
  assert.equal(r.code, 78);
  assert.match(r.stderr, /server\[0\]\.address: not an IPv4 address: "192\.0\.2\.300"/);
  assert.match(r.stderr, /nameserver\.kidn: unknown key \(did you mean kind\?\)/);
  await assert.rejects(stat(join(dir, 'badconf', 'state')), 'no state folder created');
});

test('ZONERW_CONFIG is used when --config is absent', async () => {
  const conf = await setup('envconf');
  const r = await zonerw([], { ...NOW, ZONERW_CONFIG: conf });
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'example.com: serial 2026112200, www -> 192.0.2.1, zone file was missing\n');
});

test('zonerw --force, --dry-run and status through the binary', async () => {
  const conf = await setup('status');
  assert.equal((await zonerw(['--config', conf], NOW)).code, 0);
  const quiet = await zonerw(['--config', conf], NOW);
  assert.deepEqual(quiet, { code: 0, stdout: '', stderr: '' });
  const forced = await zonerw(['--config', conf, '--force'], NOW);
  assert.equal(forced.stdout, 'example.com: serial 2026112201, forced\n');
  const dry = await zonerw(['--config', conf, '--dry-run', '--force'], NOW);
  assert.match(dry.stdout, /^would publish example\.com: serial 2026112202, forced$/m);
  assert.match(dry.stdout, /^-@ IN SOA ns1\.example\.com\. h\.example\.com\. \( 2026112201 /m);
  const s = JSON.parse((await zonerw(['--config', conf, 'status', '--json'], NOW)).stdout);
  assert.deepEqual(s.favoured, { server: 'main', address: '192.0.2.1', since: '2026-11-22T10:00:00.000Z', notServedBy: null });
  assert.deepEqual(s.servers[0].lastCheck.reason, 'HTTP 200');
  assert.deepEqual(
    s.zones.map((z: Record<string, unknown>) => [z.zone, z.serial, z.pending, z.fileState]),
    [['example.com', 2026112201, [], 'ours']],
  );
  const text = await zonerw(['status', '--config', conf], { ZONERW_NOW: '2026-11-22T12:30:00Z' });
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^favoured: main 192\.0\.2\.1 since 2026-11-22 10:00:00 UTC \(2h 30m ago\)$/m);
  assert.match(text.stdout, /^ {2}main 192\.0\.2\.1: up since .*; last check .*: HTTP 200, 1 attempt/m);
  assert.match(text.stdout, /^ {2}example\.com: serial 2026112201, published/m);
  assert.match(text.stdout, /^ {4}zones\/example\.com: zonerw's output$/m);
});

/** Until the run holds the lock and has named itself in it (the holder file follows the folder). */
/** Until the run holds the lock and has named itself in it (the holder file is created, then written: wait for its words). */
async function waitForLock(d: string): Promise<void> {
  const named = async () => {
    const text = await readFile(join(d, 'state', 'zonerw.lock', 'holder'), 'utf8').catch(() => '');
    return /^\{.*"pid":\d+.*\}\n$/.test(text);
  };
  for (let i = 0; i < 200; i++) {
    if (await named()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the first run never took the lock');
}

test('two runs at once: exactly one writes, the other exits 75 at once touching nothing', async () => {
  const conf = await setup('concurrent', '20s');
  const d = join(dir, 'concurrent');
  mode = 'hold'; // the first run's check waits, holding the lock
  const first = startZonerw(['--config', conf], NOW);
  try {
    await waitForLock(d);
    // Its own probe of main hangs too (check timeout 20 s): the locked-out run must not wait for it.
    const second = await zonerw(['--config', conf], NOW, { timeoutMs: 10_000 });
    assert.equal(second.code, 75);
    assert.equal(second.stdout, '');
    assert.match(second.stderr, /^zonerw: another zonerw run(?: \(pid \d+ on \S+\))? holds the lock .*zonerw\.lock; nothing was done \(the lock of a run that died is taken over at once on its own host, else after 30 s\)$/m);
    await assert.rejects(stat(join(d, 'zones', 'example.com')), 'the second run wrote nothing');
  } finally {
    mode = 'ok';
    for (const res of held.splice(0)) res.end('ok');
  }
  const r = await first.done;
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^example\.com: serial 2026112200/);
});

test('a lock left by a killed run (SIGKILL, the OOM killer) is taken over at once: zonerw --force right after the crash runs', async () => {
  const conf = await setup('killed', '20s');
  const d = join(dir, 'killed');
  mode = 'hold';
  const victim = startZonerw(['--config', conf], NOW);
  try {
    await waitForLock(d);
    victim.child.kill('SIGKILL');
    await victim.done;
  } finally {
    mode = 'ok';
    for (const res of held.splice(0)) res.destroy();
  }
  assert.ok((await stat(join(d, 'state', 'zonerw.lock', 'holder'))).isFile(), 'the killed run left its lock, naming itself');
  const next = await zonerw(['--config', conf, '--force'], NOW);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /^example\.com: serial 2026112200/);
});

test('a lock whose holder cannot be checked (another host) blocks until it is stale (30 s)', async () => {
  const conf = await setup('elsewhere');
  const lock = join(dir, 'elsewhere', 'state', 'zonerw.lock');
  await mkdir(lock, { recursive: true });
  await writeFile(join(lock, 'holder'), JSON.stringify({ pid: 4242, host: 'ns2.example.net', at: Date.now() }));
  const blocked = await zonerw(['--config', conf], NOW);
  assert.equal(blocked.code, 75);
  assert.equal(blocked.stderr, `zonerw: another zonerw run (pid 4242 on ns2.example.net) holds the lock ${lock}; nothing was done (the lock of a run that died is taken over at once on its own host, else after 30 s)\n`);
  // what 31 seconds do to a lock whose holder no longer refreshes it
  const old = new Date(Date.now() - 31_000);
  await utimes(lock, old, old);
  const next = await zonerw(['--config', conf], NOW);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /^example\.com: serial 2026112200/);
});

test('ZONERW_LOCK_STALE shortens the stale time (for tests); a bad one is a usage error', async () => {
  const conf = await setup('stale-env');
  const lock = join(dir, 'stale-env', 'state', 'zonerw.lock');
  await mkdir(lock, { recursive: true });
  await writeFile(join(lock, 'holder'), JSON.stringify({ pid: 4242, host: 'ns2.example.net', at: Date.now() }));
  const old = new Date(Date.now() - 3_000);
  await utimes(lock, old, old);
  const blocked = await zonerw(['--config', conf], NOW);
  assert.equal(blocked.code, 75, 'not stale after 3 s by default');
  const short = { ...NOW, ZONERW_LOCK_STALE: '5s' };
  const still = await zonerw(['--config', conf], short);
  assert.equal(still.code, 75);
  assert.match(still.stderr, /else after 5 s\)\n$/);
  for (const bad of ['0.5s', 'soon']) {
    const r = await zonerw(['--config', conf], { ...NOW, ZONERW_LOCK_STALE: bad });
    assert.equal(r.code, 64, r.stderr);
    assert.equal(r.stderr, `zonerw: ZONERW_LOCK_STALE: not a duration of 1s or more: "${bad}"\n`);
  }
  // said before anything runs, also by a command that takes no lock (a watch would take it hours later)
  const dry = await zonerw(['--config', conf, '--dry-run'], { ...NOW, ZONERW_LOCK_STALE: 'soon' });
  assert.deepEqual([dry.code, dry.stdout], [64, '']);
  // a folder given as the config: said so, with what to give instead
  const folder = await zonerw(['--config', join(dir, 'stale-env')], NOW);
  assert.equal(folder.code, 78, folder.stderr);
  assert.match(folder.stderr, /EISDIR.*a folder where a file is expected: give the file.s path, or move the folder away/);
  const next = await zonerw(['--config', conf], { ...NOW, ZONERW_LOCK_STALE: '2s' });
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /^example\.com: serial 2026112200/);
});

test('zonerw check: reports every problem at once, touches nothing, exit 0 only when all is well', async () => {
  const conf = await setup('check');
  const d = join(dir, 'check');
  await writeFile(conf, (await readFile(conf, 'utf8')).replace('checkzone = "never"', 'checkzone = "always"'));
  const ok = await zonerw(['--config', conf, 'check'], { PATH: `${process.env.PATH}:/usr/sbin:/sbin` });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ok: zonerw\.toml: 2 servers, 1 zone \(validated with (named|nsd)-checkzone\)\n$/);
  await writeFile(join(d, 'base', 'b.example.base'), '@ IN SOA ns1.b.example. h.b.example. ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1.b.example.\nns1 IN A 198.51.100.7\nwww IN A @ip@\n');
  await writeFile(join(d, 'base', 'c.example.base'), '@ IN SOA ns1.c.example. h.c.example. ( @serial number@ 300 60 1209600 300 )\nwww IN A 192.0.2.300\n');
  const bad = await zonerw(['--config', conf, 'check'], { PATH: `${process.env.PATH}:/usr/sbin:/sbin` });
  assert.equal(bad.code, 65);
  assert.equal(bad.stdout, '');
  const lines = bad.stderr.trimEnd().split('\n');
  assert.equal(lines[0], 'base/b.example.base:4: unknown marker @ip@ (did you mean @IP@?)');
  // the refusal in the words of the run's safety pass (issue 16: one describer, mood "check")
  assert.equal(lines[1], 'c.example: the next run would not publish it, the rendered zone has no NS records (2 records in all): check base/c.example.base, or publish it anyway with zonerw --force');
  assert.match(lines[2]!, /^c\.example: refused by (named|nsd)-checkzone: .*base\/c\.example\.base:2/);
  await assert.rejects(stat(join(d, 'state')), 'no state, no lock');
  assert.deepEqual(await readdir(join(d, 'zones')), []);
});

test('status tells zonerw\'s own zone file from one edited by hand, and a missing one', async () => {
  const conf = await setup('filestate');
  const d = join(dir, 'filestate');
  await zonerw(['--config', conf], NOW);
  const state = async () => JSON.parse((await zonerw(['--config', conf, 'status', '--json'], NOW)).stdout).zones[0].fileState;
  assert.equal(await state(), 'ours');
  const file = join(d, 'zones', 'example.com');
  await writeFile(file, (await readFile(file, 'utf8')).replace('198.51.100.7', '198.51.100.8'));
  assert.equal(await state(), 'edited');
  await rm(file);
  assert.equal(await state(), 'missing');
});

test('nameserver faults: a missing or hanging control command leaves the zone installed, the reload pending, exit 1; a later good run reloads', async () => {
  const conf = await setup('nsfaults');
  const d = join(dir, 'nsfaults');
  const log = join(d, 'control.log');
  const good = join(d, 'control.sh');
  const hang = join(d, 'hang.sh');
  await writeFile(good, `#!/bin/sh\necho "$@" >> ${log}\n`, { mode: 0o755 });
  await writeFile(hang, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  const base = await readFile(conf, 'utf8');
  const withControl = (argv: string[]) => writeFile(conf, base.replace('kind = "none"', `kind = "nsd"\ncontrol = ${JSON.stringify(argv)}\ntimeout = "500ms"\naddress = false`));
  const pending = async () => JSON.parse((await zonerw(['--config', conf, 'status', '--json'], NOW)).stdout).zones[0].pending;

  await withControl([join(d, 'no-such-control')]);
  const missing = await zonerw(['--config', conf], NOW);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^example\.com: \S+no-such-control reload example\.com failed \(not found: \S+no-such-control\)/m);
  assert.match(await readFile(join(d, 'zones', 'example.com'), 'utf8'), /www IN A 192\.0\.2\.1/, 'the zone file is installed');
  assert.deepEqual(await pending(), ['reload', 'notify']);

  await withControl([hang]);
  const started = Date.now();
  const hung = await zonerw(['--config', conf], NOW);
  assert.equal(hung.code, 1);
  // The bound the test knows: a run that waited for the command cannot end before its sleep 30 does.
  assert.ok(Date.now() - started < 30_000, 'the hanging command was killed at its timeout');
  assert.match(hung.stderr, /reload example\.com failed \(timed out after 500ms\)/);
  assert.deepEqual(await pending(), ['reload', 'notify']);

  await withControl([good]);
  const fixed = await zonerw(['--config', conf], NOW);
  assert.deepEqual([fixed.code, fixed.stdout, fixed.stderr], [0, 'example.com: now reloaded: serial 2026112200, www -> 192.0.2.1, zone file was missing\n', ''], 'the change is said once it is reloaded');
  assert.equal(await readFile(log, 'utf8'), 'reload example.com\nnotify example.com\n');
  assert.deepEqual(await pending(), []);
});

test('-q prints errors only; zone_file names the file in zone_dir; a bad ZONERW_NOW is a usage error', async () => {
  const conf = await setup('quiet');
  const d = join(dir, 'quiet');
  await writeFile(conf, (await readFile(conf, 'utf8')).replace('state_dir = "state"', 'state_dir = "state"\nzone_file = "db.{zone}"'));
  const quiet = await zonerw(['--config', conf, '-q'], NOW);
  assert.deepEqual(quiet, { code: 0, stdout: '', stderr: '' }, 'a publish, said by nobody');
  assert.match(await readFile(join(d, 'zones', 'db.example.com'), 'utf8'), /www IN A 192\.0\.2\.1/);
  await writeFile(join(d, 'base', 'example.com.base'), '@ IN SOA ns1 h ( @serial number@ 1 2 3 4 )\nwww IN A @ip@\n');
  const bad = await zonerw(['--config', conf, '-q'], NOW);
  assert.equal(bad.code, 65);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^base\/example\.com\.base:2: unknown marker @ip@ \(did you mean @IP@\?\)$/m, 'errors still reach stderr');
  const clock = await zonerw(['--config', conf], { ZONERW_NOW: 'yesterday' });
  assert.deepEqual([clock.code, clock.stderr], [64, 'zonerw: ZONERW_NOW: not an ISO 8601 time: "yesterday"\n']);
});

test('zonerw check names a control command that is not installed (exit 78)', async () => {
  const conf = await setup('check-control');
  await writeFile(conf, (await readFile(conf, 'utf8')).replace('kind = "none"', 'kind = "nsd"\ncontrol = ["/nonexistent/nsd-control"]'));
  const r = await zonerw(['--config', conf, 'check'], { PATH: `${process.env.PATH}:/usr/sbin:/sbin` });
  assert.equal(r.code, 78);
  assert.equal(r.stderr, 'nameserver.control: /nonexistent/nsd-control is not installed (no such program, or it cannot be run); install it, or give its full path\n');
});
