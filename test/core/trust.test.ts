// core/trust.ts: (path, owner, group, mode, kind, place) -> verdict, as a table; the words of a
// refusal; what a command line runs (core/runs.ts): through exec wrappers, shells' options and
// their -c program texts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { whatRuns, type Runs } from '../../src/core/runs.js';
import { describeUntrusted, modeString, untrusted, type Also, type PathFacts, type Place, type Runner } from '../../src/core/trust.js';

const ROOT: Runner = { uid: 0, gid: 0, name: 'root' };
const ZONERW: Runner = { uid: 999, gid: 998, name: 'zonerw' };
const NSD: Also = { name: 'nsd', uid: 107, gid: 112 };
const DIR = 0o040000;
const FILE = 0o100000;

type Row = [string, Runner, Omit<PathFacts, 'path'>, Place, 'ok' | RegExp, Also?];
const f = (uid: number, gid: number, mode: number): Omit<PathFacts, 'path'> => ({ uid, gid, mode: FILE | mode, kind: 'file' });
const d = (uid: number, gid: number, mode: number): Omit<PathFacts, 'path'> => ({ uid, gid, mode: DIR | mode, kind: 'folder' });
const rows: Row[] = [
  ['root\'s 0644 file, run as root', ROOT, f(0, 0, 0o644), 'target', 'ok'],
  ['root\'s 0600 file', ROOT, f(0, 0, 0o600), 'target', 'ok'],
  ['0666: every user writes it', ROOT, f(0, 0, 0o666), 'target', /writable by every user.*chmod go-w/],
  ['0646: every user writes it', ROOT, f(0, 0, 0o646), 'target', /writable by every user/],
  ['group-writable by root\'s group', ROOT, f(0, 0, 0o664), 'target', 'ok'],
  ['group-writable by another group', ROOT, f(0, 50, 0o664), 'target', /writable by the group gid 50, which is not root's group.*chmod g-w/],
  ['another user\'s file', ROOT, f(1000, 1000, 0o644), 'target', /owned by another user than root: chown root/],
  ['another user\'s file, mode 0600 (still theirs to change)', ROOT, f(1000, 0, 0o600), 'target', /owned by another user/],
  ['zonerw\'s own file, run as zonerw', ZONERW, f(999, 998, 0o644), 'target', 'ok'],
  ['root\'s file, run as zonerw', ZONERW, f(0, 0, 0o644), 'target', 'ok'],
  ['group-writable by zonerw\'s own group, run as zonerw', ZONERW, f(0, 998, 0o664), 'target', 'ok'],
  ['group-writable by root\'s group, run as zonerw', ZONERW, f(0, 0, 0o664), 'target', 'ok'],
  ['group-writable by another group, run as zonerw', ZONERW, f(999, 50, 0o664), 'target', /which is not root's or zonerw's group/],
  ['another user\'s file, run as zonerw', ZONERW, f(1000, 998, 0o644), 'target', /owned by another user than root or zonerw/],
  ['/tmp: sticky, world-writable, root\'s, above', ROOT, d(0, 0, 0o1777), 'above', 'ok'],
  ['a sticky folder as the target itself (a config folder, a PATH folder): not enough', ROOT, d(0, 0, 0o1777), 'target', /writable by every user/],
  ['sticky but another user\'s, above', ROOT, d(1000, 1000, 0o1777), 'above', /owned by another user/],
  ['world-writable folder above, not sticky', ROOT, d(0, 0, 0o777), 'above', /writable by every user/],
  ['group-writable sticky folder of another group, above', ROOT, d(0, 50, 0o1775), 'above', 'ok'],
  ['group-writable folder of another group, above, not sticky', ROOT, d(0, 50, 0o775), 'above', /writable by the group/],
  ['a link owned by root: its mode means nothing', ROOT, { uid: 0, gid: 0, mode: 0o120777, kind: 'link' }, 'target', 'ok'],
  ['a link owned by another user', ROOT, { uid: 1000, gid: 1000, mode: 0o120777, kind: 'link' }, 'target', /owned by another user/],
  ['setuid bits do not matter to trust', ROOT, f(0, 0, 0o4755), 'target', 'ok'],
  // zone_dir's: the nameserver's user and group too
  ['/var/lib/nsd: nsd\'s own folder, above zone_dir', ROOT, d(107, 112, 0o755), 'above', 'ok', NSD],
  ['zone_dir group-writable by bind (inline signing)', ROOT, d(0, 112, 0o2775), 'target', 'ok', NSD],
  ['zone_dir owned by another user still', ROOT, d(1000, 112, 0o755), 'target', /owned by another user than root or nsd/, NSD],
  ['zone_dir writable by every user still', ROOT, d(0, 112, 0o777), 'target', /writable by every user/, NSD],
  ['without the nameserver, nsd\'s folder is another user\'s', ROOT, d(107, 112, 0o755), 'above', /owned by another user than root/],
];

describe('untrusted: (owner, group, mode, kind, place) -> verdict', () => {
  for (const [name, who, facts, place, expected, also] of rows) {
    test(name, () => {
      const v = untrusted({ path: '/p', ...facts }, place, who, also);
      if (expected === 'ok') assert.equal(v, undefined);
      else assert.match(`${v?.why}: ${v?.fix}`, expected);
    });
  }
});

describe('describeUntrusted: what, why, owner, group, mode, fix', () => {
  test('the file itself', () => {
    const line = describeUntrusted({ path: '/etc/zonerw/zonerw.toml', uid: 0, gid: 0, mode: FILE | 0o666, kind: 'file', owner: 'root', group: 'root' }, 'target', ROOT, 'the config file');
    assert.equal(line, '/etc/zonerw/zonerw.toml: the config file is writable by every user (owner root (uid 0), group root (gid 0), mode 0666); zonerw runs and reads nothing another user could change: chmod go-w /etc/zonerw/zonerw.toml');
  });
  test('a folder above, named with the file below it; an unnamed owner by its uid', () => {
    const line = describeUntrusted({ path: '/home/alice', uid: 1000, gid: 1000, mode: DIR | 0o755, kind: 'folder' }, 'above', ROOT, 'hook[0].run', { below: '/home/alice/bin/notify' });
    assert.equal(line, '/home/alice: hook[0].run (/home/alice/bin/notify) is below this folder, which is owned by another user than root (owner uid 1000, group gid 1000, mode 0755); zonerw runs and reads nothing another user could change: chown root /home/alice');
  });
  test('a path with a space is quoted in the fix', () => {
    const line = describeUntrusted({ path: "/srv/my dns/it's.toml", uid: 0, gid: 0, mode: FILE | 0o666, kind: 'file' }, 'target', ROOT, 'the config file');
    assert.match(line!, /: chmod go-w '\/srv\/my dns\/it'\\''s\.toml'$/);
  });
  test('trusted: undefined', () => {
    assert.equal(describeUntrusted({ path: '/etc', uid: 0, gid: 0, mode: DIR | 0o755, kind: 'folder' }, 'above', ROOT, 'x'), undefined);
  });
  test('modeString', () => {
    assert.deepEqual([modeString(FILE | 0o644), modeString(DIR | 0o1777), modeString(0o4755)], ['0644', '1777', '4755']);
  });
});

describe('whatRuns: every program and script a command line runs, through wrappers and shells', () => {
  const p = (name: string): Runs => ({ kind: 'program', name });
  const s = (path: string): Runs => ({ kind: 'script', path });
  const m = (path: string): Runs => ({ kind: 'mentioned', path });
  const cases: [string[], Runs[]][] = [
    [['/usr/local/sbin/rd-switch-role'], [p('/usr/local/sbin/rd-switch-role')]],
    [['sh', '/etc/zonerw/hook.sh'], [p('sh'), s('/etc/zonerw/hook.sh')]],
    [['/bin/bash', '-eu', 'hook.sh', 'arg'], [p('/bin/bash'), s('hook.sh')]],
    // the reviewer's bypasses: wrappers, shells' options with an argument, -c program texts
    [['env', 'sh', 'hook.sh'], [p('env'), p('sh'), s('hook.sh')]],
    [['/usr/bin/env', 'bash', '/abs/hook.sh'], [p('/usr/bin/env'), p('bash'), s('/abs/hook.sh')]],
    [['sh', '-c', '/abs/hook.sh'], [p('sh'), p('/abs/hook.sh'), m('/abs/hook.sh')]],
    [['sh', '-c', '. ./hook.sh'], [p('sh'), s('./hook.sh'), m('./hook.sh')]],
    [['bash', '-o', 'errexit', 'hook.sh'], [p('bash'), s('hook.sh')]],
    [['bash', '-eo', 'pipefail', '+O', 'extglob', '--norc', 'hook.sh'], [p('bash'), s('hook.sh')]],
    [['bash', '--rcfile', '/etc/rc', '-i'], [p('bash'), s('/etc/rc')]],
    [['nice', './hook.sh'], [p('nice'), p('./hook.sh')]],
    [['nice', '-n', '5', 'hook'], [p('nice'), p('hook')]],
    [['nice', '-n5', '-5', 'hook'], [p('nice'), p('hook')]],
    [['timeout', '5', './hook.sh'], [p('timeout'), p('./hook.sh')]],
    [['timeout', '-k', '1', '--signal=TERM', '5s', 'sh', 'x.sh'], [p('timeout'), p('sh'), s('x.sh')]],
    [['env', 'LANG=C.UTF-8', '/usr/local/sbin/x'], [p('env'), p('/usr/local/sbin/x')]],
    [['env', '-i', '-u', 'HOME', '--chdir=/', 'A=1', 'nohup', 'ionice', '-c', '3', 'chrt', '-b', '0', 'taskset', '0x3', 'stdbuf', '-oL', 'x'], [p('env'), p('nohup'), p('ionice'), p('chrt'), p('taskset'), p('stdbuf'), p('x')]],
    [['env', '-iu', 'HOME', 'x'], [p('env'), p('x')]],
    [['env', '-S', 'sh -e', 'h.sh'], [p('env'), p('sh'), s('h.sh')]],
    [['sudo', '-u', 'dns', '--', 'setpriv', '--reuid=0', '--nnp', 'flock', '/run/lock/z', 'x'], [p('sudo'), p('setpriv'), p('flock'), p('x')]],
    [['flock', '-w', '5', '/run/lock/z', '-c', '/abs/h.sh'], [p('flock'), p('/abs/h.sh'), m('/abs/h.sh')]],
    [['busybox', 'sh', 'h.sh'], [p('busybox'), p('sh'), s('h.sh')]],
    [['taskset', '-p', '0x3', '1234'], [p('taskset')]],
    // program texts: each simple command, reserved words and assignments skipped, every path word
    [['sh', '-c', 'id > /tmp/x'], [p('sh'), p('id'), m('/tmp/x')]],
    [['sh', '-c', 'echo', 'x.sh'], [p('sh'), p('echo')]],
    [['sh', '-ec', 'LANG=C /opt/a "$ZONERW_ZONE" && exec env b; if test -f ./c; then bash -- ./d; fi # /not'],
      [p('sh'), p('/opt/a'), p('exec'), p('env'), p('b'), p('test'), p('bash'), s('./d'), m('/opt/a'), m('./c'), m('./d')]],
    [['sh', '-c', 'curl -d @/etc/zonerw/msg https://x/ 2>/dev/null | logger'], [p('sh'), p('curl'), p('logger'), m('/dev/null')]],
    [['sh', '-c', '$HOOK'], [p('sh'), { kind: 'unknown', why: '"$HOOK" in "$HOOK" is only known when the shell runs' }]],
    [['sh', '-c', 'for f in /etc/h/*; do . "$f"; done'], [p('sh'), { kind: 'unknown', why: '"$f" in "for f in /etc/h/*; do . \\"$f\\"; done" is only known when the shell runs' }]],
    // a change of folder: what is relative after it is not known here; another root: nothing is
    [['sh', '-c', 'cd /tmp/evil && ./hook.sh; . ../x; bash /abs/ok'], [p('sh'), p('cd'), { kind: 'unknown', why: '"./hook.sh" is relative to the folder cd moves to; write it as an absolute path' }, { kind: 'unknown', why: '"../x" is relative to the folder cd moves to; write it as an absolute path' }, p('bash'), s('/abs/ok'), m('/tmp/evil'), { kind: 'unknown', why: '"./hook.sh" is relative to the folder cd moves to; write it as an absolute path' }, { kind: 'unknown', why: '"../x" is relative to the folder cd moves to; write it as an absolute path' }, m('/abs/ok')]],
    [['env', '-C', '/tmp/evil', 'sh', 'hook.sh'], [p('env'), p('sh'), { kind: 'unknown', why: '"hook.sh" is relative to the folder env -C moves to; write it as an absolute path' }]],
    [['sudo', '--chroot=/srv/jail', '/bin/x'], [p('sudo'), { kind: 'unknown', why: 'sudo --chroot runs its command under another root, where no path is the one zonerw sees' }]],
    [['sh', '-c', 'eval /x/y'], [p('sh'), p('/x/y'), m('/x/y'), m('/x/y')]],
    // interpreters
    [['python3', '/opt/notify.py'], [p('python3'), s('/opt/notify.py')]],
    [['python3.11', '-u', '-W', 'ignore', '/opt/notify.py'], [p('python3.11'), s('/opt/notify.py')]],
    [['python3', '-m', 'http.server'], [p('python3')]],
    [['python3', '-c', 'exec(open("/tmp/x.py").read())'], [p('python3'), m('/tmp/x.py')]],
    [['perl', '-e', 'do "/opt/x.pl"'], [p('perl'), m('/opt/x.pl')]],
    [['node', '--', 'x.js'], [p('node'), s('x.js')]],
    [['curl', '-fsS', 'https://api.example/'], [p('curl')]],
    [['toString', 'x'], [p('toString')]],
    [[], []],
  ];
  for (const [argv, runs] of cases) test(JSON.stringify(argv), () => assert.deepEqual(whatRuns(argv), runs));
});
