// bin/zonerw.js lets through exactly the Node versions package.json's engines accepts, and
// refuses the others with one line naming the versions it needs. The version is faked with a
// preloaded module (process.versions is configurable), so one Node tries them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, zonerwBin } from '../helpers/paths.js';

function runAs(version: string): { status: number | null; stdout: string; stderr: string } {
  const fake = `data:text/javascript,Object.defineProperty(process, "versions", { value: { ...process.versions, node: ${JSON.stringify(version)} } });`;
  const r = spawnSync(process.execPath, ['--import', fake, zonerwBin, '--version'], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the Node version gate matches engines: 20.19+ of 20, and 22 or newer', () => {
  const { engines } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } };
  assert.equal(engines.node, '>=20.19 <21 || >=22', 'the gate below follows this range: change both');
  const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  for (const v of ['20.19.0', '20.20.2', '22.0.0', '24.11.1']) {
    const r = runAs(v);
    assert.deepEqual([r.status, r.stdout, r.stderr], [0, `${version}\n`, ''], v);
  }
  for (const v of ['18.19.1', '20.0.0', '20.18.3', '21.7.3']) {
    const r = runAs(v);
    assert.equal(r.status, 1, v);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `zonerw: needs Node.js 20.19 or a later 20.x, or 22 or newer; this is Node.js ${v} (${process.execPath})\n`);
  }
});
