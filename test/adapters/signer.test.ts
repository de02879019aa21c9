// The signer adapter with the real tools: dnssec-signzone and ldns-signzone sign a rendered zone
// with keys made here, dnssec-verify (else ldns-verify-zone) verifies it; a signer whose output
// does not verify, one that fails, one that writes nothing and a missing verifier are refused
// with the program's words. Which programs run is shown by PATHs holding exactly the tools a
// case names (links to the real ones).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/adapters/command.js';
import { createSigner } from '../../src/adapters/signer.js';
import { earliestSignatureExpiry, type DnssecSettings } from '../../src/core/dnssec.js';
import { binaryPath } from '../lab/lab.js';
import { makeKeys, missingTools } from '../helpers/dnssec.js';
import { skipUnlessCI } from '../helpers/need.js';

const ZONE = 'example.test';
const TEXT = `$TTL 300
@    IN SOA ns1.example.test. hostmaster.example.test. ( 2026112200 300 60 1209600 300 )
@    IN NS  ns1.example.test.
ns1  IN A   127.0.0.1
www  IN A   192.0.2.1
`;
const TOOLS = ['dnssec-keygen', 'dnssec-signzone', 'dnssec-verify', 'ldns-signzone', 'ldns-verify-zone'];

describe('signer adapter, real signers and verifiers', { skip: skipUnlessCI(missingTools(TOOLS)) }, () => {
  let root = '';
  let keys: { ksk: string; zsk: string };
  let keyDir = '';
  let zoneFile = '';
  const cwds: string[] = [];

  /** A PATH folder holding links to exactly `tools`. */
  function pathWith(name: string, tools: string[]): string {
    const dir = join(root, `path-${name}`);
    mkdirSync(dir);
    for (const t of tools) symlinkSync(binaryPath(t)!, join(dir, t));
    return dir;
  }

  /** The signer, its commands run with PATH = `path` (when given); records each command's working folder. */
  function signer(sign: string[], path?: string, timeoutMs = 20_000) {
    const settings: DnssecSettings = { sign, resignBeforeMs: 7 * 86_400_000, timeoutMs };
    const calls: string[] = [];
    const run: typeof runCommand = (argv, opts) => {
      calls.push(argv[0]!);
      if (opts.cwd) cwds.push(opts.cwd);
      return runCommand(argv, path ? { ...opts, env: { PATH: path } } : opts);
    };
    return { s: createSigner(settings, run), calls };
  }

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-signer-'));
    keyDir = join(root, 'keys');
    mkdirSync(keyDir);
    keys = makeKeys(keyDir, ZONE);
    zoneFile = join(root, `.${ZONE}.zonerw-tmp-1-abc`);
    writeFileSync(zoneFile, TEXT);
  });

  after(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('dnssec-signzone -S -K: signed, verified by dnssec-verify; its dsset file and {out} are gone afterwards', async () => {
    const { s, calls } = signer(['dnssec-signzone', '-S', '-K', keyDir, '-o', '{zone}', '-f', '{out}', '{in}']);
    const r = await s.sign(ZONE, zoneFile);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.signer, 'dnssec-signzone');
    assert.equal(r.verifier, 'dnssec-verify');
    assert.match(r.text, /\bRRSIG\b/);
    assert.match(r.text, /www\.example\.test\.\s+300\s+IN A\s+192\.0\.2\.1/);
    assert.ok(earliestSignatureExpiry(r.text)! > Date.now() + 29 * 86_400_000, 'dnssec-signzone signs for 30 days');
    assert.deepEqual(calls, ['dnssec-signzone', 'dnssec-verify']);
    for (const cwd of cwds) assert.equal(existsSync(cwd), false, `the signer's folder ${cwd} is removed`);
    assert.deepEqual(readdirSync(root).sort(), [`.${ZONE}.zonerw-tmp-1-abc`, 'keys'].sort(), 'nothing written beside the rendered file');
  });

  test('ldns-signzone -n with key names; without dnssec-verify, ldns-verify-zone verifies', async () => {
    const path = pathWith('ldns', ['ldns-signzone', 'ldns-verify-zone']);
    const { s, calls } = signer(['ldns-signzone', '-n', '-o', '{zone}', '-f', '{out}', '{in}', keys.ksk, keys.zsk], path);
    const r = await s.sign(ZONE, zoneFile);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.signer, r.verifier], ['ldns-signzone', 'ldns-verify-zone']);
    assert.match(r.text, /\bNSEC3PARAM\b/);
    assert.deepEqual(calls, ['ldns-signzone', 'dnssec-verify', 'ldns-verify-zone']);
  });

  test('signatures broken after signing: refused by each verifier, naming the record', async () => {
    // A "signer" that signs, then changes a record: what a pre-signed base file amounts to.
    const script = join(root, 'sign-then-edit');
    writeFileSync(script, `#!/bin/sh\nset -e\n"${binaryPath('ldns-signzone')}" -o "$1" -f "$2" "$3" "${keys.ksk}" "${keys.zsk}"\nsed -i 's/192\\.0\\.2\\.1$/192.0.2.9/' "$2"\n`);
    chmodSync(script, 0o755);
    const bind = await signer([script, '{zone}', '{out}', '{in}']).s.sign(ZONE, zoneFile);
    assert.equal(bind.ok, false);
    assert.deepEqual(!bind.ok && bind.program, 'dnssec-verify');
    assert.match(!bind.ok ? bind.message : '', /^the signed zone does not verify: exit 1: .*No correct ECDSAP256SHA256 signature for www\.example\.test A/);
    assert.doesNotMatch(!bind.ok ? bind.message : '', /Loading zone|zonerw-sign-/, 'no progress lines, no private path');
    const path = pathWith('ldns-only', ['ldns-verify-zone', 'sed']);
    const ldns = await signer([script, '{zone}', '{out}', '{in}'], path).s.sign(ZONE, zoneFile);
    assert.deepEqual(!ldns.ok && ldns.program, 'ldns-verify-zone');
    assert.match(!ldns.ok ? ldns.message : '', /^the signed zone does not verify: exit \d+: .*Bogus DNSSEC signature for www\.example\.test\./);
  });

  test('a signer that fails, one that writes nothing, one that hangs, and no verifier installed', async () => {
    const missingKeys = await signer(['dnssec-signzone', '-S', '-K', join(root, 'nokeys'), '-o', '{zone}', '-f', '{out}', '{in}']).s.sign(ZONE, zoneFile);
    assert.deepEqual(missingKeys, { ok: false, program: 'dnssec-signzone', message: 'exit 1: dnssec-signzone: fatal: dns_dnssec_findmatchingkeys: file not found' });

    const nothing = await signer(['true', '{in}', '{out}']).s.sign(ZONE, zoneFile);
    assert.equal(nothing.ok, false);
    assert.match(!nothing.ok ? nothing.message : '', /^exit 0, but it wrote no signed zone where \{out\} said \(.*example\.test\.signed\)$/);

    const hangs = await signer(['sleep', '5'], undefined, 300).s.sign(ZONE, zoneFile);
    assert.deepEqual(hangs, { ok: false, program: 'sleep', message: 'timed out after 300ms' });

    const path = pathWith('no-verifier', ['ldns-signzone']);
    const unverified = await signer(['ldns-signzone', '-o', '{zone}', '-f', '{out}', '{in}', keys.ksk, keys.zsk], path).s.sign(ZONE, zoneFile);
    assert.deepEqual(unverified, {
      ok: false,
      program: 'dnssec-verify or ldns-verify-zone',
      message: 'no DNSSEC verifier installed (dnssec-verify: apt-get install bind9-dnsutils; ldns-verify-zone: apt-get install ldnsutils): zonerw installs no signed zone it has not verified',
    });
  });

  test('ldns-signzone with bad arguments: its error, not its 40-line usage text', async () => {
    const path = pathWith('usage', ['ldns-signzone', 'ldns-verify-zone']);
    const r = await signer(['ldns-signzone', '-Z', '{in}', '{out}'], path).s.sign(ZONE, zoneFile);
    assert.equal(r.ok, false);
    const message = !r.ok ? r.message : '';
    assert.doesNotMatch(message, /\[OPTIONS\]|signs the zone with the given key/, message);
    assert.ok(message.length < 200, message);
  });

  test('a relative $INCLUDE (a key file) resolves from the include folder, as for the nameserver; nothing is written there', async () => {
    const includeDir = join(root, 'zones');
    mkdirSync(join(includeDir, 'keys'), { recursive: true });
    const name = keys.ksk.split('/').at(-1)!;
    writeFileSync(join(includeDir, 'keys', `${name}.key`), readFileSync(`${keys.ksk}.key`));
    const rendered = join(root, `.${ZONE}.zonerw-tmp-2-inc`);
    writeFileSync(rendered, `${TEXT}$INCLUDE keys/${name}.key\n`);
    const { s } = signer(['dnssec-signzone', '-S', '-K', keyDir, '-o', '{zone}', '-f', '{out}', '{in}']);
    const without = await s.sign(ZONE, rendered);
    assert.equal(without.ok, false, 'without the include folder the key file is not found');
    const r = await s.sign(ZONE, rendered, { includeDir });
    assert.ok(r.ok, JSON.stringify(r));
    assert.match(r.text, /\bDNSKEY\b/);
    assert.deepEqual(readdirSync(includeDir), ['keys'], 'no dsset file in the include folder');
    rmSync(rendered);
  });

  test('identity: the argv and the key files it names; a new key in the key folder changes it', () => {
    const { s } = signer(['dnssec-signzone', '-S', '-K', keyDir, '-o', '{zone}', '-f', '{out}', '{in}']);
    const before = s.identity(ZONE);
    assert.equal(s.identity(ZONE), before, 'stable');
    assert.notEqual(signer(['dnssec-signzone', '-S', '-K', keyDir, '-e', '+40d', '-o', '{zone}', '-f', '{out}', '{in}']).s.identity(ZONE), before, 'another command');
    makeKeys(keyDir, ZONE);
    assert.equal(s.identity(ZONE), before, 'a run looks at the keys once');
    const next = signer(['dnssec-signzone', '-S', '-K', keyDir, '-o', '{zone}', '-f', '{out}', '{in}']).s;
    assert.notEqual(next.identity(ZONE), before, 'another key set, seen by the next run');
  });

  test('command shows the argv with its placeholders filled', () => {
    const { s } = signer(['dnssec-signzone', '-o', '{zone}', '-f', '{out}', '{in}']);
    assert.deepEqual(s.command(ZONE, '/z/in', '/z/out'), ['dnssec-signzone', '-o', ZONE, '-f', '/z/out', '/z/in']);
    assert.equal(s.signs(ZONE), true);
  });
});
