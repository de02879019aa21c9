// Command safety: config values and zone names with spaces, quotes, `;`, `$()`, backquotes,
// globs and newlines either reach the nameserver's programs as single arguments, byte for byte,
// or are refused; nothing goes through a shell. The "nameserver" here is a pair of scripts that
// record the argv they get (nsd-control as configured, nsd-checkzone found on PATH); a shell
// anywhere on the way would create the pwned-* files or split the arguments.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zonerw } from '../helpers/cli.js';
import { MAIN, MainServer, STACK, baseSpec, baseText, lines, makeBinLab, tempRoot, type BinLab } from './helpers.js';

const roots: string[] = [];
let main: MainServer | undefined;
after(async () => {
  await main?.stop();
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const LATER = { ZONERW_NOW: '2026-11-22T11:00:00Z' };

/** A script that appends its argv (as JSON, one call a line) to `log`. Node, so no shell reads it. */
function recorder(path: string, log: string): void {
  writeFileSync(path, `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
  chmodSync(path, 0o755);
}
const calls = (log: string): string[][] => (existsSync(log) ? lines(readFileSync(log, 'utf8')).map((l) => JSON.parse(l) as string[]) : []);

interface Rig {
  root: string;
  lab: BinLab;
  bin: string;
  controlLog: string;
  checkLog: string;
  env: Record<string, string>;
  pwned(): string[];
}

/** Hostile strings: each must arrive as one argument, unchanged, and run nothing. */
function hostile(root: string): string[] {
  return [
    'two words',
    `it's "quoted"`,
    `x; touch ${root}/pwned-semicolon`,
    `$(touch ${root}/pwned-subst)`,
    `\`touch ${root}/pwned-backquote\``,
    `| touch ${root}/pwned-pipe`,
    `> ${root}/pwned-redirect`,
    `&& touch ${root}/pwned-and`,
    'line one\nline two',
    '*',
    '~',
    '$HOME',
    '--',
    '-c',
    '',
  ].filter((s) => s !== '');
}

async function rig(name: string, controlArgs: (root: string) => string[]): Promise<Rig> {
  const root = tempRoot(name);
  roots.push(root);
  main ??= await new MainServer().start();
  main.mode = 'up';
  const bin = join(root, 'bin dir; $(x)');
  mkdirSync(bin);
  const controlLog = join(root, 'control.log');
  const checkLog = join(root, 'checkzone.log');
  // A shell would split this name (and run `x`): the program is found only if it is run as is.
  const control = join(bin, `nsd control 'ctl' "$(x)"; y`);
  recorder(control, controlLog);
  recorder(join(bin, 'nsd-checkzone'), checkLog);
  const toml = (s: string) => JSON.stringify(s); // a TOML basic string is a JSON string here
  const lab = makeBinLab(join(root, 'lab'), {
    checkUrl: main.url,
    nameserver: `kind = "nsd"\ncheckzone = "always"\naddress = false\ncontrol = [${[control, ...controlArgs(root)].map(toml).join(', ')}]`,
  });
  return {
    root, lab, bin, controlLog, checkLog,
    env: { PATH: `${bin}:${process.env.PATH}` },
    pwned: () => readdirSync(root).filter((n) => n.startsWith('pwned')),
  };
}

describe('command safety', () => {
  test('hostile control arguments reach nsd-control as single arguments, byte for byte; the checker gets zone and file; no shell', async () => {
    const r0 = await rig('argv', hostile);
    const { lab } = r0;
    const control = JSON.parse(`[${/control = \[(.*)\]/.exec(readFileSync(lab.conf, 'utf8'))![1]}]`) as string[];
    const first = await zonerw(['--config', lab.conf], { ...NOW, ...r0.env });
    assert.equal(first.code, 0, first.stderr);
    main!.mode = 'down';
    const r = await zonerw(['--config', lab.conf], { ...LATER, ...r0.env });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, STACK);
    assert.deepEqual(r0.pwned(), [], 'a shell ran something');
    assert.deepEqual(calls(r0.controlLog), [
      [...control.slice(1), 'reload', 'example.com'],
      [...control.slice(1), 'notify', 'example.com'],
      [...control.slice(1), 'reload', 'example.com'],
      [...control.slice(1), 'notify', 'example.com'],
    ]);
    const checks = calls(r0.checkLog);
    assert.equal(checks.length, 2);
    for (const c of checks) {
      assert.equal(c.length, 2, JSON.stringify(c));
      assert.equal(c[0], 'example.com');
      assert.match(c[1]!, new RegExp(`^${lab.zoneDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.example\\.com\\.zonerw-tmp-`));
    }
  });

  test('--dry-run shows the commands quoted so that a shell would run exactly the same argv', async () => {
    const r0 = await rig('dry', (root) => hostile(root).filter((s) => !s.includes('\n')));
    const { lab } = r0;
    const control = JSON.parse(`[${/control = \[(.*)\]/.exec(readFileSync(lab.conf, 'utf8'))![1]}]`) as string[];
    const r = await zonerw(['--config', lab.conf, '--dry-run'], { ...NOW, ...r0.env });
    assert.equal(r.code, 0, r.stderr);
    const shown = lines(r.stdout).filter((l) => l.startsWith('would run: ')).map((l) => l.slice('would run: '.length));
    assert.equal(shown.length, 2);
    assert.deepEqual(r0.pwned(), []);
    assert.deepEqual(calls(r0.controlLog), [], 'a dry run runs no control command');
    // Paste each line into a shell (this test's own, on purpose): the same argv must arrive.
    for (const line of shown) spawnSync('/bin/sh', ['-c', line], { env: { PATH: process.env.PATH } });
    assert.deepEqual(r0.pwned(), [], 'the quoting let a shell run something');
    assert.deepEqual(calls(r0.controlLog), [
      [...control.slice(1), 'reload', 'example.com'],
      [...control.slice(1), 'notify', 'example.com'],
    ]);
  });

  test('a control command name holding shell syntax is a name, not a command line: not found, nothing run', async () => {
    const r0 = await rig('name', () => []);
    const { lab, root } = r0;
    writeFileSync(lab.conf, readFileSync(lab.conf, 'utf8').replace(/control = \[.*\]/, `control = ["nsd-control; touch ${root}/pwned-cmd", "reload && touch ${root}/pwned-cmd2"]`));
    const r = await zonerw(['--config', lab.conf], { ...NOW, ...r0.env });
    assert.doesNotMatch(r.stdout + r.stderr, STACK);
    assert.equal(r.code, 1);
    assert.deepEqual(lines(r.stderr), [
      // the command is shown quoted, as a shell would need it to run exactly that argv
      `example.com: 'nsd-control; touch ${root}/pwned-cmd' 'reload && touch ${root}/pwned-cmd2' reload example.com failed (not found: nsd-control; touch ${root}/pwned-cmd); will retry on the next run`,
    ]);
    assert.deepEqual(r0.pwned(), []);
  });

  test('base files named with spaces, quotes, ;, $(), a leading - or a newline: refused one line each; the good zone still goes out; nothing run for them', async () => {
    const r0 = await rig('names', () => []);
    const { lab, root } = r0;
    const text = baseText(baseSpec('evil.example', 1));
    const forged = `example.com: serial 2026112299, www mail -> 203.0.113.66`;
    const bad = [
      'two words.example',
      `it's.example`,
      `x;touch ${'pwned-semi'}`,
      `$(touch pwned-subst).example`,
      '-rf',
      '--help',
      `evil\n${forged}`,
    ];
    for (const b of bad) writeFileSync(join(lab.baseDir, `${b}.base`), text);
    const r = await zonerw(['--config', lab.conf], { ...NOW, ...r0.env });
    assert.doesNotMatch(r.stdout + r.stderr, STACK);
    assert.equal(r.code, 65);
    assert.deepEqual(lines(r.stdout), [`example.com: serial 2026112200, www mail -> ${MAIN}, zone file was missing`]);
    assert.deepEqual(calls(r0.controlLog), [['reload', 'example.com'], ['notify', 'example.com']]);
    assert.deepEqual(readdirSync(lab.zoneDir), ['example.com']);
    assert.deepEqual(r0.pwned(), []);
    assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('pwned')), []);
    const err = lines(r.stderr);
    assert.ok(!err.includes(forged), 'a file name printed raw forged a line of output (cron mail shows it as a publication)');
    assert.equal(err.length, bad.length, `one line per refused file:\n${r.stderr}`);
    for (const l of err) assert.match(l, /^base\/.*: zone name .*; rename the file to <zone>\.base$/);
  });
});
