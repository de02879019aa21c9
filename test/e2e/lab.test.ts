// Proves the loopback lab (test/lab/lab.ts) that the e2e tests and the demo stand on: real NSD
// and BIND primaries start without their zone file, load it on `reload <zone>`, NOTIFY their
// secondary, which transfers it; and everything started is gone by pid afterwards.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  liveGroupMembers,
  needBinary,
  queryA,
  querySoaSerial,
  startBind,
  startHttp,
  startNsd,
  stopAll,
  waitFor,
  type NsInstance,
} from '../lab/lab.js';

const ZONE = 'example.test';

function zoneText(serial: number, www: string): string {
  return [
    '$TTL 300',
    `@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( ${serial} 300 60 1209600 300 )`,
    `@    IN NS  ns1.${ZONE}.`,
    'ns1  IN A   127.0.0.1',
    `www  IN A   ${www}`,
    '',
  ].join('\n');
}

function control(ns: NsInstance, ...args: string[]): void {
  const r = spawnSync(ns.control[0]!, [...ns.control.slice(1), ...args], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, `${ns.control.join(' ')} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
}

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function get(url: string, host?: string): Promise<number> {
  return new Promise((ok, fail) => {
    request(url, { headers: host ? { host } : {} }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    })
      .on('error', fail)
      .end();
  });
}

describe('freePort and startHttp', () => {
  it('hands out distinct ports', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    assert.equal(new Set(ports).size, ports.length);
    for (const p of ports) assert.ok(p > 0 && p < 65536);
  });

  it('answers the set status, refuses when stopped, and comes back on the same port', async () => {
    const h = await startHttp();
    try {
      assert.equal(await get(h.url, 'example.test'), 200);
      assert.equal(h.requests.at(-1)?.host, 'example.test');
      h.setStatus(503);
      assert.equal(await get(h.url), 503);
      await h.stop();
      await assert.rejects(get(h.url), /ECONNREFUSED/);
      const port = h.port;
      await h.start();
      assert.equal(h.port, port);
      h.setStatus(200);
      assert.equal(await get(h.url), 200);
    } finally {
      await h.stop();
    }
  });
});

for (const kind of ['nsd', 'bind'] as const) {
  const bins = kind === 'nsd' ? ['nsd', 'nsd-control'] : ['named', 'rndc', 'rndc-confgen'];
  const missing = bins.filter((b) => !needBinary(b));
  const start = kind === 'nsd' ? startNsd : startBind;

  describe(`lab: ${kind} primary + ${kind} secondary`, { skip: missing.length ? `${missing.join(', ')} not installed` : false }, () => {
    const root = missing.length ? '' : mkdtempSync(join(tmpdir(), `zonerw-lab-${kind}-`));
    const pids: number[] = [];
    let primary: NsInstance;
    let secondary: NsInstance;
    let primaryPort = 0;
    const zoneDir = join(root, 'zones');

    after(async () => {
      try {
        await stopAll();
        for (const pid of pids) {
          assert.ok(gone(pid), `pid ${pid} still exists after stopAll`);
          assert.deepEqual(liveGroupMembers(pid), [], `process group ${pid} still has live members after stopAll`);
        }
      } finally {
        if (root) rmSync(root, { recursive: true, force: true });
      }
    });

    it('starts a primary without its zone file, and a secondary', async () => {
      primaryPort = await freePort();
      const secondaryPort = await freePort();
      primary = await start({ dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir, peerPort: secondaryPort });
      secondary = await start({ dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
      pids.push(primary.pid, secondary.pid);
      assert.equal(primary.kind, kind);
      assert.equal(await querySoaSerial(primary.port, ZONE), undefined, 'no zone file yet: no SOA');
      assert.equal(await querySoaSerial(secondary.port, ZONE), undefined, 'nothing transferred yet');
    });

    it('loads a hand-written zone file on reload, and the secondary follows the notify', async () => {
      writeFileSync(join(zoneDir, ZONE), zoneText(2026010100, '192.0.2.1'));
      control(primary, 'reload', ZONE);
      control(primary, 'notify', ZONE);
      assert.equal(await waitFor(() => querySoaSerial(primary.port, ZONE).then((s) => (s === 2026010100 ? s : undefined)), { what: 'the primary to load serial 2026010100' }), 2026010100);
      await waitFor(() => querySoaSerial(secondary.port, ZONE).then((s) => (s === 2026010100 ? s : undefined)), { what: 'the secondary to serve serial 2026010100' });
      assert.deepEqual(await queryA(secondary.port, `www.${ZONE}`), ['192.0.2.1']);
    });

    it('follows a second change', async () => {
      writeFileSync(join(zoneDir, ZONE), zoneText(2026010101, '198.51.100.7'));
      control(primary, 'reload', ZONE);
      control(primary, 'notify', ZONE);
      await waitFor(() => querySoaSerial(secondary.port, ZONE).then((s) => (s === 2026010101 ? s : undefined)), { what: 'the secondary to serve serial 2026010101' });
      assert.deepEqual(await queryA(secondary.port, `www.${ZONE}`), ['198.51.100.7']);
    });

    it('stops a primary by pid, and restarts it in the same folder on the same port', async () => {
      const old = primary;
      await old.stop();
      assert.ok(gone(old.pid), 'the stopped pid is gone');
      assert.equal(await querySoaSerial(primaryPort, ZONE, 300), undefined, 'nothing answers on the stopped port');
      const r = spawnSync(old.control[0]!, [...old.control.slice(1), 'reload', ZONE], { encoding: 'utf8', timeout: 10_000 });
      assert.notEqual(r.status, 0, 'the control command fails while the server is down');

      writeFileSync(join(zoneDir, ZONE), zoneText(2026010102, '192.0.2.1'));
      primary = await start({ dir: old.dir, role: 'primary', port: primaryPort, zones: [ZONE], zoneDir, peerPort: secondary.port });
      pids.push(primary.pid);
      assert.deepEqual(primary.control, old.control, 'the control argv zonerw is configured with stays valid');
      assert.equal(await querySoaSerial(primary.port, ZONE), 2026010102, 'the restarted primary loads the file at start');
      control(primary, 'reload', ZONE);
      control(primary, 'notify', ZONE);
      await waitFor(() => querySoaSerial(secondary.port, ZONE).then((s) => (s === 2026010102 ? s : undefined)), { what: 'the secondary to serve serial 2026010102' });
      assert.match(primary.log(), kind === 'nsd' ? /control cmd:\s+reload example\.test/ : /control channel command 'reload example\.test'/);
    });
  });
}
