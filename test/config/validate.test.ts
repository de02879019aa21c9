// Configuration: one fixture pair per mistake under test/fixtures/config (NAME.toml, and
// NAME.error with the exact ConfigError.problems, one per line), plus valid configs, the
// defaults, loadConfig's own errors and parseDuration.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { validateConfig } from '../../src/config/validate.js';
import { parseDuration } from '../../src/core/format.js';
import { ConfigError, EXIT } from '../../src/errors.js';
import { fixturesDir } from '../helpers/paths.js';

const configFixtures = join(fixturesDir, 'config');

/** Runs `fn`, which must throw a ConfigError, and returns that error. */
async function configError(fn: () => unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.exitCode, EXIT.config);
    assert.equal(e.exitCode, 78);
    return e;
  }
  assert.fail('expected a ConfigError, but the configuration was accepted');
}

describe('config fixtures', () => {
  const tomls = readdirSync(configFixtures).filter((f) => f.endsWith('.toml')).sort();

  test('every NAME.toml has a NAME.error and the other way round', () => {
    assert.ok(tomls.length >= 30, `only ${tomls.length} fixtures in ${configFixtures}`);
    const errors = readdirSync(configFixtures).filter((f) => f.endsWith('.error')).sort();
    assert.deepEqual(
      errors.map((f) => basename(f, '.error')),
      tomls.map((f) => basename(f, '.toml')),
    );
  });

  for (const toml of tomls) {
    const name = basename(toml, '.toml');
    test(`fixture ${name}`, async () => {
      const file = join(configFixtures, toml);
      const want = readFileSync(join(configFixtures, `${name}.error`), 'utf8').replace(/\n+$/, '').split('\n');
      const err = await configError(() => loadConfig(file));
      assert.deepEqual(err.problems, want);
      // The path is carried once by the error, not repeated inside each problem line...
      assert.equal(err.file, file);
      for (const p of err.problems) assert.ok(!p.includes(configFixtures), `problem line holds the path: ${p}`);
      // ...and the message the CLI prints prefixes every problem with it.
      assert.deepEqual(err.message.split('\n'), want.map((p) => `${file}: ${p}`));
    });
  }

  test('syntax errors give line:col and the parser message', async () => {
    for (const toml of tomls.filter((f) => f.startsWith('syntax-'))) {
      const err = await configError(() => loadConfig(join(configFixtures, toml)));
      assert.equal(err.problems.length, 1, toml);
      assert.match(err.problems[0]!, /^\d+:\d+: TOML syntax: \S/, toml);
      assert.doesNotMatch(err.problems[0]!, /Invalid TOML document|\n/, toml);
    }
  });

  test('problems come out in the same order on every run', async () => {
    const file = join(configFixtures, 'many-mistakes.toml');
    const first = (await configError(() => loadConfig(file))).problems;
    const second = (await configError(() => loadConfig(file))).problems;
    assert.deepEqual(second, first);
    assert.ok(first.length >= 15);
  });
});

describe('valid configs', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-config-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function write(sub: string, text: string): string {
    const dir = join(root, sub);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'zonerw.toml');
    writeFileSync(file, text);
    return file;
  }

  test('a full config returns every value, paths resolved against the config folder', async () => {
    const file = write(
      'full/etc',
      `# the design sketch, and a little more
base_dir  = "base"                   # <zone>.base files, hand-written
zone_dir  = "/var/nsd/zones"
state_dir = "../state"
zone_file = "db.{zone}"
zones     = ["example.com", "example.org"]
timezone  = "Europe/Amsterdam"
on_base_change = "warn"

[nameserver]
kind      = "nsd"
control   = ["nsd-control", "-c", "/etc/nsd/nsd.conf"]
checkzone = "always"
timeout   = "30s"

[check]
timeout  = "3s"
attempts = 3

[[server]]
name    = "main"
address = "192.0.2.1"
check   = { url = "http://192.0.2.1/index.html", host = "example.com" }

[[server]]
name    = "second"
address = "203.0.113.5"
check   = "https://203.0.113.5/health"

[[server]]
name    = "third"
address = "198.51.100.9"
check   = { url = "http://198.51.100.9/", timeout = "1500ms", attempts = 5, expect_status = [200, 204] }

[[server]]
name    = "backup"
address = "198.51.100.7"
`,
    );
    const dir = dirname(file);
    // A relative --config is resolved too, and base_dir follows the file, not the cwd.
    const cfg = await loadConfig(relative(process.cwd(), file));
    const want: Config = {
      file,
      baseDir: join(dir, 'base'),
      zoneDir: '/var/nsd/zones',
      includeDir: '/var/nsd/zones',
      stateDir: resolve(dir, '..', 'state'),
      zoneFile: 'db.{zone}',
      zones: ['example.com', 'example.org'],
      timezone: 'Europe/Amsterdam',
      onBaseChange: 'warn',
      nameserver: { kind: 'nsd', control: ['nsd-control', '-c', '/etc/nsd/nsd.conf'], checkzone: 'always', timeoutMs: 30_000, address: { name: '127.0.0.1:53', host: '127.0.0.1', port: 53 }, serveWaitMs: 5_000 },
      servers: [
        { name: 'main', address: '192.0.2.1', check: { attempts: 3, failAfter: 1, recoverAfter: 2, spec: { kind: 'http', url: 'http://192.0.2.1/index.html', timeoutMs: 3_000, maxBytes: 65536, host: 'example.com' } } },
        { name: 'second', address: '203.0.113.5', check: { attempts: 3, failAfter: 1, recoverAfter: 2, spec: { kind: 'http', url: 'https://203.0.113.5/health', timeoutMs: 3_000, maxBytes: 65536 } } },
        {
          name: 'third',
          address: '198.51.100.9',
          check: { attempts: 5, failAfter: 1, recoverAfter: 2, spec: { kind: 'http', url: 'http://198.51.100.9/', timeoutMs: 1_500, maxBytes: 65536, expectStatus: [200, 204] } },
        },
        { name: 'backup', address: '198.51.100.7' },
      ],
      reference: [],
      allDown: 'keep',
      maxShrink: 0.5,
      secondaries: { all: [], byZone: {} },
      strictSecondaries: false,
      secondaryWaitMs: 10_000,
      hooks: [],
    };
    assert.deepEqual(cfg, want);
  });

  test('a minimal config gets the defaults', async () => {
    const file = write(
      'minimal',
      `base_dir  = "base"
zone_dir  = "zones"
state_dir = "state"

[[server]]
name    = "main"
address = "192.0.2.1"
check   = "http://192.0.2.1/"

[[server]]
name    = "backup"
address = "198.51.100.7"
`,
    );
    const dir = dirname(file);
    const cfg = await loadConfig(file);
    assert.deepEqual(cfg, {
      file,
      baseDir: join(dir, 'base'),
      zoneDir: join(dir, 'zones'),
      includeDir: join(dir, 'zones'),
      stateDir: join(dir, 'state'),
      zoneFile: '{zone}',
      timezone: 'UTC',
      onBaseChange: 'publish',
      nameserver: { kind: 'none', control: [], checkzone: 'auto', timeoutMs: 10_000, serveWaitMs: 5_000 },
      servers: [
        { name: 'main', address: '192.0.2.1', check: { attempts: 2, failAfter: 1, recoverAfter: 2, spec: { kind: 'http', url: 'http://192.0.2.1/', timeoutMs: 5_000, maxBytes: 65536 } } },
        { name: 'backup', address: '198.51.100.7' },
      ],
      reference: [],
      allDown: 'keep',
      maxShrink: 0.5,
      secondaries: { all: [], byZone: {} },
      strictSecondaries: false,
      secondaryWaitMs: 10_000,
      hooks: [],
    } satisfies Config);
    assert.ok(!('zones' in cfg), 'no zones key: every *.base in base_dir');
  });

  test('the defaults do not depend on the current directory', async () => {
    const file = write('cwd', 'base_dir = "b"\nzone_dir = "z"\nstate_dir = "s"\n[[server]]\nname = "m"\naddress = "192.0.2.1"\n');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const cfg = await loadConfig(relative(root, file));
      assert.equal(cfg.file, file);
      assert.equal(cfg.baseDir, join(dirname(file), 'b'));
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('validateConfig', () => {
  const file = '/etc/zonerw/zonerw.toml';
  const base = { base_dir: 'base', zone_dir: '/var/nsd/zones', state_dir: '/var/lib/zonerw', server: [{ name: 'main', address: '192.0.2.1' }] };

  const kinds: { kind: string; control: string[] }[] = [
    { kind: 'nsd', control: ['nsd-control'] },
    { kind: 'bind', control: ['rndc'] },
    { kind: 'none', control: [] },
  ];
  for (const { kind, control } of kinds) {
    test(`nameserver kind ${kind} defaults control to ${JSON.stringify(control)}`, () => {
      const cfg = validateConfig({ ...base, nameserver: { kind } }, file);
      const address = kind === 'none' ? {} : { address: { name: '127.0.0.1:53', host: '127.0.0.1', port: 53 } };
      assert.deepEqual(cfg.nameserver, { kind, control, checkzone: 'auto', timeoutMs: 10_000, ...address, serveWaitMs: 5_000 });
    });
  }

  test('zone names up to what a file name holds work; longer ones and the root zone are refused saying why', async () => {
    const long = (n: number) => Array.from({ length: Math.ceil(n / 64) }, (_, i) => 'a'.repeat(Math.min(63, n - i * 64))).join('.').slice(0, n);
    const z240 = long(240);
    assert.equal(z240.length, 240);
    assert.deepEqual(validateConfig({ ...base, zones: [z240] }, file).zones, [z240]);
    const z253 = long(253);
    assert.equal(z253.length, 253);
    const tooLong = await configError(() => validateConfig({ ...base, zones: [z253] }, file));
    assert.match(tooLong.problems[0]!, /^zones\[0\]: zone name too long for its base file: 253 characters and "\.base" pass the 255 bytes a file name holds \(zonerw manages zones of up to 250 characters\)/);
    const prefixed = await configError(() => validateConfig({ ...base, zones: [z240], zone_file: 'db.{zone}.signed.zone.x' }, file));
    assert.match(prefixed.problems[0]!, /^zones\[0\]: zone name too long for its zone file: zone_file makes it 257 bytes, a file name holds 255; use zone_file = "\{zone\}"/);
    const root = await configError(() => validateConfig({ ...base, zones: ['.'] }, file));
    assert.match(root.problems[0]!, /^zones\[0\]: the root zone is not supported: zonerw names each zone's files after it/);
    assert.doesNotMatch(root.problems[0]!, /empty label/);
  });

  test('nameserver.address: where the primary answers, "HOST:PORT" or "HOST" (port 53), or false; not with kind "none"', async () => {
    const ns = (t: Record<string, unknown>) => validateConfig({ ...base, nameserver: t }, file).nameserver;
    assert.deepEqual(ns({ kind: 'nsd', address: '127.0.0.1:5353', serve_wait: '2s' }).address, { name: '127.0.0.1:5353', host: '127.0.0.1', port: 5353 });
    assert.deepEqual(ns({ kind: 'knot', address: '[::1]:53' }).address, { name: '[::1]:53', host: '::1', port: 53 });
    assert.deepEqual(ns({ kind: 'bind', address: '192.0.2.53' }).address, { name: '192.0.2.53', host: '192.0.2.53', port: 53 });
    assert.equal(ns({ kind: 'nsd', address: false }).address, undefined);
    assert.equal(ns({ kind: 'nsd', serve_wait: '2s' }).serveWaitMs, 2_000);
    assert.equal(ns({ kind: 'none', address: false }).address, undefined);
    for (const [t, problem] of [
      [{ kind: 'nsd', address: true }, 'nameserver.address: must be "HOST:PORT" where the primary answers DNS queries, like "127.0.0.1:53" or "[::1]:5353", or false when zonerw cannot query it, not true'],
      [{ kind: 'nsd', address: '127.0.0.1:99999' }, 'nameserver.address: must be "HOST:PORT" where the primary answers DNS queries, like "127.0.0.1:53" or "[::1]:5353", or false when zonerw cannot query it, not "127.0.0.1:99999"'],
      [{ kind: 'none', address: '127.0.0.1:53' }, 'nameserver.address: not used with kind = "none" (zonerw runs no nameserver command and asks no primary); remove it'],
    ] as const) {
      const err = await configError(() => ns(t));
      assert.deepEqual(err.problems, [problem]);
    }
  });

  test('relative paths resolve against the folder of the file, absolute ones stay', () => {
    const cfg = validateConfig(base, file);
    assert.equal(cfg.file, file);
    assert.equal(cfg.baseDir, '/etc/zonerw/base');
    assert.equal(cfg.zoneDir, '/var/nsd/zones');
    assert.equal(cfg.stateDir, '/var/lib/zonerw');
  });

  test('include_dir: zone_dir unless set, resolved like the other folders; Knot reads includes beside the zone file', async () => {
    assert.equal(validateConfig(base, file).includeDir, '/var/nsd/zones');
    assert.equal(validateConfig({ ...base, include_dir: 'bind' }, file).includeDir, '/etc/zonerw/bind');
    assert.equal(validateConfig({ ...base, include_dir: '/var/cache/bind', nameserver: { kind: 'bind' } }, file).includeDir, '/var/cache/bind');
    assert.equal(validateConfig({ ...base, include_dir: '/var/nsd/zones', nameserver: { kind: 'knot' } }, file).includeDir, '/var/nsd/zones');
    const err = await configError(() => validateConfig({ ...base, include_dir: '/var/lib/knot', nameserver: { kind: 'knot' } }, file));
    assert.deepEqual(err.problems, ["include_dir: Knot reads a relative $INCLUDE from the zone file's folder, zone_dir: remove include_dir"]);
    const empty = await configError(() => validateConfig({ ...base, include_dir: '' }, file));
    assert.match(empty.problems.join('\n'), /^include_dir: /);
  });

  test('per-server check overrides of timeout, attempts and expect_status; the rest from [check]', () => {
    const cfg = validateConfig(
      {
        ...base,
        check: { timeout: '7s', attempts: 4 },
        server: [
          { name: 'a', address: '192.0.2.1', check: { url: 'http://192.0.2.1/', timeout: 2, attempts: 1, expect_status: 204 } },
          { name: 'b', address: '192.0.2.2', check: { url: 'http://192.0.2.2/', attempts: 10 } },
          { name: 'c', address: '192.0.2.3', check: { url: 'http://192.0.2.3/', timeout: '250ms' } },
          { name: 'd', address: '192.0.2.4', check: 'https://192.0.2.4/ok' },
        ],
      },
      file,
    );
    assert.deepEqual(
      cfg.servers.map((s) => s.check && [s.check.attempts, s.check.spec]),
      [
        [1, { kind: 'http', url: 'http://192.0.2.1/', expectStatus: [204], timeoutMs: 2_000, maxBytes: 65536 }],
        [10, { kind: 'http', url: 'http://192.0.2.2/', timeoutMs: 7_000, maxBytes: 65536 }],
        [4, { kind: 'http', url: 'http://192.0.2.3/', timeoutMs: 250, maxBytes: 65536 }],
        [4, { kind: 'http', url: 'https://192.0.2.4/ok', timeoutMs: 7_000, maxBytes: 65536 }],
      ],
    );
  });

  test('a top level that is not a table is reported with everything missing', async () => {
    const err = await configError(() => validateConfig('base_dir', file));
    assert.deepEqual(err.problems, [
      '(top level): must be a table, not "base_dir"',
      'base_dir: missing (required)',
      'zone_dir: missing (required)',
      'state_dir: missing (required)',
      'server: missing: add at least one [[server]] with name and address',
    ]);
  });

  test('[check] expect_status is a default for every server (README: [check], defaults for every server check)', () => {
    const cfg = validateConfig({ ...base, check: { expect_status: [200, 301] } }, file);
    assert.deepEqual(cfg.servers.length, 1);
    const withCheck = validateConfig(
      { ...base, check: { expect_status: [200, 301] }, server: [{ name: 'a', address: '192.0.2.1', check: 'http://192.0.2.1/' }] },
      file,
    );
    assert.deepEqual(withCheck.servers[0]!.check!.spec.kind === 'http' && withCheck.servers[0]!.check!.spec.expectStatus, [200, 301]);
  });
});

describe('loadConfig', () => {
  test('a missing file is one problem that says how to point at a config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zonerw-config-'));
    try {
      const file = join(dir, 'nope.toml');
      assert.ok(!existsSync(file));
      const err = await configError(() => loadConfig(file));
      assert.equal(err.file, file);
      assert.equal(err.problems.length, 1);
      assert.match(err.problems[0]!, /no such file/);
      assert.match(err.problems[0]!, /--config FILE/);
      assert.match(err.problems[0]!, /ZONERW_CONFIG/);
      assert.equal(err.message, `${file}: ${err.problems[0]}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseDuration', () => {
  const good: [unknown, number][] = [
    ['500ms', 500],
    ['5s', 5_000],
    ['1.5s', 1_500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [' 10 s ', 10_000],
    ['0.25s', 250],
    [3, 3_000],
    [0.5, 500],
  ];
  for (const [input, ms] of good) {
    test(`${JSON.stringify(input)} -> ${ms} ms`, () => {
      assert.equal(parseDuration(input), ms);
    });
  }

  const bad: unknown[] = ['5 parsecs', '5', '', 's', '5sec', '5S', '.5s', '1.s', '-5s', '5s5', '1w', Number.NaN, Number.POSITIVE_INFINITY, true, null, undefined, [5], { s: 5 }];
  for (const input of bad) {
    test(`${typeof input === 'number' ? String(input) : JSON.stringify(input) ?? 'undefined'} -> undefined`, () => {
      assert.equal(parseDuration(input), undefined);
    });
  }
});

describe('the keys of failover, safety and operations', () => {
  const file = '/etc/zonerw/zonerw.toml';
  const minimal = { base_dir: 'base', zone_dir: 'zones', state_dir: 'state' };

  test('every key reaches the check spec, the decision and the run as written; [check] defaults are inherited', () => {
    const cfg = validateConfig(
      {
        ...minimal,
        reference: ['https://203.0.113.80/', 'tcp://198.51.100.53:53'],
        all_down: 'last',
        max_shrink: '25%',
        secondaries: { 'example.com': ['192.0.2.53'], '*': ['ns2.example.net', '[2001:db8::53]:5353'] },
        strict_secondaries: true,
        secondary_wait: '1s',
        metrics_file: 'metrics/zonerw.prom',
        check: { fail_after: 2, recover_after: 3, expect_body: 'ok', max_bytes: 1024, cert_min_days: 7 },
        server: [
          { name: 'main', address: '192.0.2.1', address6: '2001:db8::1', check: { url: 'https://192.0.2.1/health', host: 'www.example.com', insecure: true, recover_after: 5 } },
          { name: 'mail', address: '192.0.2.25', check: { tcp: '192.0.2.25:25', expect_banner: '220 ' } },
          { name: 'backup', address: '198.51.100.7' },
        ],
        hook: [
          { on: 'failover', run: ['systemctl', 'start', 'murmur'] },
          { on: ['failover', 'failback'], run: ['/usr/local/sbin/rd-switch'], timeout: '5s' },
        ],
      },
      file,
    );
    assert.deepEqual(cfg.servers[0]!.check, {
      attempts: 2,
      failAfter: 2,
      recoverAfter: 5,
      spec: { kind: 'http', url: 'https://192.0.2.1/health', host: 'www.example.com', timeoutMs: 5000, maxBytes: 1024, expectBody: 'ok', insecure: true, certMinDays: 7 },
    });
    assert.deepEqual(cfg.servers[1]!.check, { attempts: 2, failAfter: 2, recoverAfter: 3, spec: { kind: 'tcp', host: '192.0.2.25', port: 25, timeoutMs: 5000, maxBytes: 1024, expectBanner: '220 ' } });
    assert.equal(cfg.servers[0]!.address6, '2001:db8::1');
    assert.deepEqual(cfg.reference.map((r) => r.spec.kind === 'tcp' ? `tcp ${r.spec.host}:${r.spec.port}` : `http ${r.spec.url}`), ['http https://203.0.113.80/', 'tcp 198.51.100.53:53']);
    assert.deepEqual([cfg.allDown, cfg.maxShrink, cfg.strictSecondaries, cfg.secondaryWaitMs, cfg.metricsFile], ['last', 0.25, true, 1000, '/etc/zonerw/metrics/zonerw.prom']);
    assert.deepEqual(cfg.secondaries, {
      all: [{ name: 'ns2.example.net', host: 'ns2.example.net', port: 53 }, { name: '[2001:db8::53]:5353', host: '2001:db8::53', port: 5353 }],
      byZone: { 'example.com': [{ name: '192.0.2.53', host: '192.0.2.53', port: 53 }] },
    });
    assert.deepEqual(cfg.hooks, [
      { on: ['failover'], run: ['systemctl', 'start', 'murmur'], timeoutMs: 30_000 },
      { on: ['failover', 'failback'], run: ['/usr/local/sbin/rd-switch'], timeoutMs: 5_000 },
    ]);
  });

  test('their mistakes, all at once, each with its key path and what to write', async () => {
    const err = await configError(() =>
      validateConfig(
        {
          ...minimal,
          reference: ['ftp://203.0.113.80/', 'tcp://nowhere'],
          all_down: 'random',
          max_shrink: '150%',
          secondaries: ['192.0.2.53:99999'],
          strict_secondaries: 'yes',
          server: [
            { name: 'main', address: '192.0.2.1', address6: '2001:db8::zz', check: { url: 'http://192.0.2.1/', tcp: '192.0.2.1:80', ca: 'ca.pem', expect_banner: '220' } },
            { name: 'mail', address: '192.0.2.25', check: { tcp: '192.0.2.25', cert_min_days: 3 } },
          ],
          hook: [{ on: 'flap', run: 'systemctl start murmur' }, { on: 'publish' }],
        },
        file,
      ),
    );
    assert.deepEqual(err.problems, [
      'all_down: must be one of "last", "keep", "first", not "random"',
      'max_shrink: must be a percentage from "0%" to "100%", like "50%", not "150%"',
      'secondaries[0]: must be "HOST" or "HOST:PORT" (port 53 by default), like "192.0.2.53" or "[2001:db8::53]:5353", not "192.0.2.53:99999"',
      'strict_secondaries: must be true or false, not "yes"',
      'reference[0]: must be an http:// or https:// URL or tcp://ADDRESS:PORT, not "ftp://203.0.113.80/"',
      'reference[1]: must be "tcp://ADDRESS:PORT", not "tcp://nowhere"',
      'server[0].address6: not an IPv6 address: "2001:db8::zz"',
      'server[0].check: has both url and tcp: give one',
      'server[0].check.ca: applies to url checks, not tcp',
      'server[1].check.tcp: must be "ADDRESS:PORT", like "192.0.2.1:25" or "[2001:db8::1]:22", not "192.0.2.25"',
      'server[1].check.cert_min_days: applies to url checks, not tcp',
      'hook[0].on: must be one of "failover", "failback", "change", "publish", "error", not "flap"',
      'hook[0].run: must be a list of strings, like ["a", "b"], not "systemctl start murmur"',
      'hook[1].run: missing: the command as a list, like ["systemctl", "start", "murmur"] (no shell)',
    ]);
  });

  test('ca names a PEM file read at load: a wrong path is a config error, not a down server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zonerw-config-ca-'));
    try {
      const conf = join(dir, 'zonerw.toml');
      const text = (ca: string) => `base_dir = "b"\nzone_dir = "z"\nstate_dir = "s"\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = { url = "https://192.0.2.1/", ca = "${ca}" }\n`;
      writeFileSync(conf, text('site-ca.pem'));
      const err = await configError(() => loadConfig(conf));
      assert.deepEqual(err.problems, [`server "main" check.ca: cannot read ${join(dir, 'site-ca.pem')}: no such file or directory, open '${join(dir, 'site-ca.pem')}'`]);
      writeFileSync(join(dir, 'site-ca.pem'), '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
      const cfg = await loadConfig(conf);
      assert.equal(cfg.servers[0]!.check!.spec.kind === 'http' && cfg.servers[0]!.check!.spec.ca, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('fail_after and recover_after: a number of runs, or a time (then at least two probes)', () => {
  const cfg = validateConfig(
    {
      base_dir: '/srv/zonerw/base',
      zone_dir: '/var/lib/zonerw/zones',
      state_dir: '/var/lib/zonerw/state',
      check: { fail_after: '3s', recover_after: '1m' },
      server: [
        { name: 'main', address: '192.0.2.1', check: { url: 'http://192.0.2.1/', recover_after: 4 } },
        { name: 'backup', address: '198.51.100.7' },
      ],
    },
    '/etc/zonerw/zonerw.toml',
  );
  const c = cfg.servers[0]!.check!;
  assert.deepEqual([c.failAfter, c.failAfterMs, c.recoverAfter, c.recoverAfterMs], [2, 3000, 4, undefined]);
  assert.throws(
    () => validateConfig({ base_dir: '/b', zone_dir: '/z', state_dir: '/s', check: { fail_after: 'soon' }, server: [{ name: 'main', address: '192.0.2.1', check: 'http://192.0.2.1/' }, { name: 'backup', address: '198.51.100.7' }] }, '/etc/zonerw/zonerw.toml'),
    /check\.fail_after: must be a number of runs in a row \(1 to 100\) or a time like "10s"/,
  );
});

test('[watch] interval and ttl_warn_above: read, defaults absent, mistakes with their key paths', () => {
  const base = { base_dir: '/b', zone_dir: '/z', state_dir: '/s', server: [{ name: 'main', address: '192.0.2.1' }] };
  const cfg = validateConfig({ ...base, watch: { interval: '1s' }, ttl_warn_above: '1h' }, '/etc/zonerw/zonerw.toml');
  assert.deepEqual([cfg.watch, cfg.ttlWarnAbove], [{ intervalMs: 1000 }, 3600]);
  const plain = validateConfig(base, '/etc/zonerw/zonerw.toml');
  assert.deepEqual([plain.watch, plain.ttlWarnAbove], [undefined, undefined]);
  assert.equal(validateConfig({ ...base, ttl_warn_above: 600 }, '/etc/zonerw/zonerw.toml').ttlWarnAbove, 600);
  assert.throws(
    () => validateConfig({ ...base, watch: { interval: '5ms', every: '1s' }, ttl_warn_above: 'long' }, '/etc/zonerw/zonerw.toml'),
    (e: Error) => /watch\.every: unknown key/.test(e.message) && /watch\.interval: must be at least "10ms"/.test(e.message) && /ttl_warn_above: must be a TTL in seconds/.test(e.message),
  );
});
