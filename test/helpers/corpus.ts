// The corpus of real-world-shaped base files (test/fixtures/corpus/<zone>.base, their included
// *.inc files beside them) and a generated 20,000-record zone, shared by the pure round-trip
// test (test/core/corpus.test.ts) and the one under the real checkers (test/e2e/corpus-checkers).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findIncludes } from '../../src/core/includes.js';
import { fixturesDir } from './paths.js';

export const corpusDir = join(fixturesDir, 'corpus');

/** The values every corpus zone is rendered with. */
export const VALUES = { IP: '198.51.100.7', IP6: '2001:db8::7', 'serial number': '2026112201' } as const;

export interface CorpusZone {
  zone: string;
  /** the base file's name, for messages */
  file: string;
  text: string;
}

/** Zone files are bytes: latin1 keeps every byte one character, as zonerw reads them. */
export function readLatin1(path: string): string {
  return readFileSync(path, 'latin1');
}

/** Every <zone>.base of the corpus folder, and the generated big.example. */
export function corpusZones(): CorpusZone[] {
  const files = readdirSync(corpusDir).filter((f) => f.endsWith('.base')).sort();
  const zones = files.map((file) => ({ zone: file.slice(0, -'.base'.length), file, text: readLatin1(join(corpusDir, file)) }));
  return [...zones, { zone: BIG_ZONE, file: `${BIG_ZONE}.base`, text: bigZone() }];
}

/** The *.inc files of the corpus, by name. */
export function corpusIncludes(): string[] {
  return readdirSync(corpusDir).filter((f) => f.endsWith('.inc')).sort();
}

/**
 * The texts of every file `text` includes, nested ones too, in the order the nameserver reads
 * them: what a caller of countRecords gathers. Relative paths are read from the corpus folder.
 */
export function includedTexts(text: string, depth = 0): string[] {
  if (depth > 8) throw new Error('corpus: $INCLUDE nested deeper than 8 (a loop?)');
  return findIncludes(text).flatMap((ref) => {
    const included = readLatin1(join(corpusDir, ref.path));
    return [included, ...includedTexts(included, depth + 1)];
  });
}

export const BIG_ZONE = 'big.example';
export const BIG_RECORDS = 20_000;

/**
 * A 20,000-record zone: SOA, 2 NS, their glue, then A, AAAA, TXT, MX and CNAME in turn, with
 * an @IP@ every 1,000 records (value form and comment form alternating).
 */
export function bigZone(): string {
  const lines = [
    `$TTL 3600`,
    `@ IN SOA ns1.${BIG_ZONE}. hostmaster.${BIG_ZONE}. ( @serial number@ 3600 600 1209600 300 )`,
    `@ IN NS ns1`,
    `@ IN NS ns2`,
    `ns1 IN A 192.0.2.53`,
    `ns2 IN A 198.51.100.53`,
  ];
  for (let i = 0; i < BIG_RECORDS - 5; i++) lines.push(bigRecord(i));
  return `${lines.join('\n')}\n`;
}

function bigRecord(i: number): string {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  if (i % 1000 === 0) return i % 2000 === 0 ? `w${i}\tIN\tA\t@IP@` : `w${i}\tIN\tA\t${ip} ; @IP@`;
  switch (i % 5) {
    case 0:
      return `h${i}\tIN\tA\t${ip}`;
    case 1:
      return `h${i}\tIN\tAAAA\t2001:db8::${i.toString(16)}`;
    case 2:
      return `h${i}\tIN\tTXT\t"record ${i}; (not a paren)" "@IP@ is no marker in quotes"`;
    case 3:
      return `h${i}\tIN\tMX\t10 ns${1 + (i % 2)}`;
    default:
      return `h${i}\tIN\tCNAME\tns${1 + (i % 2)}`;
  }
}
