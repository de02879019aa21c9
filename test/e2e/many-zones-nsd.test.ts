// Twelve zones against real NSD: the reload and the NOTIFY go out as one zoneless
// nsd-control command each (the control command is a wrapper that logs its arguments), and NSD
// must still pick up every changed file, even when two publishes land within the same second.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, labPath, needBinary, queryA, querySoaSerial, startHttp, startNsd, stopAll, waitFor, type HttpTarget } from '../lab/lab.js';
import { zonerw } from '../helpers/cli.js';

const have = needBinary('nsd') && needBinary('nsd-control') && needBinary('nsd-checkzone');
const ZONES = Array.from({ length: 12 }, (_, i) => `z${i}.test`);
let dir: string;
let conf: string;
let main: HttpTarget;
let secondaryPort: number;
let controlLog: string;

before(async () => {
  if (!have) return;
  dir = mkdtempSync(join(tmpdir(), 'zonerw-many-'));
  for (const sub of ['base', 'zones', 'primary', 'secondary']) mkdirSync(join(dir, sub));
  for (const z of ZONES) {
    writeFileSync(join(dir, 'base', `${z}.base`), `$TTL 60\n@ IN SOA ns1.${z}. h.${z}. ( @serial number@ 300 60 1209600 60 )\n@ IN NS ns1.${z}.\nns1 IN A 127.0.0.1\nwww IN A @IP@\n`);
  }
  const primaryPort = await freePort();
  secondaryPort = await freePort();
  const primary = await startNsd({ dir: join(dir, 'primary'), role: 'primary', port: primaryPort, zones: ZONES, zoneDir: join(dir, 'zones'), peerPort: secondaryPort });
  await startNsd({ dir: join(dir, 'secondary'), role: 'secondary', port: secondaryPort, zones: ZONES, peerPort: primaryPort });
  main = await startHttp(200);
  // The control command as a wrapper that logs each call's arguments, then runs nsd-control.
  controlLog = join(dir, 'control.log');
  const wrapper = join(dir, 'control.sh');
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${controlLog}'\nexec "$@"\n`);
  chmodSync(wrapper, 0o755);
  conf = join(dir, 'zonerw.toml');
  writeFileSync(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "nsd"\ncontrol = ${JSON.stringify([wrapper, ...primary.control])}\ncheckzone = "always"\naddress = "127.0.0.1:${primaryPort}"\n[check]\ntimeout = "1s"\nattempts = 1\nrecover_after = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "${main.url}"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`);
});

after(async () => {
  await stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runAndWait(expected: string): Promise<void> {
  rmSync(controlLog, { force: true });
  const r = await zonerw(['--config', conf], { PATH: labPath() });
  const calls = readFileSync(controlLog, 'utf8').trim().split('\n').map((line) => line.split(' ').slice(-1)[0]);
  assert.deepEqual(calls, ['reload', 'notify'], 'one zoneless reload, then one zoneless notify, for all twelve zones');
  assert.equal(r.code, 0, r.stderr);
  const serials = [...r.stdout.matchAll(/^(z\d+\.test): serial (\d{10})/gm)];
  assert.equal(serials.length, ZONES.length, r.stdout);
  for (const [, zone, serial] of serials) {
    await waitFor(async () => ((await querySoaSerial(secondaryPort, zone!)) === Number(serial) ? true : undefined), { what: `${zone} at ${serial}` });
    assert.deepEqual(await queryA(secondaryPort, `www.${zone}`), [expected]);
  }
}

test('one zoneless reload and notify cover twelve zones, even two publishes in one second', { skip: !have && 'nsd is not installed' }, async () => {
  await runAndWait('192.0.2.1');
  main.setStatus(503);
  await runAndWait('198.51.100.7');
  main.setStatus(200);
  await runAndWait('192.0.2.1'); // within about a second of the previous publish
});
