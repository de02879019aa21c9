// zonerw check's questions to the machine (run/preflight-system.ts) with a stand-in System, the
// real System adapter's readings on temp files, and the EROFS advice a run gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../src/config/types.js';
import type { System, UnitSandbox } from '../../src/run/ports.js';
import { nameserverCanRead, noneWithNameserverRunning, writableUnderUnit, type SystemPreflight } from '../../src/run/preflight-system.js';
import { systemView } from '../../src/adapters/system.js';
import { describeAccessError, readOnlyFix } from '../../src/adapters/access.js';

function preflight(cfg: Omit<Partial<Config>, 'nameserver'> & { nameserver: Partial<Config['nameserver']> }, system: Partial<System>, zones: string[] = []) {
  const problems: [string, string][] = [];
  const p: SystemPreflight = {
    cfg: { zoneDir: '/var/lib/nsd/zones', stateDir: '/var/lib/zonerw', zoneFile: '{zone}', file: '/etc/zonerw/zonerw.toml', ...cfg, nameserver: { ...{ kind: 'nsd' }, ...cfg.nameserver } } as Config,
    deps: {
      system: { runningNameservers: async () => [], unitSandbox: async () => undefined, cannotRead: async () => undefined, underSystemd: () => false, ...system },
      peekState: async () => assert.fail('not asked'),
    },
    problem: (line, kind) => problems.push([kind, line]),
    folders: { zone: true, state: true },
    zones,
  };
  return { p, problems };
}

test('kind = "none" with a nameserver running: a config problem naming the kind to set', async () => {
  const { p, problems } = preflight({ nameserver: { kind: 'none' } }, { runningNameservers: async () => [{ name: 'nsd', uid: 110, system: true }, { name: 'named', uid: 0, system: false }] });
  await noneWithNameserverRunning(p);
  assert.deepEqual(problems, [['config', 'nameserver.kind: "none", but nsd runs on this machine: runs would install zone files and reload nothing (DNS keeps serving the old zones); set kind = "nsd" in [nameserver] (with its control command and address)']]);
  const quiet = preflight({ nameserver: { kind: 'none' } }, {});
  await noneWithNameserverRunning(quiet.p);
  assert.deepEqual(quiet.problems, [], 'no nameserver running: kind none is right');
});

test('the unit sandbox: zone_dir outside ReadWritePaths under ProtectSystem=strict is a failure with systemctl edit zonerw', async () => {
  const sandbox: UnitSandbox = { files: ['/lib/systemd/system/zonerw.service'], protectSystem: 'strict', readWritePaths: ['/var/lib/zonerw', '/var/lib/nsd/zones'] };
  const inside = preflight({ nameserver: {} }, { unitSandbox: async () => sandbox });
  await writableUnderUnit(inside.p);
  assert.deepEqual(inside.problems, [], 'both folders are in ReadWritePaths');
  const outside = preflight({ zoneDir: '/srv/dns/zones', nameserver: {} }, { unitSandbox: async () => sandbox });
  await writableUnderUnit(outside.p);
  assert.equal(outside.problems.length, 1);
  assert.match(outside.problems[0]![1], /^zone_dir: \/srv\/dns\/zones is read-only for runs of zonerw\.service \(ProtectSystem=strict in \/lib\/systemd\/system\/zonerw\.service, .*systemctl edit zonerw: \[Service\] ReadWritePaths=\/srv\/dns\/zones$/);
  const none = preflight({ zoneDir: '/srv/dns/zones', nameserver: {} }, {});
  await writableUnderUnit(none.p);
  assert.deepEqual(none.problems, [], 'no zonerw.service: nothing to ask');
});

test('the nameserver user: zone_dir it cannot list is said once, with the chmod', async () => {
  const { p, problems } = preflight({ nameserver: {} }, {
    runningNameservers: async () => [{ name: 'nsd', uid: 110, system: true }],
    cannotRead: async (uid, path) => (path === '/var/lib/nsd/zones' ? `nsd cannot list ${path} (mode 700, owner uid 0, group gid 0)` : undefined),
  }, ['example.com']);
  await nameserverCanRead(p);
  assert.deepEqual(problems, [['failed', '/var/lib/nsd/zones: the nameserver cannot read it: nsd cannot list /var/lib/nsd/zones (mode 700, owner uid 0, group gid 0); chmod a+rx /var/lib/nsd/zones']]);
  const root = preflight({ nameserver: {} }, { runningNameservers: async () => [{ name: 'nsd', uid: 0, system: true }], cannotRead: async () => 'never' }, ['example.com']);
  await nameserverCanRead(root.p);
  assert.deepEqual(root.problems, [], 'a nameserver run as root reads anything');
});

test('the System adapter: mode bits decide what another user can read; a unit file is not required', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zonerw-system-'));
  try {
    const zones = join(dir, 'zones');
    mkdirSync(zones);
    writeFileSync(join(zones, 'example.com'), 'x');
    chmodSync(dir, 0o755);
    chmodSync(zones, 0o750);
    chmodSync(join(zones, 'example.com'), 0o640);
    const nobody = 65534;
    assert.match((await systemView.cannotRead(nobody, zones)) ?? '', /cannot list .*zones \(mode 750/);
    chmodSync(zones, 0o755);
    assert.equal(await systemView.cannotRead(nobody, zones), undefined);
    assert.match((await systemView.cannotRead(nobody, join(zones, 'example.com'))) ?? '', /cannot read .*example\.com \(mode 640/);
    assert.equal(await systemView.cannotRead(0, join(zones, 'example.com')), undefined, 'root reads anything');
    assert.ok(Array.isArray(await systemView.runningNameservers()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('EROFS: the run says systemctl edit zonerw and ReadWritePaths', () => {
  const erofs = Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' });
  assert.match(describeAccessError(erofs, { write: '/srv/dns/zones' }), /ReadWritePaths=\/srv\/dns\/zones$/);
  assert.equal(readOnlyFix('/srv/dns/zones', { INVOCATION_ID: 'x' }), '/srv/dns/zones is read-only for this systemd unit (ProtectSystem=strict); add it with systemctl edit zonerw: [Service] ReadWritePaths=/srv/dns/zones');
  assert.match(readOnlyFix('/srv/dns/zones', {}), /^\/srv\/dns\/zones is on a read-only file system/);
});
