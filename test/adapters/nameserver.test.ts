// The nameserver adapter's checker order and control runs, with a
// fake runCommand: which program ran, with which arguments, and what a missing checker means.
import { describe, test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createNameserver } from '../../src/adapters/nameserver.js';
import type { NameserverKind, NameserverSettings as Ns } from '../../src/core/nameserver.js';
import { commandResult, describeOutcome, type Outcome } from '../../src/core/outcome.js';
import type { CommandResult } from '../../src/run/ports.js';
import { needBinary } from '../lab/lab.js';
import { skipUnlessCI } from '../helpers/need.js';

function ns(kind: NameserverKind, control: string[], checkzone: Ns['checkzone'] = 'auto'): Ns {
  return { kind, control, checkzone, timeoutMs: 5000 };
}

const ok = (stdout = ''): CommandResult => commandResult({ kind: 'exit', code: 0 }, stdout);
const notFound = (name: string): CommandResult => commandResult({ kind: 'not found', program: name });

/** A runCommand that answers from `installed` (program -> result) and records every argv (and cwd). */
function fakeRun(installed: Record<string, CommandResult>) {
  const calls: string[][] = [];
  const cwds: (string | undefined)[] = [];
  const run = async (argv: readonly string[], opts: { cwd?: string }): Promise<CommandResult> => {
    calls.push([...argv]);
    cwds.push(opts.cwd);
    return installed[argv[0]!] ?? notFound(argv[0]!);
  };
  return { run, calls, cwds };
}

describe('checker order', () => {
  const FILE = '/var/lib/zones/.example.com.zonerw-tmp-1';

  test('knot: kzonecheck when it is installed', async () => {
    const { run, calls } = fakeRun({ kzonecheck: ok(), 'named-checkzone': ok(), 'nsd-checkzone': ok() });
    assert.deepEqual(await createNameserver(ns('knot', ['knotc']), run).validate('example.com', FILE), { ok: true, checker: 'kzonecheck' });
    assert.deepEqual(calls, [['kzonecheck', '-v', '-o', 'example.com', FILE]], 'kzonecheck takes the origin with -o, and says why it refuses only with -v');
  });

  test('knot without kzonecheck (Debian 12 `knot`): named-checkzone, and it is named', async () => {
    const { run, calls } = fakeRun({ 'named-checkzone': ok(), 'nsd-checkzone': ok() });
    assert.deepEqual(await createNameserver(ns('knot', ['knotc']), run).validate('example.com', FILE), { ok: true, checker: 'named-checkzone' });
    assert.deepEqual(calls.map((c) => c[0]), ['kzonecheck', 'named-checkzone']);
  });

  test('knot with only nsd-checkzone', async () => {
    const { run, calls } = fakeRun({ 'nsd-checkzone': ok() });
    assert.deepEqual(await createNameserver(ns('knot', ['knotc']), run).validate('example.com', FILE), { ok: true, checker: 'nsd-checkzone' });
    assert.deepEqual(calls.map((c) => c[0]), ['kzonecheck', 'named-checkzone', 'nsd-checkzone']);
  });

  test('knot: a refusal names the fallback checker and carries its words', async () => {
    const refused: CommandResult = commandResult({ kind: 'exit', code: 1 }, `zone example.com/IN: loading from master file ${FILE} failed: bad dotted quad\n`);
    const { run } = fakeRun({ 'named-checkzone': refused, 'nsd-checkzone': ok() });
    const r = await createNameserver(ns('knot', ['knotc']), run).validate('example.com', FILE);
    assert.equal(r.ok, false);
    assert.equal(r.checker, 'named-checkzone', 'the first installed checker decides; the next one is not asked');
    assert.match(r.message ?? '', /bad dotted quad/);
  });

  test('knot with no checker at all: "always" refuses and names all three; "auto" lets it through', async () => {
    const { run } = fakeRun({});
    const always = await createNameserver(ns('knot', ['knotc'], 'always'), run).validate('example.com', FILE);
    assert.equal(always.ok, false);
    assert.match(always.message ?? '', /kzonecheck, named-checkzone or nsd-checkzone: not on PATH, nor in \/usr\/local\/sbin, \/usr\/sbin, \/sbin\); install the package that has it: apt-get install knot-dnssecutils/);
    assert.doesNotMatch(always.message ?? '', /checkzone = "auto"/, 'advice that keeps validation on');
    assert.deepEqual(await createNameserver(ns('knot', ['knotc'], 'auto'), run).validate('example.com', FILE), { ok: true });
  });

  test('named-checkzone checks names as named does for a primary zone (-k fail) and keeps its integrity checks local (-i local); every checker runs in the include folder', async () => {
    const { run, calls, cwds } = fakeRun({ 'named-checkzone': ok(), 'nsd-checkzone': ok() });
    await createNameserver(ns('bind', ['rndc']), run).validate('example.com', FILE, { cwd: '/var/cache/bind' });
    await createNameserver(ns('nsd', ['nsd-control']), run).validate('example.com', FILE, { cwd: '/etc/nsd' });
    assert.deepEqual(calls, [['named-checkzone', '-k', 'fail', '-i', 'local', 'example.com', FILE], ['nsd-checkzone', 'example.com', FILE]]);
    assert.deepEqual(cwds, ['/var/cache/bind', '/etc/nsd']);
  });

  test('a checker killed by the timeout, a signal, or that cannot start gives no verdict: unfinished, never its partial output', async () => {
    const outcomes: Outcome[] = [{ kind: 'timeout', afterMs: 10_000 }, { kind: 'signal', signal: 'SIGKILL' }, { kind: 'cannot run', program: 'named-checkzone', why: 'permission denied' }];
    for (const outcome of outcomes) {
      const { run } = fakeRun({ 'named-checkzone': commandResult(outcome, 'zone example.com/IN: loaded serial 1\n', 'example.com: MX mail.example.net: lookup') });
      assert.deepEqual(await createNameserver(ns('bind', ['rndc']), run).validate('example.com', FILE), { ok: false, checker: 'named-checkzone', unfinished: describeOutcome(outcome) });
    }
  });

  test('nsd and bind use only their own checker', async () => {
    const { run, calls } = fakeRun({ 'named-checkzone': ok(), 'nsd-checkzone': ok() });
    assert.deepEqual(await createNameserver(ns('nsd', ['nsd-control']), run).validate('example.com', FILE), { ok: true, checker: 'nsd-checkzone' });
    assert.deepEqual(await createNameserver(ns('bind', ['rndc']), run).validate('example.com', FILE), { ok: true, checker: 'named-checkzone' });
    assert.deepEqual(calls.map((c) => c[0]), ['nsd-checkzone', 'named-checkzone']);
  });
});

describe('control runs', () => {
  test('Nameserver.command and run use the same argv', async () => {
    const { run, calls } = fakeRun({ knotc: ok('OK\n') });
    const n = createNameserver(ns('knot', ['knotc', '-s', '/run/knot/knot.sock']), run);
    assert.deepEqual(n.command('reload', 'example.com'), ['knotc', '-s', '/run/knot/knot.sock', 'zone-reload', 'example.com']);
    assert.equal((await n.run('reload', 'example.com')).ok, true);
    assert.equal((await n.run('notify', 'example.com')).ok, true);
    assert.deepEqual(calls, [
      ['knotc', '-s', '/run/knot/knot.sock', 'zone-reload', 'example.com'],
      ['knotc', '-s', '/run/knot/knot.sock', 'zone-notify', 'example.com'],
    ]);
  });

  test('kind none runs nothing', async () => {
    const { run, calls } = fakeRun({});
    const r = await createNameserver(ns('none', []), run).run('reload', 'example.com');
    assert.equal(r.ok, true);
    assert.deepEqual(calls, []);
  });
});

describe('status, for zonerw check', () => {
  test('runs the status argv; a failure on the control socket carries the hint, after the command\'s own words', async () => {
    const denied: CommandResult = commandResult({ kind: 'exit', code: 1 }, '', 'error: connect (/run/nsd/nsd.ctl): Permission denied\n');
    const { run, calls } = fakeRun({ 'nsd-control': denied });
    const s = await createNameserver(ns('nsd', ['nsd-control']), run).status();
    assert.deepEqual(calls, [['nsd-control', 'status']]);
    assert.deepEqual(s?.argv, ['nsd-control', 'status']);
    const [own, hint] = s!.result.stderr.split('\n');
    assert.equal(own, 'error: connect (/run/nsd/nsd.ctl): Permission denied');
    assert.match(hint!, /^\(running as \S+, uid \d+\) \S+ needs access to NSD's control socket, which NSD gives to its own group: adduser \S+ nsd$/);
    const reload = await createNameserver(ns('nsd', ['nsd-control']), run).run('reload', 'example.com');
    assert.match(reload.stderr, /adduser \S+ nsd$/, 'a reload gets the same hint');
  });

  test('kind none has no status; a status that answers is passed through', async () => {
    assert.equal(await createNameserver(ns('none', []), fakeRun({}).run).status(), undefined);
    const s = await createNameserver(ns('knot', ['knotc']), fakeRun({ knotc: ok('Running\n') }).run).status();
    assert.deepEqual(s, { argv: ['knotc', 'status'], result: ok('Running\n') });
  });
});

describe('the real control commands without their keys: the hint says how to make them', { skip: skipUnlessCI(['nsd-control', 'rndc'].filter((b) => !needBinary(b)).map((b) => `${b} not installed`).join(', ') || false) }, () => {
  test('nsd-control whose nsd_control.key and .pem do not exist -> nsd-control-setup; rndc without rndc.key -> rndc-confgen -a', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zonerw-nokeys-'));
    try {
      const conf = join(dir, 'nsd.conf');
      writeFileSync(conf, `server:\n  zonesdir: ${dir}\nremote-control:\n  control-enable: yes\n  control-key-file: ${dir}/nsd_control.key\n  control-cert-file: ${dir}/nsd_control.pem\n  server-cert-file: ${dir}/nsd_server.pem\n`);
      const nsd = await createNameserver({ kind: 'nsd', control: ['nsd-control', '-c', conf], checkzone: 'auto', timeoutMs: 10_000 }).status();
      assert.equal(nsd?.result.ok, false);
      assert.match(nsd!.result.stderr, /nsd_control\.(pem|key) does not exist: create nsd-control's keys and certificates with nsd-control-setup/, nsd!.result.stderr);
      const rndc = await createNameserver({ kind: 'bind', control: ['rndc', '-k', join(dir, 'rndc.key'), '-s', '127.0.0.1', '-p', '1'], checkzone: 'auto', timeoutMs: 10_000 }).status();
      assert.equal(rndc?.result.ok, false);
      assert.match(rndc!.result.stderr, /rndc-confgen -a/, rndc!.result.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
