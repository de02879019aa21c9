// [[vantage]] tables and the quorum: what a config gives, and every mistake with its key path (exit 78).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError, EXIT } from '../../src/errors.js';

const base = { base_dir: 'base', zone_dir: 'zones', state_dir: 'state', server: [{ name: 'main', address: '192.0.2.1', check: 'http://192.0.2.1/' }, { name: 'backup', address: '192.0.2.2' }] };

function problems(raw: unknown): string[] {
  try {
    validateConfig(raw, '/etc/zonerw/zonerw.toml');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.exitCode, EXIT.config);
    assert.equal(e.exitCode, 78);
    return [...e.problems];
  }
  return assert.fail('accepted');
}

test('no [[vantage]]: zonerw decides alone, no quorum', () => {
  const cfg = validateConfig(base, '/etc/zonerw/zonerw.toml');
  assert.equal(cfg.vantages, undefined);
  assert.equal(cfg.quorum, undefined);
});

test('two vantages: default modules, quorum 2 of 3; a server check names its own module', () => {
  const cfg = validateConfig({
    ...base,
    server: [{ name: 'main', address: '192.0.2.1', check: { url: 'http://192.0.2.1/', module: 'http_vhost' } }, { name: 'backup', address: '192.0.2.2', check: { tcp: '192.0.2.2:25' } }],
    vantage: [{ name: 'fra', blackbox: 'http://192.0.2.9:9115/' }, { name: 'ams', blackbox: 'https://bb.example.net', modules: { http: 'http_ams', tcp: 'tcp_ams' } }],
  }, '/etc/zonerw/zonerw.toml');
  assert.deepEqual(cfg.vantages, [
    { name: 'fra', blackbox: 'http://192.0.2.9:9115', modules: { http: 'http_2xx', tcp: 'tcp_connect' } },
    { name: 'ams', blackbox: 'https://bb.example.net', modules: { http: 'http_ams', tcp: 'tcp_ams' } },
  ]);
  assert.deepEqual(cfg.quorum, { default: 2 });
  assert.equal(cfg.servers[0]!.check!.module, 'http_vhost');
  assert.equal(cfg.servers[1]!.check!.module, undefined);
});

test('[check] quorum, and a group\'s own', () => {
  const cfg = validateConfig({
    ...base,
    check: { quorum: 1 },
    vantage: [{ name: 'fra', blackbox: 'http://192.0.2.9:9115' }, { name: 'ams', blackbox: 'http://192.0.2.10:9115' }],
    group: [{ name: 'mail', check: { quorum: 3 }, server: [{ name: 'mx1', address: '192.0.2.5', check: { tcp: '192.0.2.5:25' } }] }],
  }, '/etc/zonerw/zonerw.toml');
  assert.deepEqual(cfg.quorum, { default: 1, mail: 3 });
});

test('mistakes: duplicate name, not an http(s) URL, unknown keys, a quorum out of reach', () => {
  assert.deepEqual(problems({
    ...base,
    server: [{ name: 'main', address: '192.0.2.1', check: { url: 'http://192.0.2.1/', quorum: 2 } }],
    vantage: [
      { name: 'fra', blackbox: 'http://192.0.2.9:9115', colour: 'red' },
      { name: 'fra', blackbox: 'ftp://192.0.2.9/' },
      { name: 'zonerw', blackbox: 'not a url', modules: { http: 'x', dns: 'y' } },
      { blackbox: 'http://192.0.2.9:9115/?x=1' },
    ],
  }), [
    'server[0].check.quorum: unknown key',
    'vantage[0].colour: unknown key',
    'vantage[1].name: "fra" is already the name of vantage[0]',
    'vantage[1].blackbox: must be the http:// or https:// URL of a blackbox_exporter, like "http://192.0.2.9:9115", not "ftp://192.0.2.9/"',
    'vantage[2].name: "zonerw" names zonerw\'s own vote; give the vantage another name',
    'vantage[2].blackbox: must be the http:// or https:// URL of a blackbox_exporter, like "http://192.0.2.9:9115", not "not a url"',
    'vantage[2].modules.dns: unknown key',
    'vantage[3].name: missing (required)',
    'vantage[3].blackbox: must be the http:// or https:// URL of a blackbox_exporter, like "http://192.0.2.9:9115", not "http://192.0.2.9:9115/?x=1"',
  ]);
});

test('a quorum no vote count can reach', () => {
  assert.deepEqual(problems({ ...base, check: { quorum: 3 }, vantage: [{ name: 'fra', blackbox: 'http://192.0.2.9:9115' }] }), [
    'check.quorum: 3 votes can never be reached: zonerw and 1 [[vantage]] table cast at most 2',
  ]);
  assert.deepEqual(problems({ ...base, check: { quorum: 2 } }), ['check.quorum: 2 votes can never be reached: zonerw and 0 [[vantage]] tables cast at most 1']);
  assert.deepEqual(problems({ ...base, vantage: { name: 'fra' } }), ['vantage: must be [[vantage]] tables, each with name and blackbox = "http://HOST:9115"']);
});

test('a check key only zonerw probes (expect_body, expect_status, cert_min_days, expect_banner) is refused with vantages judging by a default module', () => {
  const vantage = [{ name: 'fra', blackbox: 'http://192.0.2.9:9115' }, { name: 'ams', blackbox: 'http://192.0.2.10:9115' }];
  const found = problems({
    ...base,
    vantage,
    check: { expect_status: [200] },
    server: [
      { name: 'main', address: '192.0.2.1', check: { url: 'https://192.0.2.1/', expect_body: 'healthy', cert_min_days: 10 } },
      { name: 'mail', address: '192.0.2.3', check: { tcp: '192.0.2.3:25', expect_banner: '220 ' } },
      { name: 'backup', address: '192.0.2.2' },
    ],
  });
  // the [check] default is named where it is set
  assert.deepEqual(found.map((p) => p.slice(0, p.indexOf(':'))), ['check.expect_status', 'server[0].check.expect_body', 'server[0].check.cert_min_days', 'server[1].check.expect_banner']);
  assert.match(found[1]!, /^server\[0\]\.check\.expect_body: only zonerw's own probe checks it: the \[\[vantage\]\] tables judge server main by the blackbox module "http_2xx", which does not, and their votes would outvote it; name a module that checks the same in server\[0\]\.check\.module \(an http module with fail_if_body_not_matches_regexp; /);
  assert.match(found[3]!, /"tcp_connect"/);
});

test('the same keys with the vantages\' module named on purpose are accepted (zonerw check warns), and without vantages nothing changes', async () => {
  const { ownOnlyWarnings } = await import('../../src/config/vantage-keys.js');
  const vantage = [{ name: 'fra', blackbox: 'http://192.0.2.9:9115' }];
  const named = validateConfig({ ...base, vantage, server: [{ name: 'main', address: '192.0.2.1', check: { url: 'http://192.0.2.1/', host: 'main.example.test', module: 'http_vhost', expect_body: 'healthy' } }, { name: 'backup', address: '192.0.2.2' }] }, '/etc/zonerw/zonerw.toml');
  assert.deepEqual(ownOnlyWarnings(named), ['warning: server main: check.expect_body is checked by zonerw\'s own probe only; the vantages judge by the blackbox module "http_vhost", which must check the same (an http module with fail_if_body_not_matches_regexp), or their votes outvote it']);
  const mapped = validateConfig({ ...base, check: { expect_status: [200] }, vantage: [{ ...vantage[0], modules: { http: 'http_200' } }] }, '/etc/zonerw/zonerw.toml');
  assert.equal(ownOnlyWarnings(mapped).length, 1);
  const alone = validateConfig({ ...base, check: { expect_body: 'ok' } }, '/etc/zonerw/zonerw.toml');
  assert.deepEqual(ownOnlyWarnings(alone), []);
});
