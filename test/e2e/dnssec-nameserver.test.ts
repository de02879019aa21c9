// Signed zones, signed by the nameserver: zonerw writes the unsigned zone, a BIND primary with
// `dnssec-policy default; inline-signing yes;` (BIND secondary) or a Knot primary with
// `dnssec-signing: on` and `zonefile-load: difference-no-serial` (NSD secondary) signs it, and
// the answers of the secondary validate (delv, against a trust anchor built from the KSK the
// primary serves) after the first publish, a failover and a failback. The nameserver re-signing
// on its own (`knotc zone-sign`, `rndc sign`, three times) numbers its serial past zonerw's,
// which must not stop the next failover from reaching the secondary. The snippets are
// signingBind and signingKnot in test/lab/lab.ts, the ones the README shows.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, knotPolicy, needBinary, querySoaSerial, signingBind, signingKnot, startBind, startHttp, startKnot, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { repoRoot } from '../helpers/paths.js';
import { missingTools, validatesAs, writeTrustAnchor } from '../helpers/dnssec.js';
import { skipUnlessCI } from '../helpers/need.js';
import { BACKUP, BASE, MAIN, ZONE, configToml, publishedSerial, runZonerw, show } from './scenario.js';

test('the README shows the signing snippets these tests run', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
  const snippet = signingBind('/var/lib/bind/keys') + signingKnot('zonerw') + knotPolicy('zonerw');
  for (const line of snippet.split('\n').map((l) => l.trim()).filter(Boolean)) {
    assert.ok(readme.includes(line), `README.md lacks the line ${JSON.stringify(line)}`);
  }
});

type Kind = 'bind' | 'knot';
const SERVERS: Record<Kind, { bins: string[]; secondary: 'bind' | 'nsd'; resign: string }> = {
  bind: { bins: ['named', 'rndc', 'rndc-confgen', 'named-checkzone'], secondary: 'bind', resign: 'sign' },
  knot: { bins: ['knotd', 'knotc', 'nsd', 'nsd-control'], secondary: 'nsd', resign: 'zone-sign' },
};

const CASES: { kind: Kind; knotLoad?: 'whole' }[] = [
  { kind: 'bind' },
  { kind: 'knot' },
  // Knot's unsigned setting (zonefile-load: whole, journal-content: none) with signing: after
  // Knot re-signed, its serial would be above zonerw's next one, which Knot loads anyway and the
  // secondary ignores; zonerw's serial goes above the primary's served serial, so it reaches it.
  { kind: 'knot', knotLoad: 'whole' },
];

for (const { kind, knotLoad } of CASES) {
  const { bins, secondary: secondaryKind, resign } = SERVERS[kind];
  const missingServers = bins.filter((b) => !needBinary(b));
  const skip = skipUnlessCI(
    missingServers.length > 0 ? `${missingServers.join(', ')} not installed (apt-get install nsd bind9 knot)` : missingTools(['dig', 'delv']),
  );

  const how = kind === 'bind' ? 'dnssec-policy + inline-signing' : `dnssec-signing, ${knotLoad ?? 'difference-no-serial'}`;
  describe(`${kind} signs (${how}), ${secondaryKind} secondary: answers validate`, { skip, timeout: 180_000 }, () => {
    let root = '';
    let conf = '';
    let anchor = '';
    let http: HttpTarget;
    let primary: NsInstance;
    let secondary: NsInstance;

    const www = `www.${ZONE}`;
    const validates = (addresses: string[]) => validatesAs(secondary.port, anchor, ZONE, www, addresses, 30_000);
    /** The secondary serves what the primary serves (the primary's serial, which is the signer's). */
    async function secondaryServesPrimary(): Promise<void> {
      const primarySerial = await querySoaSerial(primary.port, ZONE);
      await waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === primarySerial ? true : undefined), {
        timeoutMs: 10_000,
        what: `the secondary to serve the primary's serial ${primarySerial}`,
      });
    }

    before(async () => {
      root = mkdtempSync(join(tmpdir(), `zonerw-e2e-dnssec-${kind}-`));
      const site = join(root, 'site');
      for (const d of ['base', 'zones', 'state']) mkdirSync(join(site, d), { recursive: true });
      writeFileSync(join(site, 'base', `${ZONE}.base`), BASE);
      http = await startHttp(200);
      const primaryPort = await freePort();
      const secondaryPort = await freePort();
      const start = kind === 'bind' ? startBind : startKnot;
      primary = await start({ dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: secondaryPort, sign: true, ...(knotLoad ? { knotLoad } : {}) });
      const startSecondary = secondaryKind === 'bind' ? startBind : startNsd;
      secondary = await startSecondary({ dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
      conf = join(site, 'zonerw.toml');
      writeFileSync(conf, configToml({ kind, control: primary.control, checkUrl: http.url, address: `127.0.0.1:${primary.port}` }));
      anchor = join(root, 'anchor.conf');
    });

    after(async () => {
      try {
        await stopAll();
      } finally {
        if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
        else if (root) console.log(`kept ${root} (ZONERW_E2E_KEEP)`);
      }
    });

    it('1. the first publish: the secondary serves the zone signed, and www validates as the main address', async () => {
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      publishedSerial(r);
      assert.doesNotMatch(readFileSync(join(root, 'site', 'zones', ZONE), 'utf8'), /RRSIG/, 'zonerw installs the zone unsigned; the nameserver signs it');
      const ksks = await writeTrustAnchor(anchor, primary.port, ZONE);
      assert.ok(ksks.length >= 1, 'the primary serves a KSK');
      await validates([MAIN]);
    });

    it(`2. the nameserver re-signs three times (${kind === 'bind' ? 'rndc' : 'knotc'} ${resign}), then main goes down: the failover reaches the secondary and validates`, async () => {
      let served = await querySoaSerial(primary.port, ZONE);
      assert.ok(served !== undefined, 'the primary serves the zone');
      for (let i = 0; i < 3; i++) {
        const before: number = served!;
        const r = spawnSync(primary.control[0]!, [...primary.control.slice(1), resign, ZONE], { encoding: 'utf8', timeout: 10_000 });
        assert.equal(r.status, 0, `${resign}: ${r.stdout}${r.stderr}`);
        served = await waitFor(async (): Promise<number | undefined> => { const s = await querySoaSerial(primary.port, ZONE); return s !== undefined && s > before ? s : undefined; }, { timeoutMs: 15_000, what: `the primary to re-sign past serial ${before}` });
      }
      http.setStatus(503);
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      const serial = publishedSerial(r);
      // The signer numbered ahead of zonerw's last serial; the new one goes above what it serves.
      assert.ok(serial > served!, `zonerw's new serial (${serial}) is above the one the signing primary served (${served})`);
      await validates([BACKUP]);
      await secondaryServesPrimary();
    });

    it('3. main is back: the failback reaches the secondary and validates', async () => {
      http.setStatus(200);
      const first = await runZonerw(conf, [], root);
      assert.equal(first.code, 0, show(first)); // recover_after = 2: one good run is not enough
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      publishedSerial(r);
      await validates([MAIN]);
      await secondaryServesPrimary();
    });
  });
}
