// The systemd units the package ships (packaging/debian): systemd-analyze verify accepts them,
// and `systemd-analyze security --offline=yes` rates each service OK or better (an exposure
// below 4.0), with what zonerw needs kept: no PrivateNetwork, the address families it uses, the
// folders it writes, and network-online.target waited for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needBinary } from './lab/lab.js';
import { skipUnlessCI } from './helpers/need.js';
import { repoRoot } from './helpers/paths.js';

const UNITS = ['zonerw.service', 'zonerw-watch.service', 'zonerw.timer'];
const SERVICES = ['zonerw.service', 'zonerw-watch.service'];
const unit = (name: string) => readFileSync(join(repoRoot, 'packaging', 'debian', name), 'utf8');
const skip = skipUnlessCI(!needBinary('systemd-analyze') && 'systemd-analyze is not installed (apt-get install systemd)');

test('systemd-analyze verify accepts the units (ExecStart pointed at a stand-in, as zonerw is not installed here)', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'zonerw-units-'));
  try {
    writeFileSync(join(dir, 'zonerw'), '#!/bin/sh\n');
    chmodSync(join(dir, 'zonerw'), 0o755);
    for (const u of UNITS) writeFileSync(join(dir, u), unit(u).replaceAll('/usr/bin/zonerw', join(dir, 'zonerw')));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', ...UNITS.map((u) => join(dir, u))], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(r.stderr.trim(), '', r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('systemd-analyze security --offline=yes rates both services OK or better', { skip }, () => {
  for (const u of SERVICES) {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', join(repoRoot, 'packaging', 'debian', u)], { encoding: 'utf8' });
    const m = /Overall exposure level for \S+: (\d+\.\d+) (\w+)/.exec(r.stdout);
    assert.ok(m, `${u}: no rating in\n${r.stdout}${r.stderr}`);
    assert.ok(Number(m[1]) < 4.0 && ['OK', 'SAFE'].includes(m[2]!), `${u}: rated ${m[1]} ${m[2]}, not OK or better`);
  }
});

test('the services keep what zonerw needs, and are hardened alike', () => {
  const hardening = (u: string) => unit(u).slice(unit(u).indexOf('# Hardened'));
  assert.equal(hardening('zonerw-watch.service').replace(/\n+\[Install\][\s\S]*$/, '\n'), hardening('zonerw.service'), 'the same hardening');
  for (const u of SERVICES) {
    const text = unit(u);
    assert.doesNotMatch(text, /^PrivateNetwork=yes/m, `${u}: probes, DNS and control sockets need the network`);
    assert.match(text, /^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$/m, u);
    assert.match(text, /^ReadWritePaths=\/var\/lib\/zonerw /m, u);
    assert.match(text, /^Wants=network-online\.target$/m, u);
    assert.match(text, /^After=network-online\.target /m, u);
  }
  const watch = unit('zonerw-watch.service');
  assert.match(watch, /^Restart=always$/m);
  assert.match(watch, /^ExecStart=\/usr\/bin\/zonerw --config \/etc\/zonerw\/zonerw\.toml watch$/m);
  assert.match(watch, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  assert.match(watch, /^Conflicts=zonerw\.timer$/m, 'pick one: the watch or the timer');
});
