// Stage a planned zone: write its rendered text somewhere (a temp file beside the zone file for
// a run, a private scratch folder for --dry-run and `zonerw check`), run the nameserver's
// checker on it, and point the checker's words back at the base file's lines. The one place
// where zones are validated.
import { isAbsolute, join } from 'node:path';
import { findIncludes } from '../core/includes.js';
import { pointAtBase } from '../core/messages.js';
import type { Place, Stageable, Staged } from './staged.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import { mapLimit } from './map-limit.js';
import type { Nameserver, PreparedFile, Scratch, Signer } from './ports.js';
import { asSigned, signOne } from './sign.js';

export type { Place, PublishStep, Stageable, Staged } from './staged.js';

/**
 * How a zone is checked: by which nameserver's checker, run in the folder it reads a relative
 * $INCLUDE from; signed first by the signer of [dnssec] sign, for the zones it signs.
 */
export interface Checking {
  ns: Nameserver;
  includeDir: string;
  signer?: Signer | undefined;
}

/** Writes, signs (with a signer) and validates each step: files many at a time (their fsyncs overlap), signers and checkers one per core. */
export async function stageZones<S extends Stageable>(steps: readonly S[], place: Place, checking: Checking, cores: number): Promise<Staged<S>[]> {
  const placed = await mapLimit(steps, 16, (step) => placeOne(step, place));
  return mapLimit(placed, cores, (p) => (p.ok ? signThenValidate(p.step, p.file, place, checking) : Promise.resolve(p)));
}

export async function stageZone<S extends Stageable>(step: S, place: Place, checking: Checking): Promise<Staged<S>> {
  const placed = await placeOne(step, place);
  return placed.ok ? signThenValidate(step, placed.file, place, checking) : placed;
}

/** A zone zonerw signs is validated as signed: the checker sees what will be installed. */
async function signThenValidate<S extends Stageable>(step: S, file: PreparedFile, place: Place, checking: Checking): Promise<Staged<S>> {
  const { signer } = checking;
  if (!signer?.signs(step.zone)) return validateOne(step, file, checking);
  const s = await signOne(step, file, place, signer, checking.includeDir);
  if (!s.ok) return s;
  const v = await validateOne(asSigned(step), s.file, checking);
  return v.ok ? { ...v, step, signed: s.signed } : { ...v, step };
}

async function placeOne<S extends Stageable>(step: S, place: Place): Promise<Staged<S>> {
  try {
    return { ok: true, step, file: await place(step) };
  } catch (e) {
    return { ok: false, step, refusal: 'write', message: (e as Error).message };
  }
}

/**
 * A content (serial aside) that the same checker accepted for this zone before is not checked
 * again: the serial is the only difference, and any serial is valid (the plan says when).
 */
async function validateOne<S extends Stageable>(step: S, file: PreparedFile, checking: Checking): Promise<Staged<S>> {
  if (step.validatedBefore) return { ok: true, step, file, checker: step.validatedBefore.checker };
  // The same config gives the same verdict from any working directory: a zone that includes
  // files is checked where the nameserver reads relative includes from (it exists: they were
  // read from there). Others read nothing else, and zone_dir may not exist yet (`zonerw check`).
  const v = await checking.ns.validate(step.zone, file.tempPath, step.input.included.length > 0 ? { cwd: checking.includeDir } : {});
  if (v.ok) return { ok: true, step, file, ...(v.checker ? { checker: v.checker } : {}) };
  await file.discard();
  if (v.unfinished !== undefined) return { ok: false, step, refusal: 'unfinished', ...(v.checker ? { checker: v.checker } : {}), reason: v.unfinished };
  const words = pointAtBase(v.message ?? '', file.tempPath, step.input.shown.base, step.rendered.baseLine);
  return { ok: false, step, refusal: 'checker', ...(v.checker ? { checker: v.checker } : {}), words };
}

/** Where a run stages: a temp file beside the zone file, renamed over it at install. */
export function besideZoneFile(prepare: (path: string, content: string, encoding: BufferEncoding) => Promise<PreparedFile>): Place {
  return (step) => prepare(step.input.zoneFile, step.rendered.text, ZONE_ENCODING);
}

/**
 * Where --dry-run and `zonerw check` stage: a private folder, never installed. Knot's checker
 * reads a relative $INCLUDE from the zone file's own folder (measured: kzonecheck, through
 * symbolic links): each one's first path element is linked there to include_dir's.
 */
export function inScratch(scratch: Scratch, includeDir: string): Place {
  return async (step) => {
    if (step.input.included.length > 0) {
      for (const name of firstElements(step.rendered.text)) await scratch.link(name, join(includeDir, name));
    }
    // A hidden name, so that no link (an $INCLUDE of "example.com/ns.inc") takes it; a zone
    // name near DNS's 253 characters gets a shorter suffix (a file name holds 255 bytes).
    const name = step.zone.length <= 240 ? `.${step.zone}.zonerw-check` : `.${step.zone}~`;
    const path = await scratch.write(name, step.rendered.text, ZONE_ENCODING);
    return { path, tempPath: path, commit: async () => { throw new Error('a scratch file is never installed'); }, discard: async () => {} };
  };
}

/** The first path element of each relative $INCLUDE of a zone text (`./` dropped; `..` cannot be linked). */
function firstElements(text: string): string[] {
  const names = findIncludes(text)
    .filter((ref) => !isAbsolute(ref.path))
    .map((ref) => ref.path.split('/').filter((e) => e !== '' && e !== '.')[0])
    .filter((e): e is string => e !== undefined && e !== '..');
  return [...new Set(names)];
}
