// The sign step of staging ([dnssec] sign): between placing a rendered zone and validating it,
// zonerw's signer signs the placed file and verifies the result; the signed text is placed in
// its stead, and it is what the checker validates and the install puts in place. A zone that
// cannot be signed or verified, or whose signed text is not this render (core/signed-match.ts),
// is refused like one the checker refuses: the old zone stays.
import type { Config } from '../config/types.js';
import { earliestSignatureExpiry, fileLineForm, resignMayBeDue, signsZone } from '../core/dnssec.js';
import { utcTime } from '../core/format.js';
import { pointAtBase } from '../core/messages.js';
import { signedMismatch } from '../core/signed-match.js';
import { dnskeyTagsOf } from '../core/served-dnssec.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import { sha256 } from './hash.js';
import type { PreparedFile, Signer } from './ports.js';
import type { Place, SignedZone, Stageable, Staged } from './staged.js';

export type { SignedZone };

export type Signed<S extends Stageable> = { ok: true; step: S; file: PreparedFile; signed: SignedZone } | Extract<Staged<S>, { ok: false }>;

/** Signs the placed file of a step; the unsigned temp is discarded either way. */
export async function signOne<S extends Stageable>(step: S, file: PreparedFile, place: Place, signer: Signer, includeDir?: string): Promise<Signed<S>> {
  const identity = signer.identity(step.zone);
  const r = await signer.sign(step.zone, file.tempPath, includeDir !== undefined ? { includeDir } : {});
  await file.discard();
  if (!r.ok) {
    const words = pointSignerAtBase(fileLineForm(r.message, file.tempPath), file.tempPath, step.input.shown.base, step.rendered.baseLine);
    return { ok: false, step, refusal: 'checker', checker: r.program, words };
  }
  // Verified is not enough: a stale {out} verifies too. The signed zone must be this render.
  const mismatch = signedMismatch(step.rendered.text, r.text, step.zone);
  if (mismatch !== undefined) return { ok: false, step, refusal: 'checker', checker: r.signer, words: mismatch };
  let signedFile: PreparedFile;
  try {
    signedFile = await place({ ...step, rendered: { ...step.rendered, text: r.text } });
  } catch (e) {
    return { ok: false, step, refusal: 'write', message: (e as Error).message };
  }
  const expires = earliestSignatureExpiry(r.text);
  const keyTags = dnskeyTagsOf(r.text, step.zone);
  return { ok: true, step, file: signedFile, signed: { fileHash: sha256(r.text), ...(expires !== undefined ? { expires } : {}), keyTags, signer: r.signer, verifier: r.verifier, identity } };
}

/**
 * The signer read the rendered file, whose lines are the base file's: a `FILE:5` is pointed at
 * the base file's line (what the operator fixes). The file named without a line (it could not
 * be opened, read, or written next to) is the signer's real input, and is named as it is.
 */
function pointSignerAtBase(message: string, input: string, base: string, baseLine: readonly number[]): string {
  return message
    .split(input)
    .map((part, i) => (i === 0 ? part : /^(:|', line )\d+/.test(part) ? pointAtBase(`${input}${part}`, input, base, baseLine) : `${input}${part}`))
    .join('');
}

/**
 * A step as the checker sees a signed zone: its lines are no longer the base file's, so a
 * checker's `file:57:` is shown against "the signed base/example.com.base", not a base line.
 */
export function asSigned<S extends Stageable>(step: S): S {
  return { ...step, input: { ...step.input, shown: { ...step.input.shown, base: `the signed ${step.input.shown.base}` } }, rendered: { ...step.rendered, baseLine: [] } };
}

/** The memory of a zone installed signed: its file is the signed text, and its signatures expire. */
export function signedMemory(signed: SignedZone | undefined): Partial<ZoneMemory> {
  if (!signed) return {};
  return { fileHash: signed.fileHash, signer: signed.identity, ...(signed.expires !== undefined ? { signaturesExpire: signed.expires } : {}), ...(signed.keyTags.length > 0 ? { keyTags: signed.keyTags } : {}) };
}

/**
 * Signatures that expire within resign_before as soon as they are made would be made again on
 * every run (a new serial every few minutes): the signer's validity and resign_before disagree.
 */
export function shortSignaturesProblem(zone: string, signed: SignedZone | undefined, now: number, resignBeforeMs: number | undefined): string | undefined {
  if (!signed || resignBeforeMs === undefined || signed.expires === undefined || signed.expires - now >= resignBeforeMs) return undefined;
  return `${zone}: the signatures ${signed.signer} just made expire ${utcTime(signed.expires)} UTC, within dnssec.resign_before: every run would sign the zone again; make them last longer (dnssec-signzone -e, ldns-signzone -e) or lower resign_before`;
}

/** resign_before for a zone zonerw signs; undefined for the others. */
export function resignBeforeFor(cfg: Pick<Config, 'dnssec'>, zone: string): number | undefined {
  return signsZone(cfg.dnssec, zone) ? cfg.dnssec.resignBeforeMs : undefined;
}

/**
 * A zone zonerw signs is read by the steady run's shortcut when its signatures may be due (see
 * resignMayBeDue), or when its signer or keys changed since it was signed.
 */
export function resignMayBeDueFor(cfg: Pick<Config, 'dnssec'>, zone: string, memory: ZoneMemory | undefined, now: number, signer?: Signer): boolean {
  const before = resignBeforeFor(cfg, zone);
  if (before === undefined) return false;
  return resignMayBeDue(memory?.signaturesExpire, now, before) || signerChanged(memory, signer?.identity(zone));
}

/** Whether the zone was signed by another signer command or key set than `identity` (a state from before zonerw remembered it: no). */
export function signerChanged(memory: Pick<ZoneMemory, 'signer'> | undefined, identity: string | undefined): boolean {
  return identity !== undefined && memory?.signer !== undefined && memory.signer !== identity;
}
