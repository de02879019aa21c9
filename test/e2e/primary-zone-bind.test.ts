// Zones BIND will load (issue 17): zonerw validates a zone with the options named itself uses
// for a primary zone, so that nothing is installed that a reload or a restart would refuse; and
// a base saved from a transfer (its SOA written first and last) is published with the new
// serial in both, and served. Against a real BIND primary on loopback, the built binary run as
// cron would.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, needBinary, querySoaSerial, startBind, startHttp, stopAll, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { configToml, publishedSerial, runZonerw, show, ZONE } from './scenario.js';

// An AXFR dump: the SOA first and last (RFC 5936 section 2.2), the marker in the first only.
const DUMP = `$TTL 300
${ZONE}. 300 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. @serial number@ 300 60 1209600 300
${ZONE}. 300 IN NS ns1.${ZONE}.
ns1.${ZONE}. 300 IN A 127.0.0.1
www.${ZONE}. 300 IN A @IP@
${ZONE}. 300 IN SOA ns1.${ZONE}. hostmaster.${ZONE}. 2024010101 300 60 1209600 300
`;

const missing = ['named', 'rndc', 'rndc-confgen', 'named-checkzone'].filter((b) => !needBinary(b));

describe('zones BIND will load', { skip: missing.length > 0 ? `${missing.join(', ')} not installed` : false, timeout: 120_000 }, () => {
  let root = '';
  let conf = '';
  let baseFile = '';
  let zoneFile = '';
  let http: HttpTarget;
  let primary: NsInstance;
  let published = 0;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-load-'));
    const site = join(root, 'site');
    for (const d of ['base', 'zones', 'state']) mkdirSync(join(site, d), { recursive: true });
    baseFile = join(site, 'base', `${ZONE}.base`);
    zoneFile = join(site, 'zones', ZONE);
    writeFileSync(baseFile, DUMP);
    http = await startHttp(200);
    const port = await freePort();
    primary = await startBind({ dir: join(root, 'primary'), role: 'primary', port, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: await freePort() });
    conf = join(site, 'zonerw.toml');
    writeFileSync(conf, configToml({ kind: 'bind', control: primary.control, checkUrl: http.url, address: `127.0.0.1:${port}` }));
  });

  after(async () => {
    try {
      await stopAll();
    } finally {
      if (root) rmSync(root, { recursive: true, force: true });
    }
  });

  it('a base with its SOA written twice publishes with the new serial in both, and BIND serves it', async () => {
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 0, show(r));
    published = publishedSerial(r);
    const soas = [...readFileSync(zoneFile, 'utf8').matchAll(/ SOA \S+ \S+ (\d+) /g)].map((m) => Number(m[1]));
    assert.deepEqual(soas, [published, published], 'the serial in every apex SOA');
    assert.equal(await querySoaSerial(primary.port, ZONE), published, 'BIND serves the new serial');
  });

  it('kind bind, a name named refuses in a primary zone (check-names): refused at the base file\'s line, the installed file unchanged', async () => {
    const installed = readFileSync(zoneFile, 'utf8');
    const lines = DUMP.split('\n');
    lines.splice(5, 0, `yy_yy.${ZONE}. 300 IN A 192.0.2.1`); // line 6 of the base
    writeFileSync(baseFile, lines.join('\n'));
    const r = await runZonerw(conf, [], root);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, new RegExp(`${ZONE}\\.base:6: yy_yy\\.${ZONE.replace('.', '\\.')}: bad owner name \\(check-names\\)`), show(r));
    assert.doesNotMatch(r.stderr, /the old zone stays.*the old zone stays/s);
    assert.equal(readFileSync(zoneFile, 'utf8'), installed, 'the installed file is untouched');
    assert.equal(await querySoaSerial(primary.port, ZONE), published, 'BIND still serves the published serial');
  });
});
