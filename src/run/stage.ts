// Stage a planned zone: write its rendered text somewhere (a temp file beside the zone file for
// a run, a private scratch folder for --dry-run and `zonerw check`), run the nameserver's
// checker on it, and point the checker's words back at the base file's lines. The one place
// where zones are validated.
import { pointAtBase } from '../core/messages.js';
import type { ZoneStep } from '../core/run-plan.js';
import { ZONE_ENCODING } from './load.js';
import { mapLimit } from './map-limit.js';
import type { Nameserver, PreparedFile, Scratch, Signer } from './ports.js';
import { asSigned, signOne, type SignedZone } from './sign.js';

export type PublishStep = Extract<ZoneStep, { action: 'publish' }>;
/** What stage needs of a step: render results and where they came from. */
export type Stageable = Pick<PublishStep, 'zone' | 'input' | 'rendered'> & { validatedBefore?: PublishStep['validatedBefore'] };

export type Staged<S extends Stageable> =
  /** `signed`: zonerw signed it ([dnssec] sign); `file` holds the signed text */
  | { ok: true; step: S; file: PreparedFile; checker?: string; signed?: SignedZone }
  | { ok: false; step: S; refusal: 'write'; message: string }
  /** `words`: the checker's message, its lines pointed at the base file */
  | { ok: false; step: S; refusal: 'checker'; checker?: string; words: string };

export type Place = (step: Stageable) => Promise<PreparedFile>;

/** Writes, signs (with a signer) and validates each step: files many at a time (their fsyncs overlap), signers and checkers one per core. */
export async function stageZones<S extends Stageable>(steps: readonly S[], place: Place, ns: Nameserver, cores: number, signer?: Signer): Promise<Staged<S>[]> {
  const placed = await mapLimit(steps, 16, (step) => placeOne(step, place));
  return mapLimit(placed, cores, (p) => (p.ok ? signThenValidate(p.step, p.file, place, ns, signer) : Promise.resolve(p)));
}

export async function stageZone<S extends Stageable>(step: S, place: Place, ns: Nameserver, signer?: Signer): Promise<Staged<S>> {
  const placed = await placeOne(step, place);
  return placed.ok ? signThenValidate(step, placed.file, place, ns, signer) : placed;
}

/** A zone zonerw signs is validated as signed: the checker sees what will be installed. */
async function signThenValidate<S extends Stageable>(step: S, file: PreparedFile, place: Place, ns: Nameserver, signer: Signer | undefined): Promise<Staged<S>> {
  if (!signer?.signs(step.zone)) return validateOne(step, file, ns);
  const s = await signOne(step, file, place, signer);
  if (!s.ok) return s;
  const v = await validateOne(asSigned(step), s.file, ns);
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
async function validateOne<S extends Stageable>(step: S, file: PreparedFile, ns: Nameserver): Promise<Staged<S>> {
  if (step.validatedBefore) return { ok: true, step, file, checker: step.validatedBefore.checker };
  const v = await ns.validate(step.zone, file.tempPath);
  if (v.ok) return { ok: true, step, file, ...(v.checker ? { checker: v.checker } : {}) };
  await file.discard();
  const words = pointAtBase(v.message ?? '', file.tempPath, step.input.shown.base, step.rendered.baseLine);
  return { ok: false, step, refusal: 'checker', ...(v.checker ? { checker: v.checker } : {}), words };
}

/** Where a run stages: a temp file beside the zone file, renamed over it at install. */
export function besideZoneFile(prepare: (path: string, content: string, encoding: BufferEncoding) => Promise<PreparedFile>): Place {
  return (step) => prepare(step.input.zoneFile, step.rendered.text, ZONE_ENCODING);
}

/** Where --dry-run and `zonerw check` stage: a private folder, never installed. */
export function inScratch(scratch: Scratch): Place {
  return async (step) => {
    const path = await scratch.write(step.zone, step.rendered.text, ZONE_ENCODING);
    return { path, tempPath: path, commit: async () => { throw new Error('a scratch file is never installed'); }, discard: async () => {} };
  };
}

/** `refused by nsd-checkzone` / `the zone check` when no checker is named. */
export function checkerName(s: { checker?: string }): string {
  return s.checker ?? 'the zone check';
}
