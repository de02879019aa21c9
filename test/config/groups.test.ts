// Service groups in the config: [[group]] tables beside (or instead of) the top-level [[server]]
// tables, which are the group `default`. The mistakes are fixtures (test/fixtures/config/group-*),
// checked with their exact messages by validate.test.ts; here the valid shapes and the defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { configGroups, groupOfServer, type Config } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors.js';

const TOP = 'base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n';

function config(toml: string): Config {
  return validateConfig(parse(TOP + toml), '/etc/zonerw/zonerw.toml');
}

const MAIL = `
[[group]]
name = "mail"
check = { fail_after = 1, timeout = "2s" }

[[group.server]]
name    = "mx1"
address = "192.0.2.25"
check   = { tcp = "192.0.2.25:25", expect_banner = "220 " }

[[group.server]]
name    = "mx2"
address = "198.51.100.25"
`;

test('top-level servers are the group default; [[group]] tables follow it, in config order', () => {
  const cfg = config(`all_down = "last"\n[check]\nfail_after = 3\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "http://192.0.2.1/"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n${MAIL}`);
  assert.deepEqual(cfg.groups!.map((g) => [g.name, g.allDown, g.servers.map((s) => s.name)]), [['default', 'last', ['main', 'backup']], ['mail', 'last', ['mx1', 'mx2']]]);
  assert.deepEqual(cfg.servers.map((s) => s.name), ['main', 'backup', 'mx1', 'mx2'], 'every server, the default group first');
  assert.equal(cfg.servers[0]!.check!.failAfter, 3, '[check] for the default group');
  // the group's check over [check], a server's own check over both
  assert.deepEqual(cfg.groups![1]!.servers[0]!.check, { attempts: 1, failAfter: 1, recoverAfter: 2, spec: { kind: 'tcp', host: '192.0.2.25', port: 25, timeoutMs: 2000, maxBytes: 65536, expectBanner: '220 ' } });
  assert.equal(groupOfServer(cfg, 'mx2')?.name, 'mail');
  assert.equal(groupOfServer(cfg, 'backup')?.name, 'default');
  assert.equal(groupOfServer(cfg, 'nosuch'), undefined);
});

test('a config of top-level servers alone has no `groups`: the one group is default (configGroups)', () => {
  const cfg = config('[[server]]\nname = "main"\naddress = "192.0.2.1"\n');
  assert.ok(!('groups' in cfg));
  assert.deepEqual(configGroups(cfg), [{ name: 'default', servers: cfg.servers, allDown: 'keep' }]);
});

test('a config of [[group]] tables alone is fine: no default group', () => {
  const cfg = config(`${MAIL}\n[[group]]\nname = "web"\nall_down = "first"\n[[group.server]]\nname = "web1"\naddress = "203.0.113.80"\n`);
  assert.deepEqual(cfg.groups!.map((g) => [g.name, g.allDown]), [['mail', 'keep'], ['web', 'first']]);
  assert.deepEqual(cfg.servers.map((s) => s.name), ['mx1', 'mx2', 'web1']);
  // a [[group]] may be called default when there are no top-level servers: it is the default group
  const named = config('[[group]]\nname = "default"\n[[group.server]]\nname = "a"\naddress = "192.0.2.1"\n');
  assert.deepEqual(configGroups(named).map((g) => g.name), ['default']);
});

test('no server at all, in no group: the message of a config without [[server]]', () => {
  for (const toml of ['', 'group = []\n']) {
    assert.throws(() => config(toml), (e: unknown) => e instanceof ConfigError && e.problems.join('\n') === 'server: missing: add at least one [[server]] with name and address');
  }
});
