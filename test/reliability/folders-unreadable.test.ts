// A base_dir that exists but that the user zonerw runs as cannot read is said as such, with the
// path, the user and the fix, in a run and in `zonerw check` alike: never "does not exist:
// create it" (only ENOENT and ENOTDIR mean missing). Run as nobody (setpriv), since root reads
// whatever the mode bits say; nothing is written in zone_dir either way.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zonerw, type CliResult } from '../helpers/cli.js';
import { skipUnlessCI } from '../helpers/need.js';
import { readableBin } from '../helpers/paths.js';
import { STACK, MainServer, cannotDropPrivileges, lines, makeBinLab, tempRoot, tree, type BinLab } from './helpers.js';

const NOBODY = 65534;
const WHO = `running as nobody, uid ${NOBODY}`;
const NOW = { ZONERW_NOW: '2026-11-22T10:00:00Z' };
const roots: string[] = [];
let main: MainServer | undefined;
after(async () => {
  await main?.stop();
  for (const r of roots) rmSync(r, { recursive: true, force: true }); // root: whatever the modes
});

async function lab(name: string): Promise<BinLab> {
  const root = tempRoot(name);
  roots.push(root);
  chmodSync(root, 0o755);
  main ??= await new MainServer().start();
  const l = makeBinLab(join(root, 'lab'), { checkUrl: main.url });
  chmodSync(l.dir, 0o755);
  // Everything else as a dedicated user would have it: zone_dir and state_dir its own.
  mkdirSync(l.stateDir);
  for (const dir of [l.zoneDir, l.stateDir]) chownSync(dir, NOBODY, NOBODY);
  return l;
}

function asNobody(args: string[]): Promise<CliResult> {
  return zonerw(args, NOW, { bin: readableBin(), under: ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups'] });
}

/** The run and the check both exit 78 with exactly this base_dir problem; zone_dir untouched. */
async function bothSay(l: BinLab, problem: string): Promise<void> {
  const before = tree(l.zoneDir);
  const run = await asNobody(['--config', l.conf]);
  const check = await asNobody(['check', '--config', l.conf]);
  for (const [name, r] of [['run', run], ['check', check]] as const) {
    assert.doesNotMatch(r.stdout + r.stderr, STACK, `${name}: a stack trace`);
    assert.doesNotMatch(r.stderr, /does not exist/, `${name} calls a folder that exists missing:\n${r.stderr}`);
    assert.equal(r.code, 78, `${name}: exit ${r.code}\n${r.stderr}`);
  }
  assert.deepEqual(lines(run.stderr), [`zonerw: ${l.conf}: ${problem}`]);
  // check lists its findings one a line, or stops at one the way a run does
  const said = lines(check.stderr).filter((line) => line === problem || line === `zonerw: ${l.conf}: ${problem}`);
  assert.equal(said.length, 1, `check does not say it once:\n${check.stderr}`);
  assert.deepEqual(tree(l.zoneDir), before, 'zone_dir changed');
}

describe('a base_dir that exists but cannot be read (zonerw run as nobody)', { skip: skipUnlessCI(cannotDropPrivileges(readableBin())) }, () => {
  test('mode 000: the run and check name base_dir, the user and the fix (read and search rights)', async () => {
    const l = await lab('unreadable-base');
    chmodSync(l.baseDir, 0o000);
    await bothSay(l, `base_dir: cannot read ${l.baseDir}: EACCES: permission denied (${WHO}): give nobody read and search access to ${l.baseDir} (chmod a+rx ${l.baseDir}; or chgrp/setfacl), or run zonerw as root`);
  });

  test('inside a folder nobody may not search: the fix names that folder, not base_dir', async () => {
    const l = await lab('unsearchable-base');
    const hidden = join(l.dir, 'hidden');
    mkdirSync(hidden, { mode: 0o700 });
    renameSync(l.baseDir, join(hidden, 'base'));
    const baseDir = join(hidden, 'base');
    writeFileSync(l.conf, readFileSync(l.conf, 'utf8').replace('base_dir = "base"', 'base_dir = "hidden/base"'));
    await bothSay(l, `base_dir: cannot read ${baseDir}: EACCES: permission denied (${WHO}): give nobody search access to ${hidden} (chmod a+x ${hidden}; or chgrp/setfacl), or run zonerw as root`);
  });
});
