// One zone's part of the run plan: what the run read of it (its input, and the small summary the
// plan keeps of it), and its step: publish, keep, or wait for --force. Pure: hashes, texts, the
// date and the remembered state come in; a step goes out with the words it will say. A plan of
// many zones holds summaries, never texts: a publish renders its zone again when it is staged.
import { resignReason } from './dnssec.js';
import { fillWithLineMap, SERIAL, slotsOf, type Template } from './markers.js';
import { describePublish } from './messages.js';
import { countRecords } from './records.js';
import type { CalendarDate } from './serial.js';
import { markerRecords, type MarkerRecord } from './served.js';
import type { RenderedValues } from './values.js';
import { planZone, settleIntent, sourcesEdited, type InstalledFile, type PendingStep, type ZoneMemory, type ZonePlan } from './zone-plan.js';

/** A file that a zone's base file includes (`$INCLUDE`, nested ones too), as this run read it. */
export interface IncludedFile {
  /** as the nameserver will open it (a relative path resolved) */
  path: string;
  /** as the user recognises it */
  shown: string;
  text: string;
}

/** Identities (core/zone-plan.ts ZoneMemory.inputs) of a zone's files, taken before they were read. */
export interface InputIdentity {
  base: string;
  file: string | undefined;
  /** each included file's, by path */
  included: Record<string, string>;
}

/** One zone as the run found it: its base file parsed, its zone file on disk. */
export interface ZoneInput {
  zone: string;
  baseFile: string;
  zoneFile: string;
  /** both paths as the user recognises them (relative to the config file's folder) */
  shown: { base: string; file: string };
  template: Template;
  baseHash: string;
  /** sha256 of the included files (paths and texts), when the base file includes any */
  includedHash?: string;
  /** marker values this zone uses (only those, so a zone without @IP@ ignores failovers) */
  values: RenderedValues;
  /** the rendered zone with the serial left out, and the included files: "did the content change?" */
  contentHash: string;
  /** one per `$INCLUDE` the nameserver follows, nested ones too, in the order it reads them */
  included: IncludedFile[];
  /** `included`: the texts the installed file includes, for the count when the state has none */
  installed?: InstalledFile & { text: string; included: string[] };
  identity: InputIdentity;
}

/**
 * What the plan keeps of a zone it read: hashes, counts and names, no text (a 1,000-zone plan
 * stays small). The counts are the same for any serial.
 */
export interface ZoneSummary {
  zone: string;
  zoneFile: string;
  shown: { base: string; file: string };
  baseHash: string;
  includedHash?: string;
  contentHash: string;
  values: RenderedValues;
  identity: InputIdentity;
  /** the records the rendered zone holds (included ones too), and of them NS */
  counts: { records: number; ns: number };
  /** the records rendered from address markers (asked of the primary and the secondaries) */
  expect: MarkerRecord[];
  /** for each marker, the owner names of the records it fills (for the output line) */
  owners: Record<string, string[]>;
  /** the file on disk: its hash, serial, whether it is this render, and how many records it holds (when counted) */
  installed?: InstalledFile & { records?: number };
  /** a zone zonerw signs must be signed again (its signatures expire soon): why */
  resign?: string;
  /** a zone zonerw signs: the identity of its signer command and keys now (one the memory does not hold signs it again) */
  signer?: string;
}

export interface SummaryOptions {
  /** remember the records rendered from markers (someone will be asked for them: the primary or a secondary) */
  markerRecords: boolean;
  now: number;
  /** set for a zone zonerw signs ([dnssec] sign): republish it when its signatures expire within this (ms) */
  resignBeforeMs?: number | undefined;
  /** count the installed file's records (for max_shrink, when the state does not know how many were published) */
  countInstalled: boolean;
  /** a zone zonerw signs: the identity of its signer command and keys now */
  signer?: string | undefined;
}

/** Renders a zone with its serial, for the run, --dry-run and `zonerw check` alike (its counts are the summary's: the same for any serial). */
export function renderZone(input: Pick<ZoneInput, 'template' | 'values'>, serial: number, hash: (text: string) => string): Rendered {
  const { text, baseLine } = fillWithLineMap(input.template, { ...input.values, [SERIAL]: String(serial) });
  return { text, baseLine, fileHash: hash(text) };
}

/** A zone rendered with its serial: the text to install and how its lines map to the base. */
export interface Rendered {
  text: string;
  /** the base file's line of each rendered line (@IPS@ repeats lines) */
  baseLine: number[];
  fileHash: string;
}

/** The summary of a zone the run read (its texts are let go of after this). */
export function summariseZone(input: ZoneInput, o: SummaryOptions): ZoneSummary {
  const { zone, template, installed } = input;
  const rendered = fillWithLineMap(template, { ...input.values, [SERIAL]: '0' });
  const counts = countRecords(rendered.text, input.included.map((f) => f.text));
  const owners: Record<string, string[]> = {};
  for (const marker of Object.keys(input.values)) owners[marker] = [...new Set(slotsOf(template, marker).map((s) => s.owner || zone))];
  const resign = o.resignBeforeMs !== undefined && installed ? resignReason(installed.text, o.now, o.resignBeforeMs) : undefined;
  return {
    zone, zoneFile: input.zoneFile, shown: input.shown, baseHash: input.baseHash, contentHash: input.contentHash, values: input.values, identity: input.identity,
    ...(input.includedHash !== undefined ? { includedHash: input.includedHash } : {}),
    counts: { records: counts.records, ns: counts.ns },
    expect: o.markerRecords ? markerRecords(template, rendered, zone, input.included.length > 0) : [],
    owners,
    ...(installed ? { installed: installedOf(installed, o.countInstalled) } : {}),
    ...(resign ? { resign: resign.reason } : {}),
    ...(o.signer !== undefined ? { signer: o.signer } : {}),
  };
}

function installedOf(installed: NonNullable<ZoneInput['installed']>, count: boolean): NonNullable<ZoneSummary['installed']> {
  const { hash, matchesRender, serial } = installed;
  return { hash, matchesRender, ...(serial !== undefined ? { serial } : {}), ...(count ? { records: countRecords(installed.text, installed.included).records } : {}) };
}

export type PublishPlan = Extract<ZonePlan, { action: 'publish' }>;

/** A zone's memory once installed, but for the hash of the file installed: known when it is staged. */
export type ZoneIntent = Omit<ZoneMemory, 'fileHash'>;

export type ZoneStep =
  | {
      action: 'publish';
      zone: string;
      summary: ZoneSummary;
      publish: PublishPlan;
      /** `example.com: serial 2026112203, www -> 198.51.100.7` */
      line: string;
      /** what was last published (or is on disk), for max_shrink */
      previousRecords?: number;
      /** the zone's memory once installed, recorded as an intent before the install */
      intent: ZoneIntent;
      /** this content (serial aside) was accepted by this checker before: no need to run it */
      validatedBefore?: { checker: string; validated: string[] };
      /** what the state holds for the zone until the install (a settled intent) */
      remember?: ZoneMemory;
    }
  /** the safety pass stopped a publish: `rule` names the guard, `problem` says why */
  | { action: 'refuse'; zone: string; summary: ZoneSummary; publish: PublishPlan; line: string; previousRecords?: number; rule: SafetyRule; problem: string; remember?: ZoneMemory }
  | { action: 'keep'; zone: string; remember?: ZoneMemory; say?: string; trace?: string }
  | { action: 'wait'; zone: string; remember?: ZoneMemory; say: string };

export type SafetyRule = 'no_ns' | 'max_shrink';

export interface ZoneStepOptions {
  force: boolean;
  onBaseChange: 'publish' | 'warn';
  today: CalendarDate;
  now: number;
}

/** What the state knows of a zone for planning: its memory and any intent left by an interrupted run. */
export interface Known {
  memory?: ZoneMemory | undefined;
  intent?: ZoneMemory | undefined;
  /** the highest serial seen served for the zone (a publish takes a serial above it) */
  served?: number | undefined;
}

/** What one zone's part of the run is: publish, keep it, or wait for --force (the safety pass judges the publishes after). */
export function planZoneStep(s: ZoneSummary, known: Known, o: ZoneStepOptions): ZoneStep {
  const { zone } = s;
  // A settled intent is what is on disk: the state must say so before this run records intents
  // of its own (which it may never settle), or a second interruption forgets the first install.
  const memory = settleIntent(known.memory, known.intent, s.installed?.hash);
  const remember = memory ? { remember: memory } : {};
  const plan = zonePlan(s, memory, known.served, o);
  if (plan.action === 'wait') {
    const what = memory && !sourcesEdited(s, memory).includes('base') ? `a file included by ${s.shown.base}` : s.shown.base;
    return { action: 'wait', zone, ...remember, say: `${zone}: ${what} changed; not published (on_base_change = "warn"): run zonerw --force to publish it` };
  }
  if (plan.action === 'keep') return planKeep(s, plan, memory, o.now);
  const line = describePublish(s, plan, memory?.values);
  // What was last published, for max_shrink; a zone zonerw has not published yet is compared
  // with the file on disk.
  const previousRecords = memory?.records ?? s.installed?.records;
  const intent: ZoneIntent = { ...memoryOf(s, plan.serial, o.now, ['reload', 'notify']), records: s.counts.records, ...(s.expect.length > 0 ? { expect: s.expect } : {}) };
  // contentHash covers the included files too: the same hash is the same zone for the checker.
  const reuse = memory?.checker && memory.validated?.includes(s.contentHash);
  return {
    action: 'publish', zone, summary: s, publish: plan, line, intent, ...remember,
    ...(previousRecords !== undefined ? { previousRecords } : {}),
    ...(reuse ? { validatedBefore: { checker: memory.checker!, validated: memory.validated! } } : {}),
  };
}

function zonePlan(s: ZoneSummary, memory: ZoneMemory | undefined, served: number | undefined, o: ZoneStepOptions): ZonePlan {
  const signerChanged = s.signer !== undefined && memory?.signer !== undefined && memory.signer !== s.signer;
  const resign = s.resign ?? (signerChanged && s.installed ? 'signer or keys changed' : undefined);
  const facts = { ...s, ...(memory ? { memory } : {}), ...(served !== undefined ? { served } : {}), ...(resign !== undefined ? { resign } : {}) };
  return planZone(facts, { force: o.force, onBaseChange: o.onBaseChange, today: o.today });
}

/** Whether a zone may be published by this run (before the served serials are known): those are the zones the primary is asked about. */
export function mayPublish(s: ZoneSummary, known: Known, o: ZoneStepOptions): boolean {
  return zonePlan(s, settleIntent(known.memory, known.intent, s.installed?.hash), undefined, o).action === 'publish';
}

function planKeep(s: ZoneSummary, plan: Extract<ZonePlan, { action: 'keep' }>, memory: ZoneMemory | undefined, now: number): ZoneStep {
  const { zone, installed } = s;
  const { base, file, included } = s.identity;
  const inputs = file !== undefined ? { inputs: { base, file, included } } : {};
  let remember: ZoneMemory | undefined;
  let trace: string | undefined;
  if (plan.adopt && installed?.serial !== undefined) {
    remember = { ...memoryOf(s, installed.serial, now, []), fileHash: installed.hash, ...inputs };
    trace = `${zone}: the installed zone file is already up to date (serial ${installed.serial})`;
  } else if (memory) {
    remember = { ...memory, ...inputs };
  }
  let say: string | undefined;
  if (plan.notice && memory && installed && remember) {
    say = `${zone}: ${s.shown.file} was edited by hand; it is served as it is, and a copy is kept when zonerw next replaces it`;
    remember = { ...remember, editSeen: installed.hash };
  }
  return { action: 'keep', zone, ...(remember ? { remember } : {}), ...(say ? { say } : {}), ...(trace ? { trace } : {}) };
}

function memoryOf(s: ZoneSummary, serial: number, now: number, pending: PendingStep[]): ZoneIntent {
  const { contentHash, baseHash, includedHash, values } = s;
  return { serial, contentHash, baseHash, ...(includedHash !== undefined ? { includedHash } : {}), values, publishedAt: now, pending };
}

/** The contents this checker accepted for the zone, newest first, a few at most. */
export function rememberValidation(contentHash: string, before: readonly string[] = []): string[] {
  return [contentHash, ...before.filter((h) => h !== contentHash)].slice(0, 4);
}
