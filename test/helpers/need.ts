// Tests that need something from the machine (a tool, root, a mount) skip with the reason
// outside CI; under CI, which must provide all of it (.ci/run exports CI=true itself, runs as
// root and installs every tool), they fail instead, so a green CI never hides a skipped test.
import assert from 'node:assert/strict';

/** A `{ skip }` value: the reason outside CI, an error under CI (the file fails to load). */
export function skipUnlessCI(missing: string | false | undefined): string | false {
  if (!missing) return false;
  if (process.env.CI) throw new Error(`${missing}: CI must provide it (.ci/run runs as root and installs every tool)`);
  return missing;
}

/** Inside a test: skip outside CI, fail under CI. */
export function skipOrFail(t: { skip(message?: string): void }, missing: string): void {
  if (process.env.CI) assert.fail(`${missing}: CI must provide it (.ci/run runs as root and installs every tool)`);
  t.skip(missing);
}
