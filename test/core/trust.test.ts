// core/trust.ts: (path, owner, group, mode, kind, place) -> verdict, as a table; the words of a
// refusal; which argument of a command is a script it reads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeUntrusted, modeString, scriptOf, untrusted, type Also, type PathFacts, type Place, type Runner } from '../../src/core/trust.js';

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

describe('scriptOf: the file an interpreter reads', () => {
  const cases: [string[], string | undefined][] = [
    [['/usr/local/sbin/rd-switch-role'], undefined],
    [['sh', '/etc/zonerw/hook.sh'], '/etc/zonerw/hook.sh'],
    [['/bin/bash', '-eu', 'hook.sh', 'arg'], 'hook.sh'],
    [['sh', '-c', 'id > /tmp/x'], undefined],
    [['sh', '-c', 'echo', 'x.sh'], undefined],
    [['python3', '/opt/notify.py'], '/opt/notify.py'],
    [['python3.11', '-u', '/opt/notify.py'], '/opt/notify.py'],
    [['python3', '-m', 'http.server'], undefined],
    [['perl', '-e', 'print 1'], undefined],
    [['node', '--', 'x.js'], 'x.js'],
    [['curl', '-fsS', 'https://api.example/'], undefined],
    [['systemctl', 'start', 'murmur'], undefined],
    [['toString', 'x'], undefined],
    [[], undefined],
  ];
  for (const [argv, script] of cases) test(JSON.stringify(argv), () => assert.equal(scriptOf(argv), script));
});
