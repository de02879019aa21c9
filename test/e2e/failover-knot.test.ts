// The failover story against a real Knot DNS primary (knotd -c CONF, its own rundir, storage and
// control socket) and a real NSD secondary on loopback, driving the built binary as cron would.
// The steps are in ./scenario.ts, shared with the other nameservers. Then which checker validates
// a Knot zone: Debian 12's `knot` package has no kzonecheck, so zonerw must fall back to
// named-checkzone, else nsd-checkzone, and say which one it used.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, freePort, needBinary, startKnot, type NsInstance } from '../lab/lab.js';
import { zonerw } from '../helpers/cli.js';
import { BASE, ZONE, configToml, failoverSuite } from './scenario.js';

failoverSuite('knot', { secondary: 'nsd' });

describe('zonerw check with kind "knot" and no kzonecheck: the fallback checker is used and named', () => {
  // A Knot primary answers `knotc status` (zonerw check asks the control command whether the
  // nameserver answers); the checkers are the point. Each case gets a PATH that holds exactly
  // the checkers it names, as links to the real ones; knotc is configured by its absolute path.
  const missing = ['knotd', 'knotc', 'named-checkzone', 'nsd-checkzone'].filter((c) => !needBinary(c));
  const skip = missing.length > 0 ? `${missing.join(', ')} not installed (apt-get install nsd bind9 bind9-dnsutils knot)` : false;
  let root = '';
  let conf = '';

  let knot: NsInstance | undefined;

  before(async () => {
    if (skip) return;
    root = mkdtempSync(join(tmpdir(), 'zonerw-knot-check-'));
    for (const d of ['base', 'zones', 'state']) mkdirSync(join(root, d));
    writeFileSync(join(root, 'base', `${ZONE}.base`), BASE);
    knot = await startKnot({ dir: join(root, 'knot'), role: 'primary', port: await freePort(), peerPort: await freePort(), zones: [ZONE], zoneDir: join(root, 'zones') });
    conf = join(root, 'zonerw.toml');
    writeFileSync(conf, configToml({ kind: 'knot', control: [binaryPath('knotc')!, ...knot.control.slice(1)], checkUrl: 'http://127.0.0.1:9/' }));
  });

  after(async () => {
    await knot?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** A folder holding links to exactly `programs`, for PATH. */
  function pathWith(name: string, programs: string[]): string {
    const dir = join(root, name);
    mkdirSync(dir);
    for (const p of programs) symlinkSync(binaryPath(p)!, join(dir, p));
    return dir;
  }

  const cases: [string, string[], string][] = [
    ['named-checkzone and nsd-checkzone installed', ['named-checkzone', 'nsd-checkzone'], 'named-checkzone'],
    ['only nsd-checkzone installed', ['nsd-checkzone'], 'nsd-checkzone'],
  ];
  for (const [what, programs, expected] of cases) {
    it(`${what}: ${expected}`, { skip }, async () => {
      const PATH = pathWith(expected + programs.length, programs);
      const r = await zonerw(['--config', conf, 'check'], { PATH });
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`\\(validated with ${expected}\\)$`, 'm'), r.stdout);

      writeFileSync(join(root, 'base', `${ZONE}.base`), BASE.replace('www  IN A   @IP@', 'www  IN A   192.0.2.300'));
      try {
        const bad = await zonerw(['--config', conf, 'check'], { PATH });
        assert.equal(bad.code, 1, `${bad.stdout}${bad.stderr}`);
        assert.match(bad.stderr, new RegExp(`^${ZONE.replace('.', '\\.')}: refused by ${expected}: `, 'm'), bad.stderr);
      } finally {
        writeFileSync(join(root, 'base', `${ZONE}.base`), BASE);
      }
    });
  }

  it('no checker on PATH: the sbin folders are searched too (where cron\'s PATH does not look); none there either: refused, saying what to install', { skip }, async () => {
    const r = await zonerw(['--config', conf, 'check'], { PATH: pathWith('none', []) });
    const inSbin = ['kzonecheck', 'named-checkzone', 'nsd-checkzone'].find((c) => /^\/(usr\/local\/|usr\/)?sbin\//.test(binaryPath(c) ?? ''));
    if (inSbin) {
      assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`\\(validated with ${inSbin}\\)$`, 'm'), r.stdout);
    } else {
      assert.equal(r.code, 1, `${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /no zone checker found \(kzonecheck, named-checkzone or nsd-checkzone: not on PATH, nor in \/usr\/local\/sbin, \/usr\/sbin, \/sbin\); install the package that has it: apt-get install knot-dnssecutils/, r.stderr);
    }
  });
});
