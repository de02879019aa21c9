// [dnssec] sign in whole runs, fast: real files in temp folders, a fake probe and nameserver, and
// a fake signer that appends an RRSIG valid for `validity` from the run's clock (the real
// signers, verifiers and servers are in test/adapters/signer.test.ts and test/e2e/dnssec-*).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate.js';
import { run } from '../../src/commands/run.js';
import { check } from '../../src/commands/check.js';
import { utcTime } from '../../src/core/format.js';
import type { Deps, RunOptions, Signer } from '../../src/run/ports.js';
import { loadState } from '../../src/adapters/state-file.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';

const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

const DAY = 86_400_000;
const BASE = `$TTL 300
@    IN SOA ns1.example.com. hostmaster.example.com. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.example.com.
ns1  IN A   198.51.100.7
www  IN A   @IP@
`;

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

interface Lab {
  dir: string;
  now: number;
  mainUp: boolean;
  /** how long the fake signer's signatures last */
  validity: number;
  /** what the fake signer does instead of signing */
  signFails?: string;
  /** a signed text the fake signer hands back whatever it is given (a stale {out}) */
  stale?: string;
  /** the fake signer's identity (its command and keys) */
  identity: string;
  calls: string[];
  checked: string[];
  out: string[];
  err: string[];
  deps: Deps;
  go(opts?: Partial<RunOptions>): Promise<number>;
  zone(name?: string): Promise<string>;
}

async function lab(dnssec: Record<string, unknown> | null = {}, extra: Record<string, unknown> = {}, bases: Record<string, string> = { 'example.com': BASE }): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'zonerw-run-sign-'));
  dirs.push(dir);
  for (const d of ['base', 'zones', 'state']) await mkdir(join(dir, d));
  for (const [zone, text] of Object.entries(bases)) await writeFile(join(dir, 'base', `${zone}.base`), text);
  const cfg = validateConfig(
    {
      base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
      nameserver: { kind: 'nsd', address: false },
      server: [{ name: 'main', address: '192.0.2.1', check: 'http://127.0.0.1:9/' }, { name: 'backup', address: '198.51.100.7' }],
      ...(dnssec ? { dnssec: { sign: ['fake-signer', '-o', '{zone}', '-f', '{out}', '{in}'], ...dnssec } } : {}),
      ...extra,
    },
    join(dir, 'zonerw.toml'),
  );
  const l: Lab = {
    dir, now: Date.parse('2026-11-22T10:00:00Z'), mainUp: true, validity: 30 * DAY, identity: 'keys-1', calls: [], checked: [], out: [], err: [],
    deps: undefined as unknown as Deps,
    go: (opts = {}) => run(cfg, { force: false, dryRun: false, verbose: false, quiet: false, ...opts }, l.deps),
    zone: (name = 'example.com') => readFile(join(dir, 'zones', name), 'utf8'),
  };
  const nameserver = fakeNameserver(l.calls, {
    async validate(zone, file) {
      const text = await readFile(file, 'utf8');
      l.checked.push(text);
      return text.includes('.300') ? { ok: false, checker: 'nsd-checkzone', message: `${file}:7: bad address` } : { ok: true, checker: 'nsd-checkzone' };
    },
  });
  const signer: Signer | undefined = cfg.dnssec && {
    signs: (zone) => cfg.dnssec!.zones === undefined || cfg.dnssec!.zones.includes(zone),
    command: (zone, inPath, outPath) => ['fake-signer', '-o', zone, '-f', outPath, inPath],
    identity: () => l.identity,
    async sign(zone, inPath) {
      l.calls.push(`sign ${zone}`);
      const text = await readFile(inPath, 'latin1');
      if (l.signFails) return { ok: false, program: 'fake-signer', message: `exit 1: ${l.signFails.replace('FILE', inPath)}` };
      if (l.stale !== undefined) return { ok: true, text: l.stale, signer: 'fake-signer', verifier: 'dnssec-verify' };
      const rrsig = `www  IN RRSIG A 13 3 300 ${stamp(l.now + l.validity)} ${stamp(l.now - 3_600_000)} 1 ${zone}. AAAA\n`;
      return { ok: true, text: `${text}@ IN DNSKEY 257 3 13 AAAA\n${rrsig}`, signer: 'fake-signer', verifier: 'dnssec-verify' };
    },
  };
  l.deps = adapterDeps({
    now: () => l.now,
    probe: async () => (l.mainUp ? { up: true, reason: 'HTTP 200', latencyMs: 1 } : { up: false, reason: 'HTTP 503', latencyMs: 1 }),
    nameserver,
    ...(signer ? { signer } : {}),
    log: { out: (s) => l.out.push(s), err: (s) => l.err.push(s) },
  });
  return l;
}

function reset(l: Lab) {
  l.out.length = 0;
  l.err.length = 0;
  l.calls.length = 0;
  l.checked.length = 0;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

test('a signed publish: the checker validates the signed text, which is installed and known as zonerw\'s own; a steady run reads nothing', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112200, www -> 192.0.2.1, zone file was missing']);
  assert.deepEqual(l.calls, ['sign example.com', 'reload example.com', 'notify example.com']);
  const installed = await l.zone();
  assert.match(installed, /RRSIG A 13 3 300 20261222100000 /);
  assert.deepEqual(l.checked, [installed], 'the checker saw what is installed');
  assert.deepEqual(await readdir(join(l.dir, 'zones')), ['example.com'], 'no temp file left');
  const { state } = await loadState(join(l.dir, 'state'));
  assert.equal(state.zones['example.com']!.fileHash, sha256(installed), 'the memory holds the signed file');
  assert.equal(state.zones['example.com']!.signaturesExpire, Date.parse('2026-12-22T10:00:00Z'));

  for (const later of [120_000, 20 * DAY]) {
    reset(l);
    l.now += later;
    assert.equal(await l.go(), 0);
    assert.deepEqual([l.out, l.err, l.calls], [[], [], []], 'nothing said, signed or reloaded (no "edited by hand")');
  }
});

test('resign_before: signatures that expire within it are renewed once, with nothing else changed', async () => {
  const l = await lab({ resign_before: '7d' });
  await l.go();
  reset(l);
  l.now += 23 * DAY + 1; // they expire in just under 7 days
  assert.equal(await l.go(), 0);
  // the line names the NEW expiry (the signer's output), the old one after it
  assert.deepEqual(l.out, ['example.com: serial 2026121500, re-signed: signatures now expire 2027-01-14 10:00:00 UTC (they expire 2026-12-22 10:00:00 UTC)']);
  assert.deepEqual(l.calls, ['sign example.com', 'reload example.com', 'notify example.com']);
  assert.match(await l.zone(), / 20270114100000 /, 'signed anew, for 30 days from now');
  // not an ordinary publish: a resign event with the old and the new expiry
  const events = (await readFile(join(l.dir, 'state', 'history.jsonl'), 'utf8')).trim().split('\n').map((x) => JSON.parse(x) as { type: string; zone?: string });
  assert.deepEqual(events.filter((e) => e.zone === 'example.com').map((e) => e.type), ['publish', 'resign']);
  assert.deepEqual(events.at(-1), { t: l.now, type: 'resign', zone: 'example.com', serial: 2026121500, reason: 'signatures expire 2026-12-22 10:00:00 UTC', was: Date.parse('2026-12-22T10:00:00Z'), expires: Date.parse('2027-01-14T10:00:00Z') });
  reset(l);
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.out, l.err, l.calls], [[], [], []]);
});

test('expired signatures say so; a failover at the same time says both', async () => {
  const l = await lab();
  await l.go();
  reset(l);
  l.now += 31 * DAY;
  l.mainUp = false;
  // --dry-run exits as the run will, in its own mood
  assert.equal(await l.go({ dryRun: true }), 1, '--dry-run: the same error');
  assert.match(l.err[0]!, /^example\.com: the signatures of its installed zone file expired .*; the run would sign it again/);
  reset(l);
  assert.equal(await l.go(), 1, 'served signatures found expired: an error, said since when');
  assert.deepEqual(l.out.slice(1), ['example.com: serial 2026122300, www -> 198.51.100.7, re-signed: signatures now expire 2027-01-22 10:00:00 UTC (they expired 2026-12-22 10:00:00 UTC)']);
  assert.match(l.err[0]!, /^example\.com: the signatures of its installed zone file expired 2026-12-22 10:00:00 UTC \(24h ago\): validating resolvers answer SERVFAIL for the zone while the primary serves them; this run signs it again/);
});

test('signing turned on for a zone published unsigned: the next run signs it ("not signed yet")', async () => {
  const unsigned = await lab(null);
  await unsigned.go();
  const l = await lab();
  await rm(l.dir, { recursive: true });
  await cp(unsigned.dir, l.dir, { recursive: true });
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.out, ['example.com: serial 2026112201, not signed yet: signatures now expire 2026-12-22 10:00:00 UTC']);
  assert.match(await l.zone(), /RRSIG/);
});

test('a signer that fails: refused, exit 1, its words pointed at the base file, the old zone stays', async () => {
  const l = await lab();
  await l.go();
  const before = await l.zone();
  reset(l);
  l.mainUp = false;
  l.signFails = "Zone not read, error: Syntax error, could not parse the RR's rdata at FILE line 5";
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.err, [
    "example.com: refused by fake-signer, not installed (the old zone stays): exit 1: Zone not read, error: Syntax error, could not parse the RR's rdata at base/example.com.base:5",
  ]);
  assert.equal(await l.zone(), before);
  assert.deepEqual(await readdir(join(l.dir, 'zones')), ['example.com'], 'no temp file left');
  assert.ok(!l.calls.includes('reload example.com'));
});

test('a signed zone the checker refuses: its line is the signed file\'s, not the base file\'s', async () => {
  const l = await lab();
  await l.go();
  reset(l);
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}bad  IN A   192.0.2.300\n`);
  assert.equal(await l.go(), 1);
  assert.equal(l.err.length, 1);
  assert.match(l.err[0]!, /^example\.com: refused by nsd-checkzone, not installed \(the old zone stays\): the signed base\/example\.com\.base:7: bad address$/);
});

test('signatures shorter than resign_before: installed, and an error, since every run would sign again', async () => {
  const l = await lab({ resign_before: '7d' });
  l.validity = 5 * DAY;
  assert.equal(await l.go(), 1);
  assert.deepEqual(l.out, ['example.com: serial 2026112200, www -> 192.0.2.1, zone file was missing']);
  assert.deepEqual(l.err, [
    `example.com: the signatures fake-signer just made expire ${utcTime(l.now + 5 * DAY)} UTC, within dnssec.resign_before: every run would sign the zone again; make them last longer (dnssec-signzone -e, ldns-signzone -e) or lower resign_before`,
  ]);
  assert.match(await l.zone(), /RRSIG/);
});

test('dnssec.zones: only the zones listed are signed', async () => {
  const l = await lab({ zones: ['example.com'] }, {}, { 'example.com': BASE, 'example.org': BASE });
  assert.equal(await l.go(), 0);
  assert.match(await l.zone('example.com'), /RRSIG/);
  assert.doesNotMatch(await l.zone('example.org'), /RRSIG/);
  assert.deepEqual(l.calls.filter((c) => c.startsWith('sign')), ['sign example.com']);
  reset(l);
  l.now += 60 * DAY; // example.com's signatures expired; example.org has none to renew
  assert.equal(await l.go(), 1, 'expired: said as an error');
  assert.deepEqual(l.out, ['example.com: serial 2027012100, re-signed: signatures now expire 2027-02-20 10:00:00 UTC (they expired 2026-12-22 10:00:00 UTC)']);
});

test('a pre-signed base file: exit 65, not signed, not installed', async () => {
  const l = await lab();
  await l.go();
  const before = await l.zone();
  reset(l);
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}www  IN RRSIG A 13 3 300 20261222100000 20261122090000 1 example.com. AAAA\n`);
  assert.equal(await l.go({ force: true }), 65);
  assert.match(l.err[0]!, /^base\/example\.com\.base:6: an RRSIG record: a base file must be unsigned/);
  assert.deepEqual(l.calls, []);
  assert.equal(await l.zone(), before);
});

test('--dry-run of a signed zone diffs like with like: the signed file against the signer\'s output, signatures left out', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  l.mainUp = false;
  l.now += 120_000;
  reset(l);
  assert.equal(await l.go({ dryRun: true }), 0);
  const at = l.out.indexOf('(the zone as the signer would write it, against the signed zones/example.com, both without their RRSIG, NSEC and NSEC3 records: they change with every signing)');
  assert.ok(at > 0, l.out.join('\n'));
  const diff = l.out.slice(at + 1).filter((line) => /^[-+@]/.test(line));
  assert.deepEqual(diff.filter((line) => /^[-+][^-+]/.test(line)), [
    '-@    IN SOA ns1.example.com. hostmaster.example.com. ( 2026112200 300 60 1209600 300 )',
    '+@    IN SOA ns1.example.com. hostmaster.example.com. ( 2026112201 300 60 1209600 300 )',
    '-www  IN A   192.0.2.1',
    '+www  IN A   198.51.100.7',
  ], 'only the changed records, no signature');
});

test('--dry-run of a signed zone the signer refuses: the diff is of the zone before signing, and says so', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  l.mainUp = false;
  l.now += 120_000;
  l.signFails = 'no keys';
  reset(l);
  assert.equal(await l.go({ dryRun: true }), 1);
  assert.ok(l.out.includes('(the zone before signing, against the signed zones/example.com without its RRSIG, NSEC and NSEC3 records: the signer would rewrite it in its own form)'), l.out.join('\n'));
  assert.ok(l.out.includes('+www  IN A   198.51.100.7'), l.out.join('\n'));
  assert.ok(!l.out.some((line) => /^[-+].*RRSIG/.test(line)), l.out.join('\n'));
  assert.match(l.err.join('\n'), /no keys/);
});

test('--dry-run shows the signer with its paths filled in and writes nothing; zonerw check signs into scratch', async () => {
  const l = await lab();
  assert.equal(await l.go({ dryRun: true }), 0);
  const rendered = join(l.dir, 'zones', '.example.com.zonerw-tmp-*');
  const signed = join(tmpdir(), 'zonerw-sign-*', 'example.com.signed');
  assert.ok(l.out.includes(`would sign with: fake-signer -o example.com -f '${signed}' '${rendered}' (then verify it)`), l.out.join('\n'));
  assert.ok(!l.out.some((line) => line.includes('{in}') || line.includes('{out}')), l.out.join('\n'));
  assert.deepEqual(await readdir(join(l.dir, 'zones')), []);
  reset(l);
  const cfg = validateConfig(
    { base_dir: 'base', zone_dir: 'zones', state_dir: 'state', nameserver: { kind: 'nsd', control: ['true'], address: false }, dnssec: { sign: ['fake-signer', '{in}', '{out}'] }, server: [{ name: 'main', address: '192.0.2.1' }] },
    join(l.dir, 'zonerw.toml'),
  );
  assert.equal(await check(cfg, {}, l.deps), 0);
  assert.deepEqual(l.calls, ['sign example.com', 'sign example.com'], 'validated, then signed once more for the signatures\' validity');
  assert.match(l.checked[0]!, /RRSIG/, 'the signed zone was validated');
  assert.deepEqual(await readdir(join(l.dir, 'zones')), []);
});

test('a signer that writes a stale signed zone: refused, the serial never goes backwards, and the next run with the real signer publishes the failover without --force', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  const old = await l.zone(); // serial 2026112200, www -> 192.0.2.1, validly "signed"
  l.now += DAY;
  await writeFile(join(l.dir, 'base', 'example.com.base'), `${BASE}ftp  IN A   192.0.2.21\n`);
  assert.equal(await l.go(), 0);
  const published = await l.zone(); // 2026112300
  assert.match(published, /2026112300/);
  reset(l);
  l.mainUp = false;
  l.stale = old; // the signer hands back the file it wrote two runs ago
  assert.equal(await l.go(), 1);
  assert.equal(l.err.length, 1, l.err.join('\n'));
  assert.match(l.err[0]!, /^example\.com: refused by fake-signer, not installed \(the old zone stays\): the signed zone has serial 2026112200, not the rendered 2026112301: the signer wrote another zone \(a stale \{out\}\?\)/);
  assert.equal(await l.zone(), published, 'the installed zone (and its serial) stays');
  assert.ok(!l.calls.includes('reload example.com'));

  reset(l);
  delete l.stale;
  assert.equal(await l.go(), 0, l.err.join('\n'));
  assert.equal(l.out.length, 1);
  assert.match(l.out[0]!, /^example\.com: serial 2026112301, www -> 198\.51\.100\.7/);
  assert.match(await l.zone(), /www  IN A   198\.51\.100\.7/);
});

test('a signer that signs the right serial but other records: refused, naming them', async () => {
  const l = await lab();
  l.mainUp = false;
  const zone = `$TTL 300\n@ IN SOA ns1.example.com. hostmaster.example.com. ( 2026112200 300 60 1209600 300 )\n@ IN NS ns1.example.com.\nns1 IN A 198.51.100.7\nwww IN A 192.0.2.1\n`;
  l.stale = zone;
  assert.equal(await l.go(), 1);
  assert.match(l.err[0]!, /^example\.com: refused by fake-signer, not installed \(there is no zone file yet\): the signed zone is not the rendered one: it lacks www\.example\.com\. A 198\.51\.100\.7, and holds www\.example\.com\. A 192\.0\.2\.1, which the render does not/);
  assert.deepEqual(await readdir(join(l.dir, 'zones')), [], 'nothing installed on a first run');
});

test('a signer that cannot open its input names the real input, not the base file', async () => {
  const l = await lab();
  l.signFails = "dnssec-signzone: fatal: failed loading zone from 'FILE': permission denied";
  assert.equal(await l.go(), 1);
  assert.match(l.err[0]!, /failed loading zone from '[^']*\/zones\/\.example\.com\.zonerw-tmp-\d+-[0-9a-f]+': permission denied$/);
  assert.doesNotMatch(l.err[0]!, /from 'base\/example\.com\.base'/);
});

test('a changed sign command or key set publishes like a content change (no --force); the same one reads nothing', async () => {
  const l = await lab();
  assert.equal(await l.go(), 0);
  reset(l);
  l.now += 60_000;
  assert.equal(await l.go(), 0);
  assert.deepEqual(l.calls, [], 'steady');
  l.identity = 'keys-2'; // a new key in the key folder, or a new sign command
  l.now += 60_000;
  assert.equal(await l.go(), 0, l.err.join('\n'));
  assert.deepEqual(l.out, ['example.com: serial 2026112201, signer or keys changed: signatures now expire 2026-12-22 10:02:00 UTC']);
  assert.deepEqual(l.calls, ['sign example.com', 'reload example.com', 'notify example.com']);
  reset(l);
  l.now += 60_000;
  assert.equal(await l.go(), 0);
  assert.deepEqual([l.calls, l.out], [[], []], 'signed with the new one: steady again');
});

test('zonerw check refuses a signer whose signatures do not outlast resign_before (every run would sign again)', async () => {
  const l = await lab({ resign_before: '40d' });
  const cfg = validateConfig(
    { base_dir: 'base', zone_dir: 'zones', state_dir: 'state', nameserver: { kind: 'nsd', control: ['true'], address: false }, dnssec: { sign: ['fake-signer', '{in}', '{out}'], resign_before: '40d' }, server: [{ name: 'main', address: '192.0.2.1' }] },
    join(l.dir, 'zonerw.toml'),
  );
  assert.notEqual(await check(cfg, {}, l.deps), 0);
  assert.deepEqual(l.err, [
    'dnssec.resign_before: the signatures fake-signer makes (example.com) last 30d, less than resign_before (40d): every run would sign every zone again, with a new serial and a transfer to each secondary; make them last longer (dnssec-signzone -e +40d, ldns-signzone -e) or lower resign_before',
  ]);
  reset(l);
  l.validity = 60 * DAY;
  assert.equal(await check(cfg, {}, l.deps), 0, l.err.join('\n'));
});
