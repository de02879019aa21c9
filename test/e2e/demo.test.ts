// The README's quick start runs `npm run demo`: it must keep working as the product changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';

test('npm run demo: every step of the bundled example behaves (failover and failback on loopback)', async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'dist', 'scripts', 'demo.js')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 0, out);
  assert.match(out, /^Every step behaved\.$/m);
  assert.doesNotMatch(out, /NOT OK/);
});
