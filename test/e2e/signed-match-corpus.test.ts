// The signer's output compared with the render (core/signed-match.ts) must never refuse a zone
// that was signed correctly: every corpus zone (and the 20,000-record one), rendered, signed by
// the real dnssec-signzone and ldns-signzone, matches its render; the same signed zone with one
// record changed does not. Real signers, keys made here, nothing served.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from '../lab/lab.js';
import { fill, formatProblem, parseBase } from '../../src/core/markers.js';
import { signedMismatch } from '../../src/core/signed-match.js';
import { corpusDir, corpusIncludes, corpusZones, VALUES } from '../helpers/corpus.js';
import { makeKeys, missingTools } from '../helpers/dnssec.js';
import { skipUnlessCI } from '../helpers/need.js';

const SIGNERS = ['dnssec-signzone', 'ldns-signzone'] as const;

/** Zones a signer cannot read (a feature it lacks): not a question for the comparison. */
const UNSIGNABLE: Record<string, readonly string[]> = {
  'ldns-signzone': ['generate.example', 'generic-class.example', 'include.example'],
};

describe('a correctly signed corpus zone matches its render', { skip: skipUnlessCI(missingTools(['dnssec-keygen', ...SIGNERS])), timeout: 300_000 }, () => {
  let dir = '';
  /** signed zones whose marker record was changed and refused: the check must have run somewhere */
  let markerChanged = 0;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zonerw-signed-match-'));
    for (const inc of corpusIncludes()) copyFileSync(join(corpusDir, inc), join(dir, inc));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const { zone, file, text } of corpusZones()) {
    it(zone, () => {
      const r = parseBase(text, file, zone);
      if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
      const rendered = fill(r.template, VALUES);
      const input = join(dir, zone);
      writeFileSync(input, rendered, 'latin1');
      const keyDir = join(dir, `keys-${zone}`);
      mkdirSync(keyDir);
      const keys = makeKeys(keyDir, zone);
      for (const signer of SIGNERS) {
        if (UNSIGNABLE[signer]?.includes(zone)) continue;
        const out = join(dir, `${zone}.${signer}.signed`);
        const argv = signer === 'dnssec-signzone' ? ['-S', '-K', keyDir, '-o', zone, '-f', out, input] : ['-o', zone, '-f', out, input, keys.ksk, keys.zsk];
        const run = spawnSync(binaryPath(signer)!, argv, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
        assert.equal(run.status, 0, `${signer} ${zone}: ${run.stdout}${run.stderr}`);
        const signed = readFileSync(out, 'latin1');
        assert.equal(signedMismatch(rendered, signed, zone), undefined, `${signer} ${zone}`);
        const changed = signed.replace(/(\bIN\s+A\s+)198\.51\.100\.7\b/, '$1203.0.113.99');
        if (changed !== signed) {
          assert.match(signedMismatch(rendered, changed, zone) ?? '', /lacks .* A 198\.51\.100\.7/, `${signer} ${zone}: a changed marker record`);
          markerChanged++;
        }
      }
    });
  }
  it('a changed marker record was refused in some signed zone (the check above ran)', () => {
    assert.ok(markerChanged > 0, `${markerChanged} signed zones had the marker record to change`);
  });
});
