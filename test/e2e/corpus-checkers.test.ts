// The corpus (test/fixtures/corpus and the generated 20,000-record zone), rendered, under the
// real checkers: nsd-checkzone, named-checkzone and kzonecheck, each as zonerw would run it.
// The rendered files and the included files are written to one folder, which is also the
// checkers' working directory: NSD and BIND resolve a relative $INCLUDE against the working
// directory, Knot against the including file's folder, so both agree there. Nothing here looks
// anything up: named-checkzone and named-compilezone get `-i local` (in-zone integrity checks
// only), and nsd-checkzone and kzonecheck do no look-ups.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, needBinary } from '../lab/lab.js';
import { fill, formatProblem, parseBase } from '../../src/core/markers.js';
import { profile } from '../../src/core/nameserver.js';
import { countRecords } from '../../src/core/records.js';
import { corpusDir, corpusIncludes, corpusZones, includedTexts, VALUES } from '../helpers/corpus.js';

interface Checker {
  name: string;
  /** as zonerw runs it */
  argv: (zone: string, file: string) => string[];
  /** the same, made to say why it refuses (kzonecheck says only "failed" without -v) */
  explain?: (zone: string, file: string) => string[];
}

/** The arguments of each kind's own checker, from its profile (the program name dropped). */
const own = (kind: 'nsd' | 'bind' | 'knot') => (zone: string, file: string) => profile(kind).checkers[0]!.argv(zone, file).slice(1);

const CHECKERS: Checker[] = [
  { name: 'nsd-checkzone', argv: own('nsd') },
  // as named loads a primary zone: check-names fail (-k fail)
  { name: 'named-checkzone', argv: own('bind') },
  { name: 'kzonecheck', argv: own('knot') },
];

/**
 * Fixtures a checker refuses for a feature it lacks (measured with NSD 4.6.1, BIND 9.18 and
 * Knot 3.2.6), with the words of its refusal: each is still checked to be refused, so that an
 * upgrade that learns the feature shows up here and the exclusion can go.
 */
const REFUSED: Record<string, Record<string, { why: string; says: RegExp }>> = {
  'nsd-checkzone': {
    'generate.example': { why: 'NSD has no $GENERATE (a BIND extension)', says: /Unknown directive: \$GENERATE/ },
  },
  'named-checkzone': {
    'escapes.example': { why: 'named refuses host names with a space or a dot inside a label in a primary zone (check-names primary fail: -k fail)', says: /bad owner name \(check-names\)/ },
  },
  kzonecheck: {
    'generate.example': { why: 'Knot has no $GENERATE', says: /invalid directive/ },
    'crlf.example': { why: 'Knot refuses CR bytes in a zone file', says: /unsupported CRLF newline/ },
    'generic-class.example': { why: 'Knot does not read a class written CLASS1 (RFC 3597 section 5)', says: /unsupported record type/ },
  },
};

const zones = corpusZones();
/** The rendered text of each zone, by zone. */
const rendered = new Map<string, string>();
let dir = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'zonerw-corpus-'));
  for (const { zone, file, text } of zones) {
    const r = parseBase(text, file, zone);
    if (!r.ok) throw new Error(r.problems.map(formatProblem).join('\n'));
    rendered.set(zone, fill(r.template, VALUES));
    writeFileSync(join(dir, zone), rendered.get(zone)!, 'latin1');
  }
  for (const inc of corpusIncludes()) copyFileSync(join(corpusDir, inc), join(dir, inc));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a checker on a rendered zone in the corpus folder; its status and all it said. */
function run(program: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(binaryPath(program)!, args, { cwd: dir, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

for (const checker of CHECKERS) {
  // Under CI a missing checker fails here (needBinary throws); elsewhere its tests are skipped.
  const skip = needBinary(checker.name) ? false : `${checker.name} is not installed`;
  describe(`corpus under ${checker.name}`, { skip }, () => {
    for (const { zone } of zones) {
      const refused = REFUSED[checker.name]?.[zone];
      const name = refused ? `${zone}: refused, as expected (${refused.why})` : `${zone}: accepted`;
      it(name, () => {
        const { status, output } = run(checker.name, checker.argv(zone, zone));
        if (refused) {
          assert.notEqual(status, 0, `${checker.name} now accepts ${zone}: drop it from REFUSED`);
          assert.match(checker.explain ? run(checker.name, checker.explain(zone, zone)).output : output, refused.says);
        } else {
          assert.equal(status, 0, `${checker.name} ${zone}:\n${output}`);
        }
      });
    }
  });
}

describe('corpus: countRecords counts what BIND loads', { skip: needBinary('named-compilezone') ? false : 'named-compilezone is not installed' }, () => {
  // named-compilezone writes the zone it loaded, one record a line, $GENERATE expanded and
  // includes read: the nameserver's own count. (It would merge duplicate records; the corpus has none.)
  // `-k warn`: compilezone fails on check-names by default, checkzone and named only warn.
  for (const { zone } of zones) {
    it(zone, () => {
      const { status, output } = run('named-compilezone', ['-i', 'local', '-k', 'warn', '-q', '-o', '-', zone, zone]);
      assert.equal(status, 0, output);
      const loaded = output.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';')).length;
      const text = rendered.get(zone)!;
      assert.equal(countRecords(text, includedTexts(text)).records, loaded);
    });
  }
});
