// zonerw run exactly as cron runs it: `env -i PATH=/usr/bin:/bin`, umask 077, no HOME, USER or
// LOGNAME, from /. The control command is the bare `nsd-control` and checkzone is left at
// "auto", as a new user writes them; nsd-control and nsd-checkzone live in /usr/sbin, which that
// PATH lacks. A real NSD primary and secondary on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { binaryPath, freePort, needBinary, queryA, querySoaSerial, startHttp, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { BACKUP, BASE, MAIN, ZONE } from './scenario.js';

const CRON_PATH = '/usr/bin:/bin';
/** cron's umask on Debian is 022, but a root crontab under a hardened PAM config gives 077: the stricter one. */
const UNDER = ['/bin/sh', '-c', 'umask 077; cd /; exec "$@"', 'sh'];

const have = ['nsd', 'nsd-control', 'nsd-checkzone'].every((b) => needBinary(b));
const sbinOnly = have && !CRON_PATH.split(':').some((d) => binaryPath('nsd-control')!.startsWith(`${d}/`));

describe('as cron runs it: env -i PATH=/usr/bin:/bin, umask 077, no HOME; bare nsd-control, checkzone = "auto"', { skip: !have && 'nsd is not installed (apt-get install nsd)', timeout: 60_000 }, () => {
  let root = '';
  let conf = '';
  let http: HttpTarget;
  let secondary: NsInstance;
  const cron = async (args: string[] = []): Promise<CliResult> => {
    // env is the whole environment: PATH and nothing else (no HOME, USER, LOGNAME, TZ, LANG)
    const r = await zonerw(['--config', conf, ...args], { PATH: CRON_PATH }, { under: UNDER, timeoutMs: 30_000 });
    return r;
  };
  const show = (r: CliResult) => `exit ${r.code}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-cron-'));
    const site = join(root, 'site');
    for (const d of ['base', 'zones', 'state']) mkdirSync(join(site, d), { recursive: true });
    writeFileSync(join(site, 'base', `${ZONE}.base`), BASE);
    http = await startHttp(200);
    const primaryPort = await freePort();
    const secondaryPort = await freePort();
    const primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: secondaryPort });
    secondary = await startNsd({ dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
    const nsdConf = primary.control[primary.control.indexOf('-c') + 1]!;
    conf = join(site, 'zonerw.toml');
    writeFileSync(
      conf,
      `base_dir  = "base"
zone_dir  = "zones"
state_dir = "state"
secondaries = ["127.0.0.1:${secondaryPort}"]

[nameserver]
kind    = "nsd"
control = ["nsd-control", "-c", ${JSON.stringify(nsdConf)}]
address = "127.0.0.1:${primaryPort}"

[check]
timeout  = "2s"
attempts = 1

[[server]]
name    = "main"
address = "${MAIN}"
check   = { url = "${http.url}", host = "${ZONE}" }

[[server]]
name    = "backup"
address = "${BACKUP}"
`,
    );
  });

  after(async () => {
    try {
      await stopAll();
    } finally {
      if (root) rmSync(root, { recursive: true, force: true });
    }
  });

  it('the tools really are outside cron\'s PATH here (else this test proves nothing)', (t) => {
    if (!sbinOnly) t.diagnostic(`nsd-control is at ${binaryPath('nsd-control')}, on ${CRON_PATH}: the sbin lookup is not exercised`);
    assert.ok(sbinOnly || !process.env.CI, `nsd-control at ${binaryPath('nsd-control')}`);
  });

  it('publishes, and the failover reaches the secondary', async () => {
    const first = await cron();
    assert.equal(first.code, 0, show(first));
    assert.equal(first.stderr, '', show(first));
    const serial = Number(/^example\.test: serial (\d{10})/m.exec(first.stdout)?.[1]);
    assert.ok(serial > 0, show(first));
    await waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === serial ? true : undefined), { what: `the secondary at ${serial}` });
    const zoneFile = join(dirname(conf), 'zones', ZONE);
    assert.equal(statSync(zoneFile).mode & 0o777, 0o644, 'a new zone file is 0644 whatever the umask: the nameserver\'s user reads it');

    http.setStatus(503);
    const r = await cron();
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /favouring backup 198\.51\.100\.7/, show(r));
    assert.equal(r.stderr, '', `reload, primary check and secondary all fine from cron's PATH\n${show(r)}`);
    const failover = Number(/^example\.test: serial (\d{10})/m.exec(r.stdout)?.[1]);
    assert.ok(failover > serial);
    await waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === failover ? true : undefined), { what: `the secondary at ${failover}` });
    assert.deepEqual(await queryA(secondary.port, `www.${ZONE}`), [BACKUP]);
    assert.match(readFileSync(zoneFile, 'utf8'), /www {2}IN A {3}198\.51\.100\.7/);
  });

  it('a base with 192.0.2.300 is refused by nsd-checkzone, found in the sbin folders; zonerw check says so too', async () => {
    const baseFile = join(dirname(conf), 'base', `${ZONE}.base`);
    const zoneFile = join(dirname(conf), 'zones', ZONE);
    const before = readFileSync(zoneFile);
    writeFileSync(baseFile, BASE.replace('www  IN A   @IP@', 'www  IN A   192.0.2.300'));
    try {
      const r = await cron(['--force']);
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /^example\.test: refused by nsd-checkzone, not installed \(the old zone stays\): .*base\/example\.test\.base:5: invalid IPv4 address '192\.0\.2\.300'/m, show(r));
      assert.deepEqual(readFileSync(zoneFile), before, 'the installed zone is unchanged');
      const check = await cron(['check']);
      assert.equal(check.code, 1, show(check));
      assert.match(check.stderr, /^example\.test: refused by nsd-checkzone: /m, show(check));
    } finally {
      writeFileSync(baseFile, BASE);
    }
    const ok = await cron(['check']);
    assert.equal(ok.code, 0, show(ok));
    assert.match(ok.stdout, /\(validated with nsd-checkzone\)$/m, show(ok));
  });
});
