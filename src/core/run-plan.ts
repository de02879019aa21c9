// The Plan: what one run will do, computed before anything is done (octoDNS plans every zone
// before it applies anything; dnscontrol's corrections carry both the message and the action).
// Pure: the decision, the state, each zone as observed and the clock come in; the steps come
// out, each with the words it will say. `zonerw` carries the plan out, `--dry-run` prints it,
// `zonerw check` validates the zones it renders.
import { resignReason } from './dnssec.js';
import { groupPrefix, namesGroups, type GroupDecided } from './groups.js';
import { describeTransition, rememberHealth, traceVerdict, type HealthDecision, type ServerMemory } from './health.js';
import { groupTag, type HistoryEvent } from './history.js';
import { moveKind, type GroupMove } from './hooks.js';
import { fillWithLineMap, SERIAL, type Template } from './markers.js';
import { describePublish } from './messages.js';
import { planZone, settleIntent, sourcesEdited, type InstalledFile, type PendingStep, type ZoneMemory, type ZonePlan } from './plan.js';
import { countRecords, shrinkProblem } from './records.js';
import type { CalendarDate } from './serial.js';
import type { GroupState } from './state.js';
import { markerRecords } from './served.js';
import type { RenderedValues } from './values.js';
import { votesBehind } from './votes.js';

/** A file that a zone's base file includes (`$INCLUDE`, nested ones too), as this run read it. */
export interface IncludedFile {
  /** as the nameserver will open it (a relative path resolved) */
  path: string;
  /** as the user recognises it */
  shown: string;
  text: string;
}

/** Identities (core/plan.ts ZoneMemory.inputs) of a zone's files, taken before they were read. */
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

export type PublishPlan = Extract<ZonePlan, { action: 'publish' }>;

/** A zone rendered with its serial: the text to install and how its lines map to the base. */
export interface Rendered {
  text: string;
  /** the base file's line of each rendered line (@IPS@ repeats lines) */
  baseLine: number[];
  fileHash: string;
  records: number;
  ns: number;
}

export type ZoneStep =
  | {
      action: 'publish';
      zone: string;
      input: ZoneInput;
      publish: PublishPlan;
      rendered: Rendered;
      /** `example.com: serial 2026112203, www -> 198.51.100.7` */
      line: string;
      /** the zone's memory once installed, recorded as an intent before the install */
      intent: ZoneMemory;
      /** this content (serial aside) was accepted by this checker before: no need to run it */
      validatedBefore?: { checker: string; validated: string[] };
      /** what the state holds for the zone until the install (a settled intent) */
      remember?: ZoneMemory;
    }
  | { action: 'refuse'; zone: string; input: ZoneInput; publish: PublishPlan; rendered: Rendered; line: string; problem: string; remember?: ZoneMemory }
  | { action: 'keep'; zone: string; remember?: ZoneMemory; say?: string; trace?: string }
  | { action: 'wait'; zone: string; remember?: ZoneMemory; say: string };

export interface ZoneStepOptions {
  force: boolean;
  onBaseChange: 'publish' | 'warn';
  today: CalendarDate;
  now: number;
  maxShrink: number;
  /** remember the records rendered from markers (someone will be asked for them: the primary or a secondary) */
  markerRecords?: boolean;
  /** sha256 of a text, as hex (handed in: core/ reads no crypto module) */
  hash(text: string): string;
  /** set for a zone zonerw signs ([dnssec] sign): republish it when its signatures expire within this (ms) */
  resignBeforeMs?: number;
  /** a zone zonerw signs: the signer's identity now; one the memory does not hold signs it again */
  signer?: string;
}

/** Renders a zone with its serial, once, for the run, --dry-run and `zonerw check` alike; counts what the nameserver will load. */
export function renderZone(input: Pick<ZoneInput, 'template' | 'values' | 'included'>, serial: number, hash: (text: string) => string): Rendered {
  const { text, baseLine } = fillWithLineMap(input.template, { ...input.values, [SERIAL]: String(serial) });
  const counts = countRecords(text, input.included.map((f) => f.text));
  return { text, baseLine, fileHash: hash(text), records: counts.records, ns: counts.ns };
}

/**
 * What one zone's part of the run is: publish (or refuse to), keep it, or wait for --force.
 * `known.served`: the serial the primary serves, when it was asked (a publish takes a serial above it).
 */
export function planZoneStep(input: ZoneInput, known: { memory?: ZoneMemory; intent?: ZoneMemory; served?: number }, o: ZoneStepOptions): ZoneStep {
  const { zone } = input;
  // A settled intent is what is on disk: the state must say so before this run records intents
  // of its own (which it may never settle), or a second interruption forgets the first install.
  const memory = settleIntent(known.memory, known.intent, input.installed?.hash);
  const remember = memory ? { remember: memory } : {};
  const signerChanged = o.signer !== undefined && memory?.signer !== undefined && memory.signer !== o.signer;
  const due = o.resignBeforeMs !== undefined && input.installed ? resignReason(input.installed.text, o.now, o.resignBeforeMs) : undefined;
  const resign = due ?? (signerChanged && input.installed ? { reason: 'signer or keys changed' } : undefined);
  const plan = planZone(
    { ...input, ...(memory ? { memory } : {}), ...(known.served !== undefined ? { served: known.served } : {}), ...(resign ? { resign: resign.reason } : {}) },
    { force: o.force, onBaseChange: o.onBaseChange, today: o.today },
  );
  if (plan.action === 'wait') {
    const what = memory && !sourcesEdited(input, memory).includes('base') ? `a file included by ${input.shown.base}` : input.shown.base;
    return { action: 'wait', zone, ...remember, say: `${zone}: ${what} changed; not published (on_base_change = "warn"): run zonerw --force to publish it` };
  }
  if (plan.action === 'keep') return planKeep(input, plan, memory, o.now);
  const rendered = renderZone(input, plan.serial, o.hash);
  const line = describePublish(input, plan, memory?.values);
  // What was last published, for max_shrink; a zone zonerw has not published yet is compared
  // with the file on disk.
  const previousRecords = memory?.records ?? (input.installed ? countRecords(input.installed.text, input.installed.included).records : undefined);
  const problem = o.force ? undefined : shrinkProblem(rendered, previousRecords, o.maxShrink);
  if (problem) return { action: 'refuse', zone, input, publish: plan, rendered, line, problem, ...remember };
  const expect = o.markerRecords === false ? [] : markerRecords(input.template, rendered, zone, input.included.length > 0);
  const intent: ZoneMemory = { ...memoryFor(input, plan.serial, rendered.fileHash, o.now, ['reload', 'notify']), records: rendered.records, ...(expect.length > 0 ? { expect } : {}) };
  // contentHash covers the included files too: the same hash is the same zone for the checker.
  const reuse = memory?.checker && memory.validated?.includes(input.contentHash);
  return {
    action: 'publish', zone, input, publish: plan, rendered, line, intent, ...remember,
    ...(reuse ? { validatedBefore: { checker: memory.checker!, validated: memory.validated! } } : {}),
  };
}

function planKeep(input: ZoneInput, plan: Extract<ZonePlan, { action: 'keep' }>, memory: ZoneMemory | undefined, now: number): ZoneStep {
  const { zone, installed } = input;
  const { base, file, included } = input.identity;
  const inputs = file !== undefined ? { inputs: { base, file, included } } : {};
  let remember: ZoneMemory | undefined;
  let trace: string | undefined;
  if (plan.adopt && installed?.serial !== undefined) {
    remember = { ...memoryFor(input, installed.serial, installed.hash, now, []), ...inputs };
    trace = `${zone}: the installed zone file is already up to date (serial ${installed.serial})`;
  } else if (memory) {
    remember = { ...memory, ...inputs };
  }
  let say: string | undefined;
  if (plan.notice && memory && installed && remember) {
    say = `${zone}: ${input.shown.file} was edited by hand; it is served as it is, and a copy is kept when zonerw next replaces it`;
    remember = { ...remember, editSeen: installed.hash };
  }
  return { action: 'keep', zone, ...(remember ? { remember } : {}), ...(say ? { say } : {}), ...(trace ? { trace } : {}) };
}

function memoryFor(input: ZoneInput, serial: number, fileHash: string, now: number, pending: PendingStep[]): ZoneMemory {
  const { contentHash, baseHash, includedHash, values } = input;
  return { serial, contentHash, baseHash, ...(includedHash !== undefined ? { includedHash } : {}), fileHash, values, publishedAt: now, pending };
}

/** The contents this checker accepted for the zone, newest first, a few at most. */
export function rememberValidation(contentHash: string, before: readonly string[] = []): string[] {
  return [contentHash, ...before.filter((h) => h !== contentHash)].slice(0, 4);
}

/** One group's part of the decision. */
export interface GroupPlan extends GroupMove {
  /** the transition line (without the group's name), if the favoured server or a server's status changed */
  transition?: string;
}

/** The decision's part of the plan, for every group: what it says, what it records, what it traces. */
export interface DecisionPlan {
  /** in config order, the default group first */
  groups: GroupPlan[];
  /** output lines (cron mails them) */
  say: string[];
  /** -v lines */
  trace: string[];
  events: HistoryEvent[];
  /** what the state remembers of the servers and of each group from now on (a group no longer configured is forgotten) */
  health: { servers: Record<string, ServerMemory>; groups: Record<string, GroupState> };
  /** a server looks down and no reference host answers: the one error line, and nothing changes */
  networkDown?: string;
}

type Before = { groups: Readonly<Record<string, GroupState>>; servers: Readonly<Record<string, ServerMemory>> };

export function planDecision(decided: readonly GroupDecided[], before: Before, now: number): DecisionPlan {
  const named = namesGroups(decided.map((g) => ({ name: g.group })));
  const plan: DecisionPlan = { groups: [], say: [], trace: [], events: [], health: { servers: {}, groups: {} } };
  for (const g of decided) planGroup(plan, g, before, now, named);
  for (const [group, memory] of Object.entries(before.groups)) {
    if (decided.some((g) => g.group === group)) continue;
    const was = memory.favoured ? ` (it favoured ${memory.favoured.server} ${memory.favoured.address})` : '';
    plan.say.push(`group ${group}: no longer in the config; zonerw forgets it${was}`);
  }
  if (decided.some((g) => g.decision.networkDown)) {
    const down = decided.flatMap((g) => g.decision.servers.filter((v) => !v.raw).map((v) => `${v.name} (${v.outcome?.reason ?? 'down'})`));
    plan.networkDown = `${down.join(', ')} look${down.length === 1 ? 's' : ''} down, and no reference host answers either: zonerw's own network seems down, so nothing was changed`;
  }
  return plan;
}

/** What one group's decision says, traces and records; `named`: the lines name the group. */
function planGroup(plan: DecisionPlan, g: GroupDecided, before: Before, now: number, named: boolean): void {
  const { decision: d, group, first } = g;
  const previous = before.groups[group]?.favoured;
  const label = groupPrefix(group, named);
  const tag = groupTag(group);
  plan.events.push(...checkEvents(d, before.servers, now, group));
  plan.trace.push(...d.servers.map((v) => `${label}check: ${traceVerdict(v)}`), `${label}decision: ${d.rule}`);
  if (d.pinExpired) {
    plan.say.push(`${label}pin on ${d.pinExpired.server} expired; favouring the servers by their checks again`);
    plan.events.push({ t: now, type: 'unpin', ...tag, server: d.pinExpired.server, by: null, expired: true });
  }
  const transition = describeTransition(d);
  if (transition) plan.say.push(`${label}${transition}`);
  if (d.favouredChanged || !previous) {
    // the first run records where it starts, so history can count time favoured from there;
    // a move is named as its hooks are (failover, failback, change)
    const type = moveKind(previous?.server, d.favoured.server, first);
    plan.events.push({ t: now, type, ...tag, from: previous?.server ?? null, to: d.favoured.server, address: d.favoured.address, reason: transition ?? d.rule, ...votesBehind(d.servers) });
  }
  const { servers, ...memory } = rememberHealth(d);
  Object.assign(plan.health.servers, servers);
  plan.health.groups[group] = { ...memory, rule: d.rule };
  plan.groups.push({ group, decision: d, first, ...(previous ? { previous } : {}), ...(transition ? { transition } : {}) });
}

/** A check event for each server whose raw result differs from the last run's (or is new). */
function checkEvents(d: HealthDecision, before: Readonly<Record<string, ServerMemory>>, now: number, group: string): HistoryEvent[] {
  return d.servers.flatMap((v): HistoryEvent[] => {
    const last = before[v.name]?.streak?.up;
    if (!v.outcome || last === v.raw) return [];
    return [{ t: now, type: 'check', ...groupTag(group), server: v.name, up: v.raw, reason: v.outcome.reason }];
  });
}
