// @IPS@ and @IP6@ end to end: the built binary, an NSD primary and an NSD secondary on
// loopback, three "web servers" behind round robin. The secondary must serve one A record per
// server that is up, and the favoured server's AAAA.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, labPath, needBinary, queryA, querySoaSerial, startHttp, startNsd, stopAll, waitFor, type HttpTarget, type NsInstance } from '../lab/lab.js';
import { zonerw } from '../helpers/cli.js';

const ZONE = 'rr.test';
const have = needBinary('nsd') && needBinary('nsd-control') && needBinary('nsd-checkzone');
let dir: string;
const targets: HttpTarget[] = [];
let secondaryPort: number;
let conf: string;
let secondary: NsInstance;

before(async () => {
  if (!have) return;
  dir = mkdtempSync(join(tmpdir(), 'zonerw-rr-'));
  for (const sub of ['base', 'zones', 'primary', 'secondary']) mkdirSync(join(dir, sub));
  writeFileSync(
    join(dir, 'base', `${ZONE}.base`),
    `$TTL 60\n@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 60 )\n@ IN NS ns1.${ZONE}.\nns1 IN A 127.0.0.1\nwww IN A @IPS@\nwww IN AAAA 2001:db8::1 ; @IP6@\n`,
  );
  const primaryPort = await freePort();
  secondaryPort = await freePort();
  const primary = await startNsd({ dir: join(dir, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(dir, 'zones'), peerPort: secondaryPort });
  secondary = await startNsd({ dir: join(dir, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
  for (let i = 0; i < 3; i++) targets.push(await startHttp(200));
  const servers = targets
    .map((t, i) => `[[server]]\nname = "web${i + 1}"\naddress = "192.0.2.${i + 1}"\naddress6 = "2001:db8::${i + 1}"\ncheck = "${t.url}"\n`)
    .join('');
  conf = join(dir, 'zonerw.toml');
  writeFileSync(
    conf,
    `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\nall_down = "last"\nsecondaries = ["127.0.0.1:${secondaryPort}"]\nsecondary_wait = "2s"\n[nameserver]\nkind = "nsd"\ncontrol = ${JSON.stringify(primary.control)}\ncheckzone = "always"\naddress = "127.0.0.1:${primaryPort}"\n[check]\ntimeout = "1s"\nattempts = 1\nrecover_after = 1\n${servers}`,
  );
});

after(async () => {
  await stopAll();
  for (const t of targets) await t.stop().catch(() => {});
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function publish(): Promise<number> {
  const r = await zonerw(['--config', conf], { PATH: labPath() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'the secondary caught up within secondary_wait: nothing to say');
  const serial = Number(/^rr\.test: serial (\d{10})/m.exec(r.stdout)?.[1]);
  await waitFor(async () => ((await querySoaSerial(secondaryPort, ZONE)) === serial ? true : undefined), { what: `the secondary at serial ${serial}` });
  return serial;
}

test('the secondary serves one A per server that is up, and the favoured AAAA', { skip: !have && 'nsd is not installed' }, async () => {
  await publish();
  assert.deepEqual(await queryA(secondaryPort, `www.${ZONE}`), ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  assert.deepEqual(await queryA(secondaryPort, `www.${ZONE}`, 1000, 'AAAA'), ['2001:db8::1']);

  targets[0]!.setStatus(503);
  await publish();
  assert.deepEqual(await queryA(secondaryPort, `www.${ZONE}`), ['192.0.2.2', '192.0.2.3']);
  assert.deepEqual(await queryA(secondaryPort, `www.${ZONE}`, 1000, 'AAAA'), ['2001:db8::2']);

  targets[1]!.setStatus(503);
  await publish();
  assert.deepEqual(await queryA(secondaryPort, `www.${ZONE}`), ['192.0.2.3']);

  // none up: never zero records; all_down = "last"
  targets[2]!.setStatus(503);
  const r = await zonerw(['--config', conf], { PATH: labPath() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await queryA(secondaryPort, `www.${ZONE}`), ['192.0.2.3']);
});

test('zonerw watches the secondary: status shows it current; a dead secondary is reported', { skip: !have && 'nsd is not installed' }, async () => {
  const before = JSON.parse((await zonerw(['--config', conf, 'status', '--json'], { PATH: labPath() })).stdout);
  const serial = before.zones[0].serial;
  assert.deepEqual(before.zones[0].secondaries, [{ secondary: `127.0.0.1:${secondaryPort}`, serial, state: 'current' }]);
  await secondary.stop();
  targets[0]!.setStatus(200); // web1 back: a change to publish
  const r = await zonerw(['--config', conf], { PATH: labPath() });
  assert.equal(r.code, 0, 'strict_secondaries is off');
  assert.match(r.stderr, new RegExp(`^secondaries behind: rr\\.test: 127\\.0\\.0\\.1:${secondaryPort} does not answer \\(no answer within 1s\\), for [23]s\\n$`));
  const text = (await zonerw(['--config', conf, 'status'], { PATH: labPath() })).stdout;
  assert.match(text, new RegExp(`^ {4}secondary 127\\.0\\.0\\.1:${secondaryPort}: NO ANSWER \\(no answer within 1s\\)$`, 'm'));
});
