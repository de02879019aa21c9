// zonerw run as a dedicated user (setpriv to `zonerw-ci`, made with useradd when absent) with
// exactly the rights README's "Running as a dedicated user" gives it for NSD: the state folder
// its own, the zone folder its own (and so the zone files it writes), membership of NSD's group
// for the control socket (NSD runs as `nsd` here, as Debian runs it, and gives its socket to
// that group), read access to the config and base files. With those a failover and a failback
// go through to a real NSD secondary. Then each right is taken away in turn: `zonerw check`
// finds it first, with the fix, and a run that needs it says the same fix; given back, the next
// run recovers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { readableBin } from '../helpers/paths.js';
import { skipUnlessCI } from '../helpers/need.js';
import { binaryPath, freePort, labPath, queryA, querySoaSerial, startHttp, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance } from '../lab/lab.js';

const USER = 'zonerw-ci';
const ZONE = 'example.test';
const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const BASE = `$TTL 300
@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.${ZONE}.
ns1  IN A   127.0.0.1
www  IN A   @IP@
`;

function missing(): string | false {
  if (process.getuid?.() !== 0) return 'not root: cannot make a user nor drop privileges to it';
  const bins = ['setpriv', 'useradd', 'usermod', 'nsd', 'nsd-control', 'nsd-checkzone'].filter((b) => binaryPath(b) === undefined);
  if (bins.length > 0) return `${bins.join(', ')} not installed`;
  if (spawnSync('getent', ['group', 'nsd']).status !== 0) return 'no group nsd (the nsd package makes it)';
  return false;
}
const SKIP = skipUnlessCI(missing());

/** `id -u USER`, making the user (a system user with its own group, no home, no shell) when absent. */
function ensureUser(): { uid: number; gid: number; made: boolean } {
  let made = false;
  if (spawnSync('id', ['-u', USER]).status !== 0) {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' });
    assert.equal(r.status, 0, `useradd ${USER}: ${r.stderr}`);
    made = true;
  }
  // README: "adduser zonerw nsd" (usermod -aG is the same without Debian's adduser)
  const g = spawnSync('usermod', ['-aG', 'nsd', USER], { encoding: 'utf8' });
  assert.equal(g.status, 0, `usermod -aG nsd ${USER}: ${g.stderr}`);
  const id = (flag: string) => Number(spawnSync('id', [flag, USER], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g'), made };
}

describe(`zonerw as a dedicated user (${USER}) with NSD`, { skip: SKIP, timeout: 180_000 }, () => {
  let root = '';
  let site = '';
  let conf = '';
  let zones = '';
  let state = '';
  let zoneFile = '';
  let uid = 0;
  let gid = 0;
  let madeUser = false;
  let http: HttpTarget;
  let primary: NsInstance;
  let secondary: NsInstance;
  const who = () => `(running as ${USER}, uid ${uid})`;

  /** zonerw as the user: with the groups /etc/group gives it (nsd), or none at all. */
  const as = (args: string[], groups: 'init' | 'none' = 'init'): Promise<CliResult> =>
    zonerw(['--config', conf, ...args], { PATH: labPath() }, {
      bin: readableBin(),
      timeoutMs: 60_000,
      under: ['setpriv', `--reuid=${uid}`, `--regid=${USER}`, groups === 'init' ? '--init-groups' : '--clear-groups'],
    });
  const show = (r: CliResult) => `exit ${r.code}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`;
  const serialOf = () => Number(/\( (\d+) /.exec(readFileSync(zoneFile, 'latin1'))![1]);
  const secondaryServes = (serial: number, ip: string) =>
    waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === serial && (await queryA(secondary.port, `www.${ZONE}`))[0] === ip ? true : undefined), {
      timeoutMs: 10_000,
      what: `the secondary to serve serial ${serial} with www ${ip}`,
    });

  before(async () => {
    ({ uid, gid, made: madeUser } = ensureUser());
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-user-'));
    chmodSync(root, 0o755); // the path to the site and to NSD's folder: traversable by everyone
    site = join(root, 'site');
    zones = join(site, 'zones');
    state = join(site, 'state');
    zoneFile = join(zones, ZONE);
    mkdirSync(join(site, 'base'), { recursive: true });
    writeFileSync(join(site, 'base', `${ZONE}.base`), BASE); // root's, 0644: read access is enough
    // The documented rights: the zone folder and the state folder are the user's.
    mkdirSync(zones, { mode: 0o755 });
    chownSync(zones, uid, gid);
    mkdirSync(state, { mode: 0o755 });
    chownSync(state, uid, gid);

    http = await startHttp(200);
    const [pPort, sPort] = [await freePort(), await freePort()];
    primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port: pPort, peerPort: sPort, zones: [ZONE], zoneDir: zones, user: 'nsd' });
    secondary = await startNsd({ dir: join(root, 'secondary'), role: 'secondary', port: sPort, peerPort: pPort, zones: [ZONE] });
    conf = join(site, 'zonerw.toml');
    writeFileSync(
      conf,
      `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\ntimezone = "UTC"\n` +
        `[nameserver]\nkind = "nsd"\ncontrol = ${JSON.stringify(primary.control)}\naddress = "127.0.0.1:${pPort}"\ncheckzone = "always"\ntimeout = "10s"\n` +
        `[check]\ntimeout = "2s"\nattempts = 1\nfail_after = 1\nrecover_after = 1\n` +
        `[[server]]\nname = "main"\naddress = "${MAIN}"\ncheck = "${http.url}"\n[[server]]\nname = "backup"\naddress = "${BACKUP}"\n`,
    );
  });

  after(async () => {
    await stopAll();
    if (root) rmSync(root, { recursive: true, force: true });
    if (madeUser) spawnSync('userdel', [USER]);
  });

  test('with the documented rights: check says ok, and a failover and a failback reach the secondary', async () => {
    const ok = await as(['check']);
    assert.equal(ok.code, 0, show(ok));
    assert.match(ok.stdout, /^ok: zonerw\.toml: 2 servers, 1 zone \(validated with nsd-checkzone\)$/m);

    const first = await as([]);
    assert.equal(first.code, 0, show(first));
    await secondaryServes(serialOf(), MAIN);
    const st = spawnSync('stat', ['-c', '%U %a', zoneFile, state, join(state, 'state.json')], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.deepEqual(st, [`${USER} 644`, `${USER} 755`, `${USER} 644`], 'the zone file and the state are the user\'s, readable by others');

    http.setStatus(503);
    const failover = await as([]);
    assert.equal(failover.code, 0, show(failover));
    assert.match(failover.stdout, new RegExp(`^${ZONE}: serial \\d+, www -> ${BACKUP.replaceAll('.', '\\.')}$`, 'm'));
    await secondaryServes(serialOf(), BACKUP);

    http.setStatus(200);
    const failback = await as([]);
    assert.equal(failback.code, 0, show(failback));
    await secondaryServes(serialOf(), MAIN);
  });

  test('not in NSD\'s group: check finds it first; a run says the fix, keeps the reload pending, and the next run with the right does it', async () => {
    const check = await as(['check'], 'none');
    assert.equal(check.code, 1, show(check));
    const hint = `${who()} ${USER} needs access to NSD's control socket, which NSD gives to its own group: adduser ${USER} nsd`;
    assert.equal(check.stderr, `nameserver.control: ${primary.control.join(' ')} status failed (exit 1): error: connect (${join(root, 'primary', 'nsd.ctl')}): Permission denied; ${hint}\n`);

    http.setStatus(503);
    const run = await as([], 'none');
    assert.equal(run.code, 1, show(run));
    assert.ok(run.stderr.includes(hint), show(run));
    assert.match(run.stderr, /will retry on the next run/);
    const again = await as([]);
    assert.equal(again.code, 0, show(again));
    await secondaryServes(serialOf(), BACKUP);
  });

  test('a zone file owned by another user (edited as root): check finds it first; a run refuses to take its owner, naming the fix', async () => {
    chownSync(zoneFile, 0, 0);
    const check = await as(['check']);
    assert.equal(check.code, 1, show(check));
    const fix = `make ${USER} its owner (chown ${USER}: ${zoneFile}), or run zonerw as root`;
    assert.equal(check.stderr, `${ZONE}: ${zoneFile} is owned by 0:0; zonerw replaces it keeping its owner, which ${USER}, uid ${uid} cannot do: ${fix}\n`);
    http.setStatus(200);
    const run = await as([]);
    assert.equal(run.code, 1, show(run));
    assert.ok(run.stderr.includes(`${ZONE}: cannot write ${zoneFile}: cannot keep its owner 0:0: EPERM: operation not permitted ${who()}: ${fix}`), show(run));
    chownSync(zoneFile, uid, gid);
    const fixed = await as([]);
    assert.equal(fixed.code, 0, show(fixed));
    await secondaryServes(serialOf(), MAIN);
  });

  test('trust (README "Trust"): the config group-writable by nsd, a group the user is in, is refused before anything runs; by the user\'s own group it passes', async () => {
    const nsdGid = Number(spawnSync('getent', ['group', 'nsd'], { encoding: 'utf8' }).stdout.split(':')[2]);
    chmodSync(conf, 0o664);
    chownSync(conf, 0, nsdGid);
    try {
      for (const args of [['check'], []]) {
        const r = await as(args);
        assert.equal(r.code, 78, show(r));
        assert.match(r.stderr, new RegExp(`^zonerw: ${conf}: the config file is writable by the group nsd \\(gid ${nsdGid}\\), which is not root's or ${USER}'s group .*mode 0664\\).*: chmod g-w ${conf}\n$`));
      }
      chownSync(conf, 0, gid);
      const own = await as(['check']);
      assert.equal(own.code, 0, show(own));
    } finally {
      chownSync(conf, 0, 0);
      chmodSync(conf, 0o644);
    }
  });

  test('a state folder that is not the user\'s: check finds it first; a run cannot take the lock, and says how to give the right', async () => {
    chownSync(state, 0, 0);
    try {
      const check = await as(['check']);
      assert.equal(check.code, 1, show(check));
      assert.ok(check.stderr.includes(`state_dir: ${state} is not writable by ${USER}, uid ${uid}: give ${USER} write access to ${state} (chown ${USER} ${state})\n`), show(check));
      const run = await as([]);
      assert.equal(run.code, 1, show(run));
      assert.equal(run.stderr, `zonerw: cannot take the lock ${join(state, 'zonerw.lock')}: EACCES: permission denied ${who()}: give ${USER} write access to ${state} (chown ${USER} ${state})\n`);
    } finally {
      chownSync(state, uid, gid);
    }
    assert.equal((await as(['check'])).code, 0);
  });

  test('a zone folder that is not the user\'s: check finds it first; a run names the folder and the fix, the old zone stays served', async () => {
    chownSync(zones, 0, 0);
    try {
      const check = await as(['check']);
      assert.equal(check.code, 1, show(check));
      assert.ok(check.stderr.includes(`zone_dir: ${zones} is not writable by ${USER}, uid ${uid}: give ${USER} write access to ${zones} (chown ${USER} ${zones})\n`), show(check));
      const before = serialOf();
      http.setStatus(503);
      const run = await as([]);
      assert.equal(run.code, 1, show(run));
      assert.ok(run.stderr.includes(`${ZONE}: cannot write ${zoneFile}: EACCES: permission denied ${who()}: give ${USER} write access to ${zones} (chown ${USER} ${zones})`), show(run));
      assert.equal(serialOf(), before, 'the old zone stays');
    } finally {
      chownSync(zones, uid, gid);
    }
    const fixed = await as([]);
    assert.equal(fixed.code, 0, show(fixed));
    await secondaryServes(serialOf(), BACKUP);
  });
});
