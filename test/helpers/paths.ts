// Tests run compiled from dist/test/...; fixtures and the bin stay in the source tree.
import { chmodSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const zonerwBin = join(repoRoot, 'bin', 'zonerw.js');

let publicBin: string | undefined;

/**
 * The built binary copied (bin/, dist/zonerw/, package.json) into a folder every user can read,
 * for runs as another user (setpriv): the checkout itself may sit below a folder only root
 * can enter. Made once per test process; removed by the OS's tmp clean-up.
 */
export function readableBin(): string {
  if (publicBin) return publicBin;
  const dir = mkdtempSync(join(tmpdir(), 'zonerw-bin-'));
  chmodSync(dir, 0o755);
  cpSync(join(repoRoot, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(repoRoot, 'dist', 'zonerw'), join(dir, 'dist', 'zonerw'), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
  for (const d of [join(dir, 'bin'), join(dir, 'dist'), join(dir, 'dist', 'zonerw')]) chmodSync(d, 0o755);
  publicBin = join(dir, 'bin', 'zonerw.js');
  return publicBin;
}
