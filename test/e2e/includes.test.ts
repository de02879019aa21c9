// Zone files as people write them, end to end with the built binary and real nameservers on
// loopback: NS records only in an $INCLUDEd file (NSD primary and secondary), NS records made
// by $GENERATE (BIND primary: NSD has no $GENERATE), an edit of an included file published with
// a new serial, a marker in an included file refused with its file and line, and the same
// config giving the same result whatever folder cron starts zonerw in (relative includes are
// read from include_dir, zone_dir by default, never from zonerw's working directory).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, needBinary, query, queryA, querySoaSerial, startBind, startNsd, stopAll, waitFor, type NsInstance } from '../lab/lab.js';
import { runZonerw, show, type Run } from './scenario.js';

const missing = (bins: string[]) => {
  const lacking = bins.filter((b) => !needBinary(b)); // under CI, needBinary throws instead
  return lacking.length > 0 ? `${lacking.join(', ')} not installed (apt-get install nsd bind9 bind9-dnsutils knot knot-dnssecutils)` : false;
};

/** A site folder (base, zones, state) with a config for `kind`; `extra` goes to the top level. */
function site(root: string, kind: 'nsd' | 'bind' | 'knot', control: readonly string[], extra = ''): string {
  for (const d of ['base', 'zones', 'state']) mkdirSync(join(root, d), { recursive: true });
  const conf = join(root, 'zonerw.toml');
  writeFileSync(conf, `base_dir = "base"
zone_dir = "zones"
state_dir = "state"
${extra}
[nameserver]
kind = "${kind}"
control = ${JSON.stringify(control)}
checkzone = "always"
timeout = "10s"

[[server]]
name = "main"
address = "192.0.2.1"

[[server]]
name = "backup"
address = "198.51.100.7"
`);
  return conf;
}

/** The serial of `<zone>: serial NNNNNNNNNN` on stdout. */
function serialOf(r: Run, zone: string): number {
  const m = new RegExp(`^${zone.replace(/\./g, '\\.')}: serial (\\d{10})\\b`, 'm').exec(r.stdout);
  assert.ok(m, `no "${zone}: serial" line\n${show(r)}`);
  return Number(m[1]);
}

/** The NS targets of a zone as served, sorted. */
async function nsTargets(port: number, zone: string): Promise<string[]> {
  const r = await query(port, zone, 'NS');
  return (r?.answers ?? []).flatMap((a) => (a.type === 'NS' ? [a.data] : [])).sort();
}

const serves = (port: number, zone: string, serial: number, who: string) =>
  waitFor(() => querySoaSerial(port, zone).then((s) => (s === serial ? s : undefined)), { timeoutMs: 10_000, what: `${who} to serve ${zone} serial ${serial}` });

describe('NS records only in an included file, NSD primary and secondary', { skip: missing(['nsd', 'nsd-control', 'nsd-checkzone']), timeout: 120_000 }, () => {
  const ZONE = 'inc.test';
  let root = '';
  let conf = '';
  let zones = '';
  let primary: NsInstance;
  let secondary: NsInstance;
  const base = `$TTL 300
@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 300 )
; the NS records and their glue are kept in a file of their own
$INCLUDE ns.inc
$INCLUDE hosts/hosts.inc
www  IN A   @IP@
`;
  const hosts = (ftp: string) => `; hosts kept by hand\nftp IN A ${ftp}\n`;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-includes-'));
    conf = site(join(root, 'site'), 'nsd', ['nsd-control']);
    zones = join(root, 'site', 'zones');
    writeFileSync(join(root, 'site', 'base', `${ZONE}.base`), base);
    writeFileSync(join(zones, 'ns.inc'), `@ IN NS ns1.${ZONE}.\nns1 IN A 127.0.0.1\n`);
    mkdirSync(join(zones, 'hosts'));
    writeFileSync(join(zones, 'hosts', 'hosts.inc'), hosts('203.0.113.9'));
    const [p, s] = [await freePort(), await freePort()];
    // NSD reads a relative $INCLUDE from its zonesdir: here, zone_dir (include_dir's default)
    primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port: p, zones: [ZONE], zoneDir: zones, workDir: zones, peerPort: s });
    secondary = await startNsd({ dir: join(root, 'secondary'), role: 'secondary', port: s, zones: [ZONE], peerPort: p });
    writeFileSync(conf, readFileSync(conf, 'utf8').replace('control = ["nsd-control"]', `control = ${JSON.stringify(primary.control)}\naddress = "127.0.0.1:${p}"`));
  });

  after(async () => {
    try {
      await stopAll();
    } finally {
      if (root) rmSync(root, { recursive: true, force: true });
    }
  });

  let serial = 0;

  it('publishes without --force, started in /, and the secondary serves the included records', async () => {
    const r = await runZonerw(conf, [], '/');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    serial = serialOf(r, ZONE);
    await serves(secondary.port, ZONE, serial, 'the NSD secondary');
    assert.deepEqual(await queryA(secondary.port, `ftp.${ZONE}`), ['203.0.113.9']);
    assert.deepEqual(await nsTargets(secondary.port, ZONE), [`ns1.${ZONE}`]);
  });

  it('started in zone_dir: the same config, nothing to do', async () => {
    const r = await runZonerw(conf, [], zones);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], show(r));
  });

  it('zonerw check and --dry-run say the same from / and from zone_dir', async () => {
    for (const args of [['check'], ['--dry-run', '--force']]) {
      const fromRoot = await runZonerw(conf, args, '/');
      const fromZones = await runZonerw(conf, args, zones);
      assert.equal(fromRoot.code, 0, show(fromRoot));
      assert.deepEqual(fromZones, fromRoot, `${args.join(' ')}: from zone_dir\n${show(fromZones)}\nfrom /\n${show(fromRoot)}`);
    }
  });

  it('an edit of an included file is published with a new serial', async () => {
    writeFileSync(join(zones, 'hosts', 'hosts.inc'), hosts('203.0.113.10'));
    const r = await runZonerw(conf, [], '/');
    assert.equal(r.code, 0, show(r));
    const next = serialOf(r, ZONE);
    assert.ok(next > serial, `${next} > ${serial}`);
    assert.match(r.stdout, new RegExp(`^${ZONE}: serial ${next}, included file changed$`, 'm'));
    serial = next;
    await serves(secondary.port, ZONE, serial, 'the NSD secondary');
    assert.deepEqual(await queryA(secondary.port, `ftp.${ZONE}`), ['203.0.113.10']);
  });

  it('a marker in an included file: exit 65 naming that file and line; the zone stays', async () => {
    const zoneFile = readFileSync(join(zones, ZONE));
    writeFileSync(join(zones, 'hosts', 'hosts.inc'), `${hosts('203.0.113.10')}api IN A 192.0.2.50 ; @IP@\n`);
    try {
      const r = await runZonerw(conf, [], '/');
      assert.equal(r.code, 65, show(r));
      assert.equal(r.stdout, '', show(r));
      assert.match(r.stderr, /^zones\/hosts\/hosts\.inc:3: @IP@ in an included file is not rendered; move the record into the base file$/m, show(r));
      assert.deepEqual(readFileSync(join(zones, ZONE)), zoneFile);
      assert.equal(await querySoaSerial(primary.port, ZONE), serial);
    } finally {
      writeFileSync(join(zones, 'hosts', 'hosts.inc'), hosts('203.0.113.10'));
    }
  });
});

describe('NS records made by $GENERATE, BIND primary, includes read from its directory', { skip: missing(['named', 'rndc', 'rndc-confgen', 'named-checkzone']), timeout: 120_000 }, () => {
  const ZONE = 'gen.test';
  let root = '';
  let conf = '';
  let primary: NsInstance;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-generate-'));
    const bindDir = join(root, 'primary');
    mkdirSync(bindDir);
    // BIND reads a relative $INCLUDE from its `directory` (the lab's: its own folder)
    conf = site(join(root, 'site'), 'bind', ['rndc'], `include_dir = ${JSON.stringify(bindDir)}\n`);
    writeFileSync(join(root, 'site', 'base', `${ZONE}.base`), `$TTL 300
@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 300 )
$GENERATE 1-2 @ IN NS ns$.${ZONE}.
$GENERATE 1-2 ns$ IN A 127.0.0.$
www  IN A   @IP@
$INCLUDE "extra.inc"
`);
    writeFileSync(join(bindDir, 'extra.inc'), 'extra IN A 203.0.113.77\n');
    const port = await freePort();
    primary = await startBind({ dir: bindDir, role: 'primary', port, zones: [ZONE], zoneDir: join(root, 'site', 'zones'), peerPort: await freePort() });
    writeFileSync(conf, readFileSync(conf, 'utf8').replace('control = ["rndc"]', `control = ${JSON.stringify(primary.control)}\naddress = "127.0.0.1:${port}"`));
  });

  after(async () => {
    try {
      await stopAll();
    } finally {
      if (root) rmSync(root, { recursive: true, force: true });
    }
  });

  it('publishes without --force, started in /; BIND serves the generated NS and the included record', async () => {
    const r = await runZonerw(conf, [], '/');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, '', show(r));
    await serves(primary.port, ZONE, serialOf(r, ZONE), 'the BIND primary');
    assert.deepEqual(await nsTargets(primary.port, ZONE), [`ns1.${ZONE}`, `ns2.${ZONE}`]);
    assert.deepEqual(await queryA(primary.port, `extra.${ZONE}`), ['203.0.113.77']);
    const check = await runZonerw(conf, ['check'], join(root, 'site', 'zones'));
    assert.equal(check.code, 0, show(check));
    assert.match(check.stdout, /validated with named-checkzone/);
  });
});

describe('Knot: zonerw check reads a relative $INCLUDE beside the zone file, as kzonecheck does', { skip: missing(['kzonecheck']) }, () => {
  it('validates from / with kzonecheck', async () => {
    const root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-knot-include-'));
    try {
      const conf = site(root, 'knot', ['true']);
      // no Knot runs here (control `true`): the primary is not asked
      writeFileSync(conf, readFileSync(conf, 'utf8').replace('control = ["true"]', 'control = ["true"]\naddress = false'));
      writeFileSync(join(root, 'base', 'knot.test.base'), `$TTL 300
@    IN SOA ns1.knot.test. hostmaster.knot.test. ( @serial number@ 300 60 1209600 300 )
$INCLUDE sub/ns.inc
www  IN A   @IP@
`);
      mkdirSync(join(root, 'zones', 'sub'));
      // Knot reads a nested relative path beside the file that includes it
      writeFileSync(join(root, 'zones', 'sub', 'ns.inc'), '@ IN NS ns1.knot.test.\n$INCLUDE glue.inc\n');
      writeFileSync(join(root, 'zones', 'sub', 'glue.inc'), 'ns1 IN A 127.0.0.1\n');
      const r = await runZonerw(conf, ['check'], '/');
      assert.equal(r.code, 0, show(r));
      assert.match(r.stdout, /validated with kzonecheck/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
