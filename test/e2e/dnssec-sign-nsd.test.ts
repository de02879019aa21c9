// Signed zones for NSD, which does not sign: zonerw signs each rendered zone itself with
// `[dnssec] sign` (dnssec-signzone, or ldns-signzone, with keys this test makes), verifies it
// (dnssec-verify), has nsd-checkzone validate the signed file and installs that. Against a real
// NSD primary and secondary on loopback, with delv validating the secondary's answers against
// the KSK: the first publish, a failover, a failback, and a re-sign when the installed signatures
// come within resign_before of expiring (ZONERW_NOW moves zonerw's clock; the signatures are
// made with explicit validity so that this happens). A signer that does not sign is refused
// (exit 1, the old zone stays); a pre-signed base file is refused (exit 65, the zone untouched).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { earliestSignatureExpiry } from '../../src/core/dnssec.js';
import { utcTime } from '../../src/core/format.js';
import { freePort, labPath, needBinary, querySoaSerial, startHttp, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { makeKeys, missingTools, validatesAs, writeTrustAnchorFromKey } from '../helpers/dnssec.js';
import { skipUnlessCI } from '../helpers/need.js';
import { zonerw } from '../helpers/cli.js';
import { BACKUP, BASE, MAIN, ZONE, configToml, lines, publishedSerial, runZonerw, show, type Run } from './scenario.js';

const DAY = 86_400_000;

/** The signer's argv, signatures valid from an hour ago until `days` from now (real time: delv and the verifier judge by it). */
type SignerArgv = (keys: { dir: string; ksk: string; zsk: string }, days: number) => string[];

/** YYYYMMDDHHmmSS in UTC, as ldns-signzone and dnssec-signzone take an absolute time. */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

const SIGNERS: Record<string, { tool: string; argv: SignerArgv }> = {
  // the README's example: smart signing finds the zone's keys in the folder
  'dnssec-signzone': {
    tool: 'dnssec-signzone',
    argv: (k, days) => ['dnssec-signzone', '-S', '-K', k.dir, '-s', stamp(Date.now() - 3_600_000), '-e', stamp(Date.now() + days * DAY), '-o', '{zone}', '-f', '{out}', '{in}'],
  },
  // NSEC3, keys by name
  'ldns-signzone': {
    tool: 'ldns-signzone',
    argv: (k, days) => ['ldns-signzone', '-n', '-i', stamp(Date.now() - 3_600_000), '-e', stamp(Date.now() + days * DAY), '-o', '{zone}', '-f', '{out}', '{in}', k.ksk, k.zsk],
  },
};

function configWith(base: string, sign: string[]): string {
  return `${base}
[dnssec]
sign          = ${JSON.stringify(sign)}
resign_before = "7d"
`;
}

for (const [name, signer] of Object.entries(SIGNERS)) {
  const missingServers = ['nsd', 'nsd-control', 'nsd-checkzone'].filter((b) => !needBinary(b));
  const skip = skipUnlessCI(
    missingServers.length > 0 ? `${missingServers.join(', ')} not installed (apt-get install nsd)` : missingTools(['delv', 'dnssec-keygen', 'dnssec-verify', signer.tool]),
  );

  describe(`NSD with [dnssec] sign (${name}): zonerw signs, the secondary's answers validate`, { skip, timeout: 180_000 }, () => {
    let root = '';
    let site = '';
    let conf = '';
    let baseConf = '';
    let anchor = '';
    let zoneFile = '';
    let baseFile = '';
    let keys: { dir: string; ksk: string; zsk: string };
    let http: HttpTarget;
    /** the zone as the first run installed it, signed: what a stale signer hands back later */
    let firstSigned = '';
    let primary: NsInstance;
    let secondary: NsInstance;

    const www = `www.${ZONE}`;
    const validates = (addresses: string[]) => validatesAs(secondary.port, anchor, ZONE, www, addresses);
    const secondaryServes = (serial: number) =>
      waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === serial ? true : undefined), { timeoutMs: 10_000, what: `the secondary to serve serial ${serial}` });
    /** Published, signed by zonerw, and served by the secondary. */
    async function published(r: Run): Promise<number> {
      assert.equal(r.code, 0, show(r));
      const serial = publishedSerial(r);
      const text = readFileSync(zoneFile, 'utf8');
      assert.match(text, /\bRRSIG\b/, 'the installed zone is signed');
      assert.match(text, new RegExp(`\\b${serial}\\b`), 'with the serial zonerw published');
      await secondaryServes(serial);
      return serial;
    }

    before(async () => {
      root = mkdtempSync(join(tmpdir(), `zonerw-e2e-sign-${name}-`));
      site = join(root, 'site');
      for (const d of ['base', 'zones', 'state', 'keys']) mkdirSync(join(site, d), { recursive: true });
      zoneFile = join(site, 'zones', ZONE);
      baseFile = join(site, 'base', `${ZONE}.base`);
      writeFileSync(baseFile, BASE);
      const dir = join(site, 'keys');
      keys = { dir, ...makeKeys(dir, ZONE) };
      anchor = join(root, 'anchor.conf');
      writeTrustAnchorFromKey(anchor, ZONE, keys.ksk);

      http = await startHttp(200);
      const primaryPort = await freePort();
      const secondaryPort = await freePort();
      primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: secondaryPort });
      secondary = await startNsd({ dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
      conf = join(site, 'zonerw.toml');
      baseConf = configToml({ kind: 'nsd', control: primary.control, checkUrl: http.url });
      writeFileSync(conf, configWith(baseConf, signer.argv(keys, 30)));
    });

    after(async () => {
      try {
        await stopAll();
      } finally {
        if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
        else if (root) console.log(`kept ${root} (ZONERW_E2E_KEEP)`);
      }
    });

    it('1. main up: zonerw publishes the zone signed and verified; www validates at the secondary', async () => {
      const check = await runZonerw(conf, ['check'], root);
      assert.equal(check.code, 0, show(check));
      assert.match(check.stdout, /validated with nsd-checkzone/, show(check));
      await published(await runZonerw(conf, [], root));
      await validates([MAIN]);
      firstSigned = readFileSync(zoneFile, 'latin1');
      assert.deepEqual(readdirSync(join(site, 'zones')), [ZONE], 'nothing the signer made is left in zone_dir');
      assert.deepEqual(readdirSync(join(site, 'state')).sort(), ['history.jsonl', 'state.json'], 'nor in state_dir');
    });

    it('2. nothing changed: silent, and the signed zone is not signed again', async () => {
      const bytes = readFileSync(zoneFile);
      const r = await runZonerw(conf, [], root);
      assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], show(r));
      assert.deepEqual(readFileSync(zoneFile), bytes);
    });

    it('3. main down: the failover is signed, and validates at the secondary', async () => {
      http.setStatus(503);
      await published(await runZonerw(conf, [], root));
      await validates([BACKUP]);
    });

    it('4. main back: the failback is signed, and validates at the secondary', async () => {
      http.setStatus(200);
      const first = await runZonerw(conf, [], root);
      assert.deepEqual([first.code, first.stdout, first.stderr], [0, '', ''], show(first));
      await published(await runZonerw(conf, [], root));
      await validates([MAIN]);
    });

    it('5. a signer that does not sign: refused by the verifier, exit 1, the old zone stays', async () => {
      const bytes = readFileSync(zoneFile);
      const serial = await querySoaSerial(secondary.port, ZONE);
      // the config as it was, byte for byte: a changed sign command would publish again
      const signing = readFileSync(conf, 'utf8');
      writeFileSync(conf, configWith(baseConf, ['cp', '{in}', '{out}']));
      try {
        const r = await runZonerw(conf, ['--force'], root);
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /^example\.test: refused by dnssec-verify, not installed \(the old zone stays\): the signed zone does not verify: /m, show(r));
        assert.doesNotMatch(r.stdout, /^example\.test: serial/m, show(r));
        assert.deepEqual(readFileSync(zoneFile), bytes, 'the installed zone is unchanged');
        assert.deepEqual(readdirSync(join(site, 'zones')), [ZONE], 'no temp file left');
        assert.equal(await querySoaSerial(secondary.port, ZONE), serial);
        await validates([MAIN]);
      } finally {
        writeFileSync(conf, signing);
      }
    });

    it('6. signatures within resign_before of expiring: the next run signs the zone again, with nothing else changed', async () => {
      const before = earliestSignatureExpiry(readFileSync(zoneFile, 'latin1'));
      assert.ok(before !== undefined && before > Date.now() + 29 * DAY, `the installed signatures last 30 days: ${before}`);
      // 25 days on, they expire within 7 days; the signer now makes signatures that last 60 days
      // (a changed sign command republishes too: the expiry is the reason said).
      const later = { ZONERW_NOW: new Date(Date.now() + 25 * DAY).toISOString() };
      const steady = await zonerwAt(conf, root, { ZONERW_NOW: new Date(Date.now() + 20 * DAY).toISOString() });
      assert.deepEqual([steady.code, steady.stdout, steady.stderr], [0, '', ''], `20 days on, 10 days are left: nothing to do\n${show(steady)}`);
      writeFileSync(conf, configWith(baseConf, signer.argv(keys, 60)));
      const r = await zonerwAt(conf, root, later);
      const serial = await published(r);
      const after = earliestSignatureExpiry(readFileSync(zoneFile, 'latin1'));
      assert.ok(after !== undefined && after > Date.now() + 59 * DAY, `the new signatures last 60 days: ${after && utcTime(after)}`);
      // the line names the new expiry; the history records a resign, not an ordinary publish
      assert.deepEqual(lines(r.stdout), [`${ZONE}: serial ${serial}, re-signed: signatures now expire ${utcTime(after)} UTC (they expire ${utcTime(before)} UTC)`], show(r));
      const last = JSON.parse(readFileSync(join(site, 'state', 'history.jsonl'), 'utf8').trim().split('\n').filter((l) => l.includes(`"zone":"${ZONE}"`)).at(-1)!) as Record<string, unknown>;
      assert.deepEqual([last.type, last.serial, last.was, last.expires], ['resign', serial, before, after]);
      await validates([MAIN]);
      const again = await zonerwAt(conf, root, later);
      assert.deepEqual([again.code, again.stdout, again.stderr], [0, '', ''], `signed again once, not on every run\n${show(again)}`);
    });

    it('7. a pre-signed base file: refused with exit 65, the installed zone untouched', async () => {
      const bytes = readFileSync(zoneFile);
      const mtime = statSync(zoneFile).mtimeMs;
      // The installed (signed) zone made into a base file: markers put back, signatures kept.
      const signed = readFileSync(zoneFile, 'latin1');
      const serial = String(await querySoaSerial(primary.port, ZONE));
      const presigned = signed.replace(new RegExp(`\\b${serial}\\b`), '@serial number@').replace(/^(www\.example\.test\.\s+\d+\s+IN\s+A\s+)192\.0\.2\.1$/m, '$1@IP@');
      assert.match(presigned, /@serial number@/);
      writeFileSync(baseFile, presigned);
      try {
        for (const args of [['--force'], ['check']]) {
          const r = await runZonerw(conf, args, root);
          assert.equal(r.code, 65, show(r));
          assert.match(r.stderr, /^base\/example\.test\.base:\d+: an? (RRSIG|NSEC|NSEC3|NSEC3PARAM) record: a base file must be unsigned/m, show(r));
          assert.match(r.stderr, /dnssec-policy with inline-signing yes; Knot: dnssec-signing: on\), or with NSD let zonerw sign it \(\[dnssec\] sign/, show(r));
        }
        assert.deepEqual(readFileSync(zoneFile), bytes, 'the installed zone is byte-identical');
        assert.equal(statSync(zoneFile).mtimeMs, mtime);
        await validates([MAIN]);
      } finally {
        writeFileSync(baseFile, BASE);
      }
    });

    it('8. a signer that writes a stale signed zone: refused, the served serial never goes backwards; the next run with the real signer publishes the failover without --force', async () => {
      const at = { ZONERW_NOW: new Date(Date.now() + 26 * DAY).toISOString() }; // after step 6's runs
      const stale = join(root, 'stale.signed');
      writeFileSync(stale, firstSigned, 'latin1');
      const script = join(root, 'stale-signer');
      writeFileSync(script, `#!/bin/sh\n# signs nothing: hands back the zone signed at the first run\ncp '${stale}' "$2"\n`, { mode: 0o755 });
      const signing = readFileSync(conf, 'utf8');
      const served = await querySoaSerial(primary.port, ZONE);
      const bytes = readFileSync(zoneFile);
      writeFileSync(conf, configWith(baseConf, [script, '{in}', '{out}']));
      http.setStatus(503);
      try {
        const r = await zonerwAt(conf, root, at);
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /^example\.test: refused by stale-signer, not installed \(the old zone stays\): the signed zone has serial \d+, not the rendered \d+/m, show(r));
        assert.deepEqual(readFileSync(zoneFile), bytes, 'the installed zone is unchanged');
        assert.equal(await querySoaSerial(primary.port, ZONE), served, 'the primary\'s serial did not go backwards');
      } finally {
        writeFileSync(conf, signing);
      }
      const r = await zonerwAt(conf, root, at);
      const serial = await published(r);
      assert.ok(serial > served!, `${serial} above ${served}`);
      await validates([BACKUP]);
      http.setStatus(200);
    });
  });
}

/** runZonerw (scenario.ts) with extra environment: ZONERW_NOW. */
async function zonerwAt(conf: string, cwd: string, extra: Record<string, string>): Promise<Run> {
  const env: NodeJS.ProcessEnv = { PATH: labPath('/usr/bin:/bin'), TZ: 'Pacific/Kiritimati', ...extra };
  delete env.ZONERW_CONFIG;
  const r = await zonerw(['--config', conf], env, { cwd, timeoutMs: 30_000 });
  return { ...r, signal: null };
}
