// What --dry-run prints of a zone it would publish besides the plan's words: its diff, each
// side the same kind of text, and the signer's command with its paths filled in.
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ZONE_ENCODING } from '../core/encoding.js';
import { quoteArg } from '../core/messages.js';
import { withoutSignerRecords } from '../core/signer-lines.js';
import type { Signer } from './ports.js';
import { unifiedDiff } from './zone-diff.js';

/** What --dry-run compares for one zone. */
export interface DiffSides {
  /** the zone file as installed; undefined when there is none yet */
  installed: string | undefined;
  /** the zone file's name as shown */
  shown: string;
  /** the text a run would install: the render, or for a zone zonerw signs the signer's output */
  wouldInstall: string;
  /** for a zone zonerw signs: `signed` when wouldInstall is the signer's output, `unsigned
   *  render` when only the render is known (the zone is refused before it is signed) */
  signing?: 'signed' | 'unsigned render';
}

const LEFT_OUT = 'RRSIG, NSEC and NSEC3 records';

/**
 * The lines --dry-run prints for a zone's diff. A zone zonerw signs is compared as the signer's
 * output on both sides, without the records that change with every signing, and a line says
 * what is compared.
 */
export function zoneDiffLines(d: DiffSides): string[] {
  const old = d.installed ?? '';
  const oldName = d.installed === undefined ? '/dev/null' : d.shown;
  if (d.signing === undefined) return textLines(unifiedDiff(old, d.wouldInstall, oldName, d.shown));
  const note = d.signing === 'signed'
    ? `(the zone as the signer would write it${d.installed === undefined ? '' : `, against the signed ${d.shown}`}, both without their ${LEFT_OUT}: they change with every signing)`
    : `(the zone before signing${d.installed === undefined ? '' : `, against the signed ${d.shown} without its ${LEFT_OUT}`}: the signer would rewrite it in its own form)`;
  return [note, ...textLines(unifiedDiff(withoutSignerRecords(old), withoutSignerRecords(d.wouldInstall), oldName, d.shown))];
}

/** A diff of zone text (one byte a character) as the UTF-8 it most likely is, one line each. */
function textLines(diff: string): string[] {
  if (diff === '') return [];
  return Buffer.from(diff, ZONE_ENCODING).toString('utf8').trimEnd().split('\n');
}

/**
 * The signer's command as a run would give it: `{in}` the rendered zone, written beside the zone
 * file under a temp name (adapters/files.ts prepareFile), `{out}` in the signer's private
 * folder (adapters/signer.ts). `*` stands for the parts each run draws at random.
 */
export function signCommandLine(signer: Signer, zone: string, zoneFile: string): string {
  const rendered = join(dirname(zoneFile), `.${basename(zoneFile)}.zonerw-tmp-*`);
  const signed = join(tmpdir(), 'zonerw-sign-*', `${zone}.signed`);
  return `would sign with: ${signer.command(zone, rendered, signed).map(quoteArg).join(' ')} (then verify it)`;
}
