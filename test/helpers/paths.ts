// Tests run compiled from dist/test/...; fixtures and the bin stay in the source tree.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const zonerwBin = join(repoRoot, 'bin', 'zonerw.js');
