// Signed zones watched as DNS serves them (issue 17), against real servers on loopback:
//  - BIND (dnssec-policy + inline-signing) or Knot (dnssec-signing) signs the zone, and
//    `[nameserver] signs = true` says so:
//    status shows the served expiry and key set, the metric carries it, check is ok; with the
//    clock 60 days on (no run between) status says EXPIRED and check fails naming the zone.
//  - Both signers configured (zonerw's [dnssec] sign and BIND's dnssec-policy re-signing over
//    it): the run, status and check name both key tag sets and say to turn one signer off.
//  - NSD, which does not sign, with `signs = true`: NOT SIGNED in the run, status and check.
//  - zonerw signs with signatures whose inception is an hour ahead: NOT YET VALID.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, needBinary, startBind, startHttp, startKnot, startNsd, stopAll, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { makeKeys, missingTools } from '../helpers/dnssec.js';
import { skipUnlessCI } from '../helpers/need.js';
import { BASE, ZONE, configToml, publishedSerial, runZonerw, show } from './scenario.js';

const DAY = 86_400_000;
const bindBins = ['named', 'rndc', 'rndc-confgen', 'named-checkzone'];
const nsdBins = ['nsd', 'nsd-control', 'nsd-checkzone'];
const missingBins = (bins: string[]) => { const m = bins.filter((b) => !needBinary(b)); return m.length > 0 ? `${m.join(', ')} not installed` : false; };
const skipBind = skipUnlessCI(missingBins(bindBins) || missingTools(['dnssec-keygen', 'dnssec-signzone', 'dnssec-verify']));
const skipNsd = skipUnlessCI(missingBins(nsdBins) || missingTools(['dnssec-keygen', 'dnssec-signzone', 'dnssec-verify']));

interface Signatures { expires: string | null; expired: boolean; signedBy: string | null; keyTags: number[] | null; signedWith: number[] | null; faults: string[]; problems: string[] }
const roots: string[] = [];

after(async () => {
  await stopAll();
  if (!process.env.ZONERW_E2E_KEEP) for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A site (base, zones, state) with the scenario's base file, and a check target. */
async function site(name: string): Promise<{ root: string; site: string; http: HttpTarget }> {
  const root = mkdtempSync(join(tmpdir(), `zonerw-e2e-served-dnssec-${name}-`));
  roots.push(root);
  const s = join(root, 'site');
  for (const d of ['base', 'zones', 'state', 'keys']) mkdirSync(join(s, d), { recursive: true });
  writeFileSync(join(s, 'base', `${ZONE}.base`), BASE);
  return { root, site: s, http: await startHttp(200) };
}

/** configToml with more [nameserver] lines and a tail (a [dnssec] table). */
function config(o: Parameters<typeof configToml>[0], nameserver: string, tail = ''): string {
  return configToml(o).replace('timeout   = "10s"\n', `timeout   = "10s"\n${nameserver}`) + tail;
}

async function statusSignatures(conf: string, root: string, extra: NodeJS.ProcessEnv = {}): Promise<Signatures | null> {
  const r = await runZonerw(conf, ['status', '--json'], root, undefined, extra);
  assert.equal(r.code, 0, show(r));
  return (JSON.parse(r.stdout) as { zones: { zone: string; signatures: Signatures | null }[] }).zones.find((z) => z.zone === ZONE)!.signatures;
}

/** The key tags of the dnssec-keygen key files in a folder (Kzone.+013+NNNNN.key). */
const tagsOfKeys = (dir: string) => readdirSync(dir).flatMap((f) => /\+(\d{5})\.key$/.exec(f)?.[1] ?? []).map(Number).sort((a, b) => a - b);

const SIGNING = [
  { kind: 'bind' as const, start: startBind, skip: skipBind, how: 'dnssec-policy + inline-signing' },
  { kind: 'knot' as const, start: startKnot, skip: skipUnlessCI(missingBins(['knotd', 'knotc'])), how: 'dnssec-signing' },
];

for (const { kind, start, skip, how } of SIGNING) {
  describe(`${kind} signs the zone (${how}), [nameserver] signs = true: expiry and keys shown, metric, check; 60 days on: EXPIRED`, { skip, timeout: 120_000 }, () => {
    it(`watches what ${kind} serves`, async () => {
      const { root, site: s, http } = await site(kind);
      const port = await freePort();
      const primary: NsInstance = await start({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(s, 'zones'), peerPort: await freePort(), sign: true });
      const conf = join(s, 'zonerw.toml');
      writeFileSync(conf, config({ kind, control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}`, top: 'metrics_file = "state/zonerw.prom"' }, 'signs     = true\n'));
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      publishedSerial(r);
      assert.doesNotMatch(readFileSync(join(s, 'zones', ZONE), 'utf8'), /RRSIG/, `zonerw installs it unsigned: ${kind} signs`);

      const sig = await statusSignatures(conf, root);
      assert.ok(sig && sig.expires !== null, JSON.stringify(sig));
      assert.equal(sig.signedBy, 'nameserver');
      assert.deepEqual(sig.faults, []);
      // BIND's keys are files in its key-directory; Knot's live in its KASP database
      if (kind === 'bind') assert.deepEqual(sig.keyTags, tagsOfKeys(join(root, 'primary', 'keys')), "the key set served is BIND's");
      else assert.ok(sig.keyTags && sig.keyTags.length > 0, JSON.stringify(sig));
      assert.ok(Date.parse(sig.expires) > Date.now(), sig.expires);
      const text = await runZonerw(conf, ['status'], root);
      assert.match(text.stdout, /^ {4}signatures expire \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+[dh]\); DNSKEY \d+/m, show(text));
      const metric = readFileSync(join(s, 'state', 'zonerw.prom'), 'utf8').split('\n').find((l) => l.startsWith(`zonerw_zone_signatures_expiry_timestamp_seconds{zone="${ZONE}"}`));
      assert.ok(metric, `the metric carries the expiry ${kind} serves`);
      assert.equal(Number(metric.split(' ')[1]) * 1000, Date.parse(sig.expires));
      const ok = await runZonerw(conf, ['check'], root);
      assert.equal(ok.code, 0, show(ok));

      const later = { ZONERW_NOW: new Date(Date.now() + 60 * DAY).toISOString() };
      const expired = await runZonerw(conf, ['status'], root, undefined, later);
      assert.match(expired.stdout, /^ {4}SIGNATURES EXPIRED /m, show(expired));
      const failing = await runZonerw(conf, ['check'], root, undefined, later);
      assert.notEqual(failing.code, 0, show(failing));
      assert.match(failing.stderr, /^example\.test: the signatures the primary serves EXPIRED .*the nameserver stopped re-signing/m, show(failing));
    });
  });
}

describe('both signers configured: zonerw signs ([dnssec]) and BIND re-signs with its own keys', { skip: skipBind, timeout: 120_000 }, () => {
  it('the run, status and check name both key sets and say to turn one off', async () => {
    const { root, site: s, http } = await site('both');
    makeKeys(join(s, 'keys'), ZONE);
    const port = await freePort();
    const primary = await startBind({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(s, 'zones'), peerPort: await freePort(), sign: true });
    const conf = join(s, 'zonerw.toml');
    const sign = ['dnssec-signzone', '-S', '-K', join(s, 'keys'), '-o', '{zone}', '-f', '{out}', '{in}'];
    writeFileSync(conf, config({ kind: 'bind', control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}` }, '', `\n[dnssec]\nsign = ${JSON.stringify(sign)}\n`));
    const ours = tagsOfKeys(join(s, 'keys')).join(' ');
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 1, show(r));
    const words = new RegExp(`^example\\.test: the primary serves the DNSKEY set [\\d ]+, not the one zonerw signed with \\(${ours}\\): another signer re-signs the zone .*turn one signer off`, 'm');
    assert.match(r.stderr, words, show(r));
    assert.match(readFileSync(join(s, 'state', 'history.jsonl'), 'utf8'), /"type":"error","message":"example\.test: the primary serves the DNSKEY set/);

    const sig = await statusSignatures(conf, root);
    assert.ok(sig, 'status has the signatures');
    assert.equal(sig.signedBy, 'zonerw');
    assert.deepEqual(sig.signedWith?.join(' '), ours);
    assert.ok(sig.faults.includes('other keys'), JSON.stringify(sig));
    const text = await runZonerw(conf, ['status'], root);
    assert.match(text.stdout, /^ {4}ANOTHER KEY SET SERVED: the primary serves the DNSKEY set/m, show(text));
    const checked = await runZonerw(conf, ['check'], root);
    assert.equal(checked.code, 1, show(checked));
    assert.match(checked.stderr, words, show(checked));
  });
});

describe('NSD does not sign: [nameserver] signs = true says NOT SIGNED', { skip: skipNsd, timeout: 120_000 }, () => {
  it('in the run, status and check', async () => {
    const { root, site: s, http } = await site('nsd-unsigned');
    const port = await freePort();
    const primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(s, 'zones'), peerPort: await freePort() });
    const conf = join(s, 'zonerw.toml');
    writeFileSync(conf, config({ kind: 'nsd', control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}` }, 'signs     = ["example.test"]\n'));
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 1, show(r));
    publishedSerial(r);
    assert.match(r.stderr, /^example\.test: NOT SIGNED: the primary serves the zone without RRSIGs over its SOA \(asked with DO\), although \[nameserver\] signs says the nameserver signs it/m, show(r));
    assert.match(r.stderr, /^example\.test: the primary serves no DNSKEY at the zone's apex/m, show(r));
    const text = await runZonerw(conf, ['status'], root);
    assert.match(text.stdout, /^ {4}NOT SIGNED: the primary serves the zone without signatures, although \[nameserver\] signs says the nameserver signs it/m, show(text));
    assert.match(text.stdout, /^ {4}NO DNSKEY: /m, show(text));
    const sig = await statusSignatures(conf, root);
    assert.deepEqual(sig && { expires: sig.expires, faults: sig.faults, keyTags: sig.keyTags }, { expires: null, faults: ['not signed', 'no DNSKEY'], keyTags: [] });
    const checked = await runZonerw(conf, ['check'], root);
    assert.equal(checked.code, 1, show(checked));
    assert.match(checked.stderr, /^example\.test: NOT SIGNED: /m, show(checked));
  });
});

describe("signatures not valid yet (the machine's clock 3 hours behind the signer's): NOT YET VALID", { skip: skipNsd, timeout: 120_000 }, () => {
  it('in the run and check, with the fix', async () => {
    const { root, site: s, http } = await site('nsd-future');
    makeKeys(join(s, 'keys'), ZONE);
    const port = await freePort();
    const primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(s, 'zones'), peerPort: await freePort() });
    const conf = join(s, 'zonerw.toml');
    // dnssec-signzone's signatures start an hour before it signs
    const sign = ['dnssec-signzone', '-S', '-K', join(s, 'keys'), '-o', '{zone}', '-f', '{out}', '{in}'];
    writeFileSync(conf, config({ kind: 'nsd', control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}` }, '', `\n[dnssec]\nsign = ${JSON.stringify(sign)}\n`));
    const first = await runZonerw(conf, [], root);
    assert.equal(first.code, 0, show(first));
    const sig = await statusSignatures(conf, root);
    assert.deepEqual(sig?.keyTags, tagsOfKeys(join(s, 'keys')), "NSD serves zonerw's keys");
    assert.deepEqual(sig?.signedWith, tagsOfKeys(join(s, 'keys')), 'the state remembers the keys zonerw signed with');
    assert.deepEqual(sig?.faults, []);

    const behind = { ZONERW_NOW: new Date(Date.now() - 3 * 3_600_000).toISOString() };
    const words = /^example\.test: the signatures the primary serves are NOT YET VALID: their inception is \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+[mh]\): validating resolvers answer SERVFAIL until then; fix the signing machine's clock or the signer's start time \(dnssec-signzone -s\), and sign again$/m;
    const r = await runZonerw(conf, [], root, undefined, behind);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, words, show(r));
    const text = await runZonerw(conf, ['status'], root, undefined, behind);
    assert.match(text.stdout, /^ {4}NOT YET VALID: the signatures the primary serves are NOT YET VALID/m, show(text));
    const checked = await runZonerw(conf, ['check'], root, undefined, behind);
    assert.equal(checked.code, 1, show(checked));
    assert.match(checked.stderr, words, show(checked));
  });
});
