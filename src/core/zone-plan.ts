// Per zone: publish or not, with which serial, and why. Pure: hashes, texts' serials, the
// date and the remembered state come in; a plan goes out (run-plan.ts builds the run plan
// from it).
import type { MarkerRecord } from './served.js';
import { highestSerial, nextSerial, type CalendarDate } from './serial.js';
import { valuesStillHold, type RenderedValues } from './values.js';

export type { RenderedValues };

export type PendingStep = 'reload' | 'notify';

/** What the state remembers of one published zone. */
export interface ZoneMemory {
  serial: number;
  /** sha256 of the rendered zone with the serial left out: "did the content change?" */
  contentHash: string;
  /** sha256 of the base file it was rendered from */
  baseHash: string;
  /** sha256 of the files the base file includes ($INCLUDE), when it includes any */
  includedHash?: string;
  /** sha256 of the zone file exactly as installed: "is the file on disk ours?" */
  fileHash: string;
  /** marker values it was rendered with, e.g. { IP: '192.0.2.1', IPS: ['192.0.2.1', '192.0.2.2'] } */
  values: RenderedValues;
  publishedAt: number;
  /** nameserver steps still owed for this zone (a failed reload is retried next run) */
  pending: PendingStep[];
  /** how many records it held, for max_shrink */
  records?: number;
  /** secondaries found serving an older serial, asked again next run */
  lagging?: string[];
  /** the serial each secondary served when last asked */
  served?: Record<string, number>;
  /** the records rendered from address markers, with their addresses: what the primary and the
   *  secondaries must serve (asked after each reload, by later runs for lagging secondaries, and by status) */
  expect?: MarkerRecord[];
  /** the serial the primary served when it was found serving this zone (a signer adds to zonerw's) */
  primarySerial?: number;
  /** when a run last found the primary serving this zone's publish (ms since the epoch): a steady
   *  run asks nothing, so what the metrics say of the primary is as of this instant */
  primarySeenAt?: number;
  /** nothing answered at [nameserver] address after this zone's last reload: installed and
   *  reloaded, but whether the primary serves it is unknown (not "not served") */
  primarySilent?: boolean;
  /** the checker that validated it (nsd-checkzone, named-checkzone, kzonecheck), if one ran */
  checker?: string;
  /** contents (contentHash, serial aside) this checker accepted for the zone, newest first */
  validated?: string[];
  /** identities (size, inode, times) of the base and zone file, and of each included file by
   *  path, when last read or written: while all still match and the values do not change, a run
   *  need not read them. `included` is missing in a state written before included files were
   *  followed: such a zone is read once. */
  inputs?: { base: string; file: string; included?: Record<string, string> };
  /** hash of a hand-edited file already reported, so the notice is given once */
  editSeen?: string;
  /** the change line of an install the primary has not been found serving yet: said (stdout, a
   *  `served` event) by the run that finds it served, and only then */
  unserved?: string;
  /** since when the zone has not served the decision at a run's end (a refused or failed
   *  publish, a pending reload): the run that gets it served records a `served` event */
  unservedSince?: number;
  /** a zone zonerw signs ([dnssec] sign): when the first signature of its installed file expires */
  signaturesExpire?: number;
  /** a zone zonerw signs: the identity of the signer command and key files it was signed with */
  signer?: string;
  /** a zone zonerw signs: the key tags of the DNSKEY set in the signer's output (what the primary should serve) */
  keyTags?: number[];
  /** a zone the nameserver signs ([nameserver] signs): when the signatures the primary served at the last run expire */
  servedSignaturesExpire?: number;
}

/**
 * Before installing, run.ts records each zone's new memory as an intent in the state. If the
 * run dies between an install and the final state save, the next run finds the file on disk
 * matching the intent's hash and adopts it (no false "edited by hand", the reload still owed)
 * instead of guessing; a file that does not match means the install never happened.
 */
export function settleIntent(
  memory: ZoneMemory | undefined,
  intent: ZoneMemory | undefined,
  installedHash: string | undefined,
): ZoneMemory | undefined {
  return intent !== undefined && installedHash === intent.fileHash ? intent : memory;
}

export interface InstalledFile {
  hash: string;
  serial?: number;
  /** It is byte for byte what this run would render, given its own serial. Lets a first run
   *  (or a run after the state was lost) adopt an up-to-date file instead of republishing. */
  matchesRender: boolean;
}

export interface ZoneFacts {
  zone: string;
  contentHash: string;
  baseHash: string;
  includedHash?: string;
  values: RenderedValues;
  installed?: InstalledFile;
  memory?: ZoneMemory;
  /** the serial the primary serves now, when it was asked (only for a publish) */
  served?: number;
  /** a zone zonerw signs must be signed again (its signatures expire soon): why, for the output line */
  resign?: string;
}

export interface PlanOptions {
  force: boolean;
  onBaseChange: 'publish' | 'warn';
  today: CalendarDate;
}

export type ZonePlan =
  | {
      action: 'publish';
      zone: string;
      serial: number;
      aheadOfDate: boolean;
      /** why, for the output line: `values`, `base`, `included`, `forced`, `missing`, `first` */
      why: PublishReason[];
      /** the file on disk is not zonerw's output: keep a copy before replacing it */
      keepCopy: boolean;
      /** why it is signed again (`signatures expire ...`), when that is a reason */
      resign?: string;
    }
  | {
      action: 'keep';
      zone: string;
      /** the file on disk is not what zonerw wrote; report it once (`notice`) */
      handEdited: boolean;
      notice: boolean;
      /** adopt the installed file into the state (no state yet, file already right) */
      adopt: boolean;
    }
  | { action: 'wait'; zone: string };

export type PublishReason = 'values' | 'base' | 'included' | 'forced' | 'missing' | 'first' | 'resign';

export function planZone(f: ZoneFacts, o: PlanOptions): ZonePlan {
  const { zone, installed, memory } = f;
  const owned = installed !== undefined && memory !== undefined && installed.hash === memory.fileHash;
  const why: PublishReason[] = [];
  if (installed === undefined) why.push('missing');
  if (memory === undefined) {
    if (installed?.matchesRender && !o.force) return { action: 'keep', zone, handEdited: false, notice: false, adopt: true };
    if (installed !== undefined) why.push('first');
  } else if (f.contentHash !== memory.contentHash) {
    const valuesChanged = !sameValues(f.values, memory.values);
    if (valuesChanged) why.push('values');
    // An included file is the zone's source as much as the base file: on_base_change covers both.
    const edited = sourcesEdited(f, memory);
    if (edited.length > 0) {
      if (!valuesChanged && !o.force && o.onBaseChange === 'warn') return { action: 'wait', zone };
      why.push(...edited);
    }
  }
  if (o.force) why.push('forced');
  const resign = installed !== undefined && f.resign !== undefined ? { resign: f.resign } : {};
  if (resign.resign !== undefined) why.push('resign');
  if (why.length === 0) {
    const handEdited = installed !== undefined && !owned;
    const notice = handEdited && memory?.editSeen !== installed.hash;
    return { action: 'keep', zone, handEdited, notice, adopt: false };
  }
  // RFC 1982 order over everything known, so that neither a lost state, a file with a higher
  // serial (hand edit, older tool) nor a primary that numbered ahead (a signer) can make the new
  // serial go backwards.
  const previous = highestSerial([memory?.serial, installed?.serial, f.served]);
  const { serial, aheadOfDate } = nextSerial(previous, o.today);
  return { action: 'publish', zone, serial, aheadOfDate, why, keepCopy: installed !== undefined && !owned && !installed.matchesRender, ...resign };
}

/** Which of the zone's hand-written sources changed since it was last published. */
export function sourcesEdited(f: Pick<ZoneFacts, 'baseHash' | 'includedHash'>, memory: Pick<ZoneMemory, 'baseHash' | 'includedHash'>): ('base' | 'included')[] {
  const edited: ('base' | 'included')[] = [];
  if (f.baseHash !== memory.baseHash) edited.push('base');
  if (f.includedHash !== memory.includedHash) edited.push('included');
  return edited;
}

function sameValues(a: RenderedValues, b: RenderedValues): boolean {
  return Object.keys(a).length === Object.keys(b).length && valuesStillHold(a, b);
}
