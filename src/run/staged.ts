// The shapes of staging, shared by stage.ts and the signing step it calls (sign.ts).
import type { Rendered, ZoneInput, ZoneStep } from '../core/run-plan.js';
import type { PreparedFile } from './ports.js';

export type PublishStep = Extract<ZoneStep, { action: 'publish' }>;
/** What stage needs of a zone: its input, rendered with its serial (a publish renders it again when it is staged). */
export interface Stageable {
  zone: string;
  input: ZoneInput;
  rendered: Rendered;
  /** this content (serial aside) was accepted by this checker before: no need to run it */
  validatedBefore?: PublishStep['validatedBefore'];
}

export type Staged<S extends Stageable> =
  /** `signed`: zonerw signed it ([dnssec] sign); `file` holds the signed text */
  | { ok: true; step: S; file: PreparedFile; checker?: string; signed?: SignedZone }
  | { ok: false; step: S; refusal: 'write'; message: string }
  /** `words`: the checker's message, its lines pointed at the base file */
  | { ok: false; step: S; refusal: 'checker'; checker?: string; words: string }
  /** the checker gave no verdict (`reason`: 'timed out after 10s', 'killed by SIGKILL') */
  | { ok: false; step: S; refusal: 'unfinished'; checker?: string; reason: string };

export type Place = (step: Stageable) => Promise<PreparedFile>;

/** What a signed zone brings to its memory and its messages. */
export interface SignedZone {
  /** sha256 of the signed text: the file installed, so the next run knows it as zonerw's */
  fileHash: string;
  /** when its first signature expires (ms since the epoch) */
  expires?: number;
  /** the key tags of the DNSKEY RRset at its apex (RFC 4034 Appendix B): the keys zonerw signed with */
  keyTags: number[];
  signer: string;
  verifier: string;
  /** the signer's identity (Signer.identity) it was signed with */
  identity: string;
}
