// Issue 20, as a local user would attack a root-run zonerw, through the built binary: a config
// others can write (mode bits, a folder above, another user's file, a link to one), a hook
// script others can write, a base file others can write, a program found on a PATH folder
// others can write. Each time `zonerw` and `zonerw check` exit 78 naming the path, its owner
// and mode and the fix, and the failover hook's marker file is never made. And what a hook
// gets: the ZONERW_* variables and a fixed PATH (no inherited secret), the config's folder as
// its working folder, stdin at its end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { readableBin, repoRoot } from '../helpers/paths.js';
import { HOOK_PATH } from '../../src/core/trust.js';
import { MainServer, cannotDropPrivileges, makeBinLab, tempRoot, type BinLab } from '../reliability/helpers.js';

const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;
let root: string;
let main: MainServer;
let n = 0;

before(async () => {
  root = tempRoot('trust');
  main = await new MainServer().start();
});
after(async () => {
  await main.stop();
  rmSync(root, { recursive: true, force: true });
});

interface HookLab extends BinLab {
  marker: string;
}

/** A lab whose first run published main; main is now down, so the next run fails over and runs the hook. */
async function failingOver(hookRun?: (marker: string) => string[]): Promise<HookLab> {
  main.mode = 'up';
  const dir = join(root, `lab${n++}`);
  const marker = join(dir, 'pwned.txt');
  const run = hookRun?.(marker) ?? ['sh', '-c', `id > ${marker}`];
  const l = makeBinLab(dir, { checkUrl: main.url, top: '' });
  writeFileSync(l.conf, `${readFileSync(l.conf, 'utf8')}\n[[hook]]\non = "failover"\nrun = ${JSON.stringify(run)}\n`);
  const first = await zonerw(['--config', l.conf]);
  assert.equal(first.code, 0, said(first));
  main.mode = 'down';
  return { ...l, marker };
}

const said = (r: CliResult) => `exit ${r.code}\n--- stdout:\n${r.stdout}\n--- stderr:\n${r.stderr}`;

/** Both commands refuse with 78, naming `path` and matching `words`; the hook never ran. */
async function refused(l: HookLab, path: string, words: RegExp, conf = l.conf): Promise<void> {
  for (const args of [['--config', conf], ['--config', conf, 'check']]) {
    const r = await zonerw(args);
    assert.equal(r.code, 78, `${args.join(' ')}\n${said(r)}`);
    const line = r.stderr.split('\n').find((s) => s.startsWith(`zonerw: ${path}: `));
    assert.ok(line, `a line naming ${path}\n${said(r)}`);
    assert.match(line, words);
    assert.equal(r.stdout, '', 'nothing done, nothing said on stdout');
    assert.ok(!existsSync(l.marker), `the hook never ran\n${said(r)}`);
  }
}

/** A lab whose base file includes zone_dir/extra.inc, published once by a run that read both (the state remembers them). */
async function publishedWithInclude(): Promise<{ l: HookLab; inc: string }> {
  main.mode = 'up';
  const dir = join(root, `lab${n++}`);
  const l = { ...makeBinLab(dir, { checkUrl: main.url, top: '' }), marker: join(dir, 'never') };
  const inc = join(l.zoneDir, 'extra.inc');
  writeFileSync(inc, 'extra 300 IN A 192.0.2.99\n');
  const base = join(l.baseDir, 'example.com.base');
  writeFileSync(base, `${readFileSync(base, 'utf8')}$INCLUDE extra.inc\n`);
  const first = await zonerw(['--config', l.conf]);
  assert.equal(first.code, 0, said(first));
  return { l, inc };
}

describe('as root', { skip: asRoot ? false : 'needs root (chown to another user)' }, () => {
  test('the control: with a config only root can write, the failover runs the hook (the marker is made)', async () => {
    const l = await failingOver();
    const r = await zonerw(['--config', l.conf]);
    assert.equal(r.code, 0, said(r));
    assert.match(readFileSync(l.marker, 'utf8'), /^uid=0\(root\)/);
  });

  test('a config at mode 0666 with a failover hook: exit 78 naming the file and its mode; the hook never runs', async () => {
    const l = await failingOver();
    chmodSync(l.conf, 0o666);
    await refused(l, l.conf, /the config file is writable by every user \(owner root \(uid 0\), group root \(gid 0\), mode 0666\).*: chmod go-w /);
  });

  test('a config group-writable by a group other than root\'s: refused; by root\'s group: accepted', async () => {
    const l = await failingOver();
    chmodSync(l.conf, 0o664);
    chownSync(l.conf, 0, NOBODY);
    await refused(l, l.conf, /is writable by the group \S+ \(gid 65534\), which is not root's group .*mode 0664\).*: chmod g-w /);
    chownSync(l.conf, 0, 0);
    const r = await zonerw(['--config', l.conf, 'check']);
    assert.equal(r.code, 0, said(r));
  });

  test('a config owned by another user (nobody), mode 0644: refused, chown root', async () => {
    const l = await failingOver();
    chownSync(l.conf, NOBODY, NOBODY);
    await refused(l, l.conf, /is owned by another user than root \(owner nobody \(uid 65534\), group \S+ \(gid 65534\), mode 0644\).*: chown root /);
  });

  test('a config in a folder others can write (0777, not sticky): refused naming the folder', async () => {
    const l = await failingOver();
    chmodSync(l.dir, 0o777);
    await refused(l, l.dir, new RegExp(`the config file \\(${l.conf}\\) is below this folder, which is writable by every user .*mode 0777\\).*: chmod go-w `));
  });

  test('a sticky folder others can write (like /tmp) is fine when the entry below is root\'s; another user\'s entry there is refused', async () => {
    const l = await failingOver();
    chmodSync(l.dir, 0o1777);
    const ok = await zonerw(['--config', l.conf, 'check']);
    assert.equal(ok.code, 0, `${said(ok)}`);
    // the lab itself sits below /tmp (sticky): a folder there owned by another user is refused
    chownSync(l.dir, NOBODY, NOBODY);
    await refused(l, l.dir, /is owned by another user than root \(owner nobody \(uid 65534\)/);
  });

  test('a link from a trusted place to a config others can write: refused, naming the target', async () => {
    const l = await failingOver();
    const real = join(root, `evil${n}.toml`);
    renameSync(l.conf, real);
    chmodSync(real, 0o646);
    const link = join(l.dir, 'zonerw.toml');
    symlinkSync(real, link);
    await refused(l, real, /the config file is writable by every user .*mode 0646\)/, link);
  });

  test('a hook whose script others can write: refused naming the script; the hook never runs', async () => {
    let script = '';
    const l = await failingOver((marker) => {
      script = join(root, `hook${n}.sh`);
      writeFileSync(script, `#!/bin/sh\nid > ${marker}\n`, { mode: 0o755 });
      return [script];
    });
    chmodSync(script, 0o757);
    await refused(l, script, /hook\[0\]\.run is writable by every user .*mode 0757\)/);
    // run through an interpreter: the script it reads is judged the same
    writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace(`run = ${JSON.stringify([script])}`, `run = ${JSON.stringify(['sh', script])}`));
    await refused(l, script, /hook\[0\]\.run: the script \S+ is writable by every user/);
    // and owned by another user, mode 0755
    chmodSync(script, 0o755);
    chownSync(script, NOBODY, NOBODY);
    await refused(l, script, /is owned by another user than root \(owner nobody/);
  });

  test('a hook script others can write, reached through an exec wrapper, a shell option or sh -c: refused naming the script', async () => {
    // hook.sh in the config's folder (a hook's working folder), root's, 0757: each way of running it is judged
    const runs = (abs: string): string[][] => [
      ['env', 'sh', 'hook.sh'], ['/usr/bin/env', 'bash', abs], ['sh', '-c', abs], ['sh', '-c', '. ./hook.sh'],
      ['bash', '-o', 'errexit', 'hook.sh'], ['nice', './hook.sh'], ['timeout', '5', './hook.sh'], ['env', 'LANG=C.UTF-8', abs],
      ['flock', '/tmp', 'sudo', '-u', 'root', 'ionice', '-c', '3', 'sh', '-ec', `cd /; exec ${abs}`],
    ];
    for (const i of runs('').keys()) {
      let script = '';
      const l = await failingOver((marker) => {
        script = join(dirname(marker), 'hook.sh');
        mkdirSync(dirname(marker), { recursive: true });
        writeFileSync(script, `#!/bin/sh\nid > ${marker}\n`, { mode: 0o755 });
        return runs(script)[i]!;
      });
      chmodSync(script, 0o757);
      await refused(l, script, /^zonerw: \S+: hook\[0\]\.run: the (script|program|file) \S+ is writable by every user .*mode 0757\).*: chmod go-w /);
    }
  });

  test('a sh -c program text whose command is an expansion: refused, saying why; the hook never runs', async () => {
    const l = await failingOver();
    const run = (text: string) => `run = ${JSON.stringify(['sh', '-c', text])}`;
    writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace(run(`id > ${l.marker}`), run(`"$ZONERW_EVENT" 2>/dev/null; id > ${l.marker}`)));
    await refused(l, 'hook[0].run', /^zonerw: hook\[0\]\.run: zonerw cannot tell what it runs: "\$ZONERW_EVENT" in .* is only known when the shell runs; .*name the program or script by its path/);
  });

  test('a hook in a folder others can write: refused naming the folder', async () => {
    const bin = join(root, `bin${n}`);
    mkdirSync(bin, { mode: 0o755 });
    const l = await failingOver((marker) => {
      writeFileSync(join(bin, 'notify'), `#!/bin/sh\nid > ${marker}\n`, { mode: 0o755 });
      return [join(bin, 'notify')];
    });
    chmodSync(bin, 0o777);
    await refused(l, bin, /hook\[0\]\.run \(\S+notify\) is below this folder, which is writable by every user/);
  });

  test('a program found on a PATH folder others can write (nameserver.control): refused; the hook never runs', async () => {
    const l = await failingOver();
    const bin = join(l.dir, 'evilbin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'zonerw-test-ctl'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    chmodSync(bin, 0o777);
    writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace('kind = "none"', 'kind = "nsd"\ncontrol = ["zonerw-test-ctl"]\naddress = false'));
    for (const args of [['--config', l.conf], ['--config', l.conf, 'check']]) {
      const r = await zonerw(args, { PATH: `${bin}:${process.env.PATH}` });
      assert.equal(r.code, 78, said(r));
      assert.match(r.stderr, new RegExp(`^zonerw: ${bin}: nameserver\\.control \\(${bin}/zonerw-test-ctl\\) is below this folder, which is writable by every user`, 'm'));
      assert.ok(!existsSync(l.marker), 'the hook never ran');
    }
  });

  test('a check\'s ca file others can write: refused naming it (the CA decides which main answers count)', async () => {
    const l = await failingOver();
    const ca = join(l.dir, 'ca.pem');
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    chmodSync(ca, 0o666);
    // a CA counts for https checks only: main's check made https (refused before any probe)
    writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace('attempts = 1\n', `attempts = 1\nca = "${ca}"\n`).replace('check = "http://', 'check = "https://'));
    await refused(l, ca, /a check's ca file is writable by every user .*mode 0666\)/);
  });

  test('a base file others can write: refused before publishing, naming it; the zone file stays as it was', async () => {
    const l = await failingOver();
    const base = join(l.baseDir, 'example.com.base');
    const zone = readFileSync(join(l.zoneDir, 'example.com'), 'utf8');
    chmodSync(base, 0o666);
    await refused(l, base, /a base file is writable by every user .*mode 0666\)/);
    assert.equal(readFileSync(join(l.zoneDir, 'example.com'), 'utf8'), zone, 'nothing published');
  });

  test('a file a base file includes, owned by another user: refused naming it', async () => {
    const l = await failingOver();
    const inc = join(l.zoneDir, 'extra.inc');
    writeFileSync(inc, 'extra 300 IN A 192.0.2.99\n');
    const base = join(l.baseDir, 'example.com.base');
    writeFileSync(base, `${readFileSync(base, 'utf8')}$INCLUDE extra.inc\n`);
    chownSync(inc, NOBODY, NOBODY);
    await refused(l, inc, /a file base\/example\.com\.base includes is owned by another user than root \(owner nobody/);
  });

  test('an included file made writable after a run that read it: the next run judges it from the state (the base file unread) and refuses', async () => {
    const { l, inc } = await publishedWithInclude();
    const state = JSON.parse(readFileSync(join(l.stateDir, 'state.json'), 'utf8')) as { zones: Record<string, { inputs?: { included?: Record<string, string> } }> };
    assert.deepEqual(Object.keys(state.zones['example.com']?.inputs?.included ?? {}), [inc], 'the state remembers what the base file includes');
    chmodSync(inc, 0o666); // the base file is untouched: its identity is the one the state remembers
    await refused(l, inc, /a file base\/example\.com\.base includes is writable by every user .*mode 0666\)/);
  });

  test('an included file that now includes another (the base file untouched): the new one is judged too', async () => {
    const { l, inc } = await publishedWithInclude();
    const nested = join(l.zoneDir, 'nested.inc');
    writeFileSync(nested, 'nested 300 IN A 192.0.2.98\n');
    chmodSync(nested, 0o666);
    writeFileSync(inc, 'extra 300 IN A 192.0.2.99\n$INCLUDE nested.inc\n');
    await refused(l, nested, /a file base\/example\.com\.base includes is writable by every user .*mode 0666\)/);
  });
});

describe('what a hook gets', () => {
  test('the ZONERW_* variables, a fixed PATH, HOME, USER, LOGNAME and nothing inherited; the config\'s folder; stdin at its end', async () => {
    const out = join(root, `dump${n}`);
    const l = await failingOver(() => ['sh', '-c', `env > ${out}.env; pwd > ${out}.cwd; cat > ${out}.stdin; echo "read: $?" >> ${out}.cwd`]);
    const r = await zonerw(['--config', l.conf], { SECRET_TOKEN: 'hunter2', AWS_SECRET_ACCESS_KEY: 'x', LANG: 'C.UTF-8' });
    assert.equal(r.code, 0, said(r));
    const env = Object.fromEntries(readFileSync(`${out}.env`, 'utf8').trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    // sh itself adds PWD (and dash SHLVL? no: only PWD, and OLDPWD in some shells)
    const shellOwn = new Set(['PWD', 'OLDPWD', 'SHLVL', '_']);
    assert.deepEqual(Object.keys(env).filter((k) => !shellOwn.has(k)).sort(), ['HOME', 'LOGNAME', 'PATH', 'USER', 'ZONERW_EVENT', 'ZONERW_FROM', 'ZONERW_GROUP', 'ZONERW_REASON', 'ZONERW_SERIALS', 'ZONERW_SERVED', 'ZONERW_TO', 'ZONERW_ZONES']);
    assert.equal(env.PATH, HOOK_PATH);
    assert.equal(env.ZONERW_EVENT, 'failover');
    assert.equal(readFileSync(`${out}.cwd`, 'utf8'), `${dirname(l.conf)}\nread: 0\n`, 'the config file\'s folder; cat read its stdin to the end at once');
    assert.equal(readFileSync(`${out}.stdin`, 'utf8'), '', 'nothing on stdin');
  });
});

describe('zones.example as a clone leaves it, under umask 022 and 002', { skip: asRoot ? false : 'needs root (chown)' }, () => {
  /** A copy of zones.example with the modes `umask` gives a clone, owned by root and group `gid`. */
  function cloned(umask: number, gid: number): string {
    const dir = join(root, `example-${umask.toString(8)}-${gid}`);
    cpSync(join(repoRoot, 'zones.example'), dir, { recursive: true }); // zone_dir too: shipped
    const walk = (p: string): void => {
      const folder = statSync(p).isDirectory();
      chmodSync(p, (folder ? 0o777 : 0o666) & ~umask);
      chownSync(p, 0, gid);
      if (folder) for (const e of readdirSync(p)) walk(join(p, e));
    };
    walk(dir);
    return join(dir, 'zonerw.toml');
  }

  for (const umask of [0o022, 0o002]) {
    test(`umask ${umask.toString(8).padStart(3, "0")}, root's group: zonerw check passes`, async () => {
      const r = await zonerw(['--config', cloned(umask, 0), 'check']);
      assert.equal(r.code, 0, said(r));
      assert.match(r.stdout, /^ok: zonerw\.toml: /m);
    });
  }

  test('no base file yet (a fresh install): check passes with a warning naming base_dir; a run still refuses (78)', async () => {
    const conf = cloned(0o022, 0);
    rmSync(join(dirname(conf), 'base', 'example.com.base'));
    const r = await zonerw(['--config', conf, 'check']);
    assert.equal(r.code, 0, said(r));
    assert.equal(r.stdout, 'ok: zonerw.toml: 2 servers, no zones yet\n');
    assert.equal(r.stderr, `warning: no zones yet: put one <zone>.base file per zone in ${join(dirname(conf), 'base')} (like example.com.base); until then a run exits 78\n`);
    const run = await zonerw(['--config', conf]);
    assert.equal(run.code, 78, said(run));
    assert.match(run.stderr, /base_dir: no \*\.base files in /);
  });

  test('umask 002 with another group (a shared group of the user who cloned it): refused, each path named once with chmod g-w', async () => {
    const conf = cloned(0o002, NOBODY);
    const r = await zonerw(['--config', conf, 'check']);
    assert.equal(r.code, 78, said(r));
    assert.deepEqual(r.stderr.split('\n').filter(Boolean).map((l) => l.slice('zonerw: '.length, l.indexOf(': ', 'zonerw: '.length))), [dirname(conf), conf], 'the config and its folder: what the config names waits for them');
    assert.match(r.stderr, /: chmod g-w \S+$/m);
  });
});

describe('as nobody: a file or folder it cannot read is said once, naming the user and the fix', { skip: asRoot ? cannotDropPrivileges(readableBin()) ?? false : 'needs root (setpriv)' }, () => {
  const asNobody = (args: string[]) => zonerw(args, {}, { bin: readableBin(), under: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] });
  /** zones.example, root's, readable by all; zones/ nobody's, so that only what a test breaks is wrong */
  function example(name: string): string {
    // below a folder of its own that nobody may search (the lab's root is 0700)
    const open = join(tmpdir(), `zonerw-nobody-${process.pid}`);
    mkdirSync(open, { recursive: true, mode: 0o755 });
    chmodSync(open, 0o755);
    const dir = join(open, name);
    cpSync(join(repoRoot, 'zones.example'), dir, { recursive: true });
    chmodSync(dir, 0o755);
    chownSync(join(dir, 'zones'), NOBODY, NOBODY);
    return join(dir, 'zonerw.toml');
  }

  test('a config file nobody cannot read (0600): the user and the fix, in read-error words', async () => {
    const conf = example('unreadable-conf');
    chmodSync(conf, 0o600);
    const r = await asNobody(['--config', conf, 'check']);
    rmSync(dirname(dirname(conf)), { recursive: true, force: true });
    assert.equal(r.code, 78, said(r));
    assert.equal(r.stderr, `zonerw: ${conf}: EACCES: permission denied (running as nobody, uid 65534): give nobody read access to ${conf} (chmod a+r ${conf}; or chgrp/setfacl), or run zonerw as root\n`);
  });

  test('state_dir root\'s 0700 with state.json and the history in it: said once, with one fix', async () => {
    const conf = example('closed-state');
    const state = join(dirname(conf), 'state');
    mkdirSync(state, { mode: 0o700 });
    writeFileSync(join(state, 'state.json'), '{}\n');
    writeFileSync(join(state, 'history.jsonl'), '');
    const r = await asNobody(['--config', conf, 'check']);
    rmSync(dirname(dirname(conf)), { recursive: true, force: true });
    assert.equal(r.code, 1, said(r));
    assert.equal(r.stderr, `state_dir: ${state} is not writable by nobody, uid 65534: give nobody write access to ${state} (chown nobody ${state})\n`);
    assert.equal(r.stdout, '');
  });
});
