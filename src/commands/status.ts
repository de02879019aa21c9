// `zonerw status`: where things stand, from the state, the files on disk, and the primary and the
// secondaries, asked live. Reads only, takes no lock (the state is replaced atomically, so a read
// sees a whole one).
import { configGroups, type Config, type GroupConfig } from '../config/types.js';
import { formatSpan, utcTime } from '../core/format.js';
import { DEFAULT_GROUP, namesGroups } from '../core/groups.js';
import { markerGroup, markerKey } from '../core/markers.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import type { State } from '../core/state.js';
import { describeProbe } from '../core/probe.js';
import { describeDiffers, describeVerdict, favouredDiffers, judge, type MarkerDiffer } from '../core/served.js';
import type { RenderedValues } from '../core/values.js';
import { EXIT, type ExitCode } from '../errors.js';
import { describeGoneBase } from '../core/messages.js';
import { ZONE_ENCODING } from '../core/encoding.js';
import { sha256 } from '../run/hash.js';
import { goneZones, listZones } from '../run/load.js';
import { baseFilePath, displayPath, zoneFilePath } from '../run/paths.js';
import type { Deps, Files } from '../run/ports.js';
import { mapLimit } from '../run/map-limit.js';
import { askPrimary, expectedOf, QUERY_TIMEOUT_MS, secondaryReference } from '../run/primary.js';
import { describeSignatures } from '../core/signatures.js';
import { judgeServedDnssec, signedBy, type DnssecVerdict, type SignedBy } from '../core/served-dnssec.js';
import { lookAtSecondaries } from '../run/secondaries.js';
import { decidedValues } from '../run/serving.js';
import { formatVotes, statusVotes } from './status-votes.js';
import { describeNoCheck, describeStreak, streakStatus, type StreakStatus } from './status-server.js';
import { statusExtras } from '../run/watch-status.js';

export type FileState = 'ours' | 'edited' | 'missing' | 'unknown';

/** One service group's decision, as the last run left it, and its servers' checks. */
export interface GroupStatus {
  favoured: {
    server: string;
    address: string;
    address6?: string;
    since: string;
    /** the zones DNS does not serve the decision for: their installed file does not carry it (a
     *  refused or failed publish), or the primary does not serve that file (null: the primary is
     *  not asked and every installed file carries it); of a group when the config names groups,
     *  the zones that use its markers */
    notServedBy: string[] | null;
  } | null;
  /** the rule that picked it on the last run */
  rule: string | null;
  pool: string[];
  pin: { server: string; setAt: string; until: string | null; reason: string | null; by: string | null; active: boolean } | null;
  servers: {
    name: string;
    address: string;
    address6: string | null;
    check: string | null;
    up: boolean | null;
    since: string | null;
    /** consecutive runs with the same raw result, and how many it takes to change */
    streak: StreakStatus | null;
    /** no verdict yet: the votes reached no quorum and none had before (not counted as up) */
    unknown?: true;
    /** without a check: what the server is in its group (counted as up; the last resort only when last) */
    noCheck?: string;
    /** `up` null: the votes reached no quorum, so the last check had no result of its own */
    lastCheck: { at: string; up: boolean | null; reason: string; latencyMs: number; attempts: number } | null;
    /** with [[vantage]] tables: the votes behind the last check's verdict */
    votes?: ReturnType<typeof statusVotes>;
  }[];
}

/**
 * The top-level favoured, rule, pool, pin and servers are the default group's (null and empty
 * in a config of [[group]] tables alone); `groups`, present when the config has [[group]]
 * tables, lists every group, the default group first.
 */
export interface StatusReport extends GroupStatus {
  /** where the primary is asked (`[nameserver] address`); address null when it is not, and why */
  primary: { address: string; notAsked: null } | { address: null; notAsked: 'nameserver.address = false' | 'kind = "none"' };
  groups?: ({ name: string; allDown: string } & GroupStatus)[];
  zones: {
    zone: string;
    file: string;
    /** its base file */
    base: string;
    serial: number | null;
    publishedAt: string | null;
    /** the checker that validated the published zone, or null when none ran */
    checker: string | null;
    pending: string[];
    fileState: FileState;
    /**
     * What the primary serves, asked live (null when it is not asked): its serial, whether the
     * addresses of the records rendered from markers match the installed file's, and whether it
     * serves the decision (`current`: the installed file carries the favoured servers and the
     * primary serves it: the published serial or later, the same addresses)
     */
    served: { serial: number | null; addressesMatch: boolean | null; current: boolean; problem: string | null; words: string | null } | null;
    /** the signatures over the SOA the primary serves (asked with DO; null: not asked, or the zone
     *  is served unsigned); `expires` null: a zone that should be signed served WITHOUT signatures */
    signatures: ZoneSignatures | null;
    /** the markers whose installed value is not the decision's (a refused or failed publish): DNS serves the old server */
    installedDiffers: MarkerDiffer[];
    /** its base file was deleted: zonerw no longer publishes it (the run says so, exit 65) */
    baseGone: boolean;
    /** the last error a run recorded for the zone (history), when the zone does not serve the decision: what the last run refused or failed, not a promise */
    lastProblem: { at: string; line: string } | null;
    /** asked live, when secondaries are configured */
    secondaries: { secondary: string; serial: number | null; state: 'current' | 'behind' | 'no answer'; error?: string; behindSince?: string }[];
  }[];
  stateProblem?: string;
  /** what a run does about that problem: refuses the state (exit 1) or rebuilds it */
  stateAction?: 'refuse' | 'rebuild';
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What status says of the signatures the primary serves for a zone that is, or should be, signed. */
export interface ZoneSignatures {
  /** the earliest expiry of the RRSIGs over the SOA; null: served without signatures */
  expires: string | null;
  expired: boolean;
  /** who should sign it: zonerw ([dnssec]) or the nameserver ([nameserver] signs); null: neither, served signed anyway */
  signedBy: SignedBy | null;
  /** the key tags of the DNSKEY set served (null: not answered) */
  keyTags: number[] | null;
  /** a zone zonerw signs: the key tags it signed with (null: not known yet) */
  signedWith: number[] | null;
  /** what is wrong with the DNSSEC served: `not signed`, `no DNSKEY`, `expired`, `not yet valid`, `other keys` */
  faults: DnssecVerdict['faults'];
  /** the same, each as a line with its fix (as check and the run say it) */
  problems: string[];
}

export async function buildStatus(cfg: Config, deps: Pick<Deps, 'files' | 'peekState' | 'dns' | 'askSignatures'> & Partial<Pick<Deps, 'readHistory'>>, now: number): Promise<StatusReport> {
  const { files } = deps;
  const { state, problem, refused } = await deps.peekState(cfg.stateDir);
  const listed = await listZones(cfg, files).then(
    (l) => l.zones,
    () => undefined,
  );
  // Zones whose base file is gone are listed too: their zone files are still served.
  const gone = listed ? new Set(goneZones(cfg, files, listed, Object.keys(state.zones)).orphaned) : new Set<string>();
  const zoneNames = listed ? [...listed, ...gone].sort() : Object.keys(state.zones).sort();
  // a few dozen zones at a time: each asks the primary and the secondaries over its own sockets
  const decided = decidedValues(cfg, state);
  const zones = await mapLimit(zoneNames, 32, (zone) => zoneStatus(cfg, deps, zone, state.zones[zone], gone.has(zone), decided, now));
  await addLastProblems(cfg, deps, zones);
  const named = namesGroups(configGroups(cfg));
  const groups = configGroups(cfg).map((g) => ({ name: g.name, allDown: g.allDown, ...groupStatus(cfg, g, state, zones, named, now) }));
  const theDefault = groups.find((g) => g.name === DEFAULT_GROUP);
  const report: StatusReport = {
    favoured: theDefault?.favoured ?? null,
    primary: cfg.nameserver.address
      ? { address: cfg.nameserver.address.name, notAsked: null }
      : { address: null, notAsked: cfg.nameserver.kind === 'none' ? 'kind = "none"' : 'nameserver.address = false' },
    rule: theDefault?.rule ?? null,
    pool: theDefault?.pool ?? [],
    pin: theDefault?.pin ?? null,
    servers: theDefault?.servers ?? [],
    ...(cfg.groups ? { groups } : {}),
    zones,
  };
  if (problem) {
    report.stateProblem = problem;
    report.stateAction = refused ? 'refuse' : 'rebuild';
  }
  return report;
}

/**
 * For each zone that does not serve the decision (its file carries an old server, or zonerw has
 * not published it): the last error a run recorded for it, from the history. Status says what
 * the runs did, and promises nothing about the next one.
 */
async function addLastProblems(cfg: Config, deps: Partial<Pick<Deps, 'readHistory'>>, zones: StatusReport['zones']): Promise<void> {
  const behind = zones.filter((z) => !z.baseGone && (z.installedDiffers.length > 0 || z.serial === null));
  if (behind.length === 0 || !deps.readHistory) return;
  const events = await deps.readHistory(cfg.stateDir).catch(() => []);
  for (const z of behind) {
    const last = events.findLast((e) => e.type === 'error' && e.message.startsWith(`${z.zone}: `));
    if (last && last.type === 'error') z.lastProblem = { at: iso(last.t), line: last.message };
  }
}

/** One group's part of the report; `named`: the config names groups, so a zone counts for the groups whose markers it uses. */
function groupStatus(cfg: Config, g: GroupConfig, state: State, zones: StatusReport['zones'], named: boolean, now: number): GroupStatus {
  const memory = state.groups[g.name] ?? {};
  const { favoured, pin } = memory;
  const uses = (zone: string) => !named || Object.keys(state.zones[zone]?.values ?? {}).some((k) => markerGroup(k) === g.name);
  // a zone zonerw has not published serves nothing of the decision (its markers are unknown: it counts for every group)
  const unserved = (z: StatusReport['zones'][number]) => z.serial === null || (z.served !== null && !z.served.current) || z.installedDiffers.length > 0 || z.pending.includes('reload');
  const notServed = zones.filter((z) => !z.baseGone && (z.serial === null || uses(z.zone)) && unserved(z)).map((z) => z.zone);
  return {
    favoured: favoured
      ? { ...favoured, since: iso(favoured.since), notServedBy: cfg.nameserver.address || notServed.length > 0 ? notServed : null }
      : null,
    rule: memory.rule ?? null,
    pool: memory.pool ?? [],
    pin: pin
      ? { server: pin.server, setAt: iso(pin.setAt), until: pin.until !== undefined ? iso(pin.until) : null, reason: pin.reason ?? null, by: pin.by ?? null, active: pin.until === undefined || pin.until > now }
      : null,
    servers: g.servers.map((s) => {
      const m = state.servers[s.name];
      const c = m?.lastCheck;
      return {
        name: s.name,
        address: s.address,
        address6: s.address6 ?? null,
        check: s.check ? describeProbe(s.check.spec) : null,
        up: m?.unknown ? null : m?.up ?? null,
        since: m ? iso(m.since) : null,
        streak: streakStatus(m, s.check),
        ...(m?.unknown ? { unknown: true as const } : {}),
        ...(s.check ? {} : { noCheck: describeNoCheck(g.servers, s.name) }),
        lastCheck: c ? { at: iso(c.at), up: c.undecided ? null : c.up, reason: c.reason, latencyMs: Math.round(c.latencyMs), attempts: c.attempts } : null,
        ...(c?.votes ? { votes: statusVotes(c) } : {}),
      };
    }),
  };
}

export async function status(cfg: Config, opts: { json: boolean }, deps: Deps): Promise<ExitCode> {
  const now = deps.now();
  const [report, extras] = await Promise.all([buildStatus(cfg, deps, now), statusExtras(cfg, deps, now)]);
  if (opts.json) deps.log.out(JSON.stringify({ ...report, ...extras.json }, null, 2));
  else for (const line of [...extras.lines, ...formatStatus(report, now)]) deps.log.out(line);
  return EXIT.ok;
}

/** One zone: its file as zonerw left it, what the primary and the secondaries serve of it, asked live. */
async function zoneStatus(cfg: Config, deps: Pick<Deps, 'files' | 'dns' | 'askSignatures'>, zone: string, memory: ZoneMemory | undefined, baseGone: boolean, decided: RenderedValues, now: number): Promise<StatusReport['zones'][number]> {
  const { files, dns } = deps;
  const path = zoneFilePath(cfg, zone);
  // The file identity zonerw recorded when it last read or wrote the file answers without
  // reading it; otherwise its hash decides.
  const identity = identityQuietly(files, path);
  const fileState: FileState =
    identity === undefined
      ? 'missing'
      : !memory
        ? 'unknown'
        : memory.inputs?.file === identity && !memory.editSeen
          ? 'ours'
          : await files.read(path, ZONE_ENCODING).then(
              (text) => (text === undefined ? 'missing' : sha256(text) === memory.fileHash ? 'ours' : 'edited'),
              () => 'unknown' as const,
            );
  const asked = memory ? await askPrimary(cfg, dns, zone, memory) : undefined;
  const signatures = memory ? await servedSignatures(cfg, deps, zone, now, memory) : null;
  // the decision, not the last publish: a refused or failed publish leaves the old server installed
  const installedDiffers = memory ? favouredDiffers(memory.values, decided) : [];
  let served: StatusReport['zones'][number]['served'] = null;
  if (asked && memory) {
    const { verdict, answer } = asked;
    const expected = expectedOf(memory);
    const carries = installedDiffers.length === 0;
    served = {
      serial: answer.serial ?? null,
      // the addresses alone, whatever the serial: judged against the serial it serves
      addressesMatch: answer.serial === undefined ? null : judge({ serial: answer.serial, records: expected.records }, answer).current,
      current: verdict.current && carries,
      problem: answer.serial === undefined ? (answer.problem ?? 'no answer') : null,
      words: !verdict.current ? describeVerdict(verdict, expected) : carries ? null : `serves serial ${verdict.serial}, whose ${describeDiffers(installedDiffers)} (the favoured): the publish was refused or failed`,
    };
  }
  // a secondary is current when it serves what the primary serves (a signer's serial is above zonerw's)
  // (the primary behind: with what it serves; its reload is what is wrong, said on its own line)
  const reference = memory ? secondaryReference(memory, asked) : undefined;
  const views = reference ? await lookAtSecondaries(cfg, [{ zone, expected: reference, fresh: false }], dns) : [];
  const secondaries = views.map((v) => ({
    secondary: v.secondary.name,
    serial: v.served ?? null,
    state: v.current ? ('current' as const) : v.served === undefined ? ('no answer' as const) : ('behind' as const),
    ...(v.error ? { error: v.error } : {}),
    ...(!v.current && memory ? { behindSince: iso(memory.publishedAt) } : {}),
  }));
  return {
    zone,
    file: displayPath(cfg, path),
    base: displayPath(cfg, baseFilePath(cfg, zone)),
    serial: memory?.serial ?? null,
    publishedAt: memory ? iso(memory.publishedAt) : null,
    checker: memory?.checker ?? null,
    pending: memory?.pending ?? [],
    fileState,
    served,
    signatures,
    installedDiffers,
    baseGone,
    lastProblem: null,
    secondaries,
  };
}

/**
 * When the signatures over the SOA the primary serves expire, asked with DO; null when it is not
 * asked or serves none, unless the zone should be signed (zonerw signs it, or [nameserver] signs
 * names it): then an answer without them is said (expires null), as validating resolvers would
 * then fail it, with what else is wrong (no DNSKEY, not yet valid, another DNSKEY set).
 */
async function servedSignatures(cfg: Config, deps: Pick<Deps, 'askSignatures'>, zone: string, now: number, memory: ZoneMemory): Promise<ZoneSignatures | null> {
  const at = cfg.nameserver.address;
  if (!at || !deps.askSignatures) return null;
  const answer = await deps.askSignatures(at.host, at.port, zone, QUERY_TIMEOUT_MS);
  const by = signedBy(cfg, zone) ?? (memory.signaturesExpire !== undefined ? 'zonerw' : undefined);
  const judged = by !== undefined ? judgeServedDnssec(zone, answer, by, now, memory.keyTags) : undefined;
  const more = { signedBy: by ?? null, keyTags: answer.keyTags ?? null, signedWith: memory.keyTags ?? null, faults: judged?.faults ?? [], problems: judged?.lines ?? [] };
  if (answer.expires === undefined) return by !== undefined && answer.answered && answer.problem === undefined ? { expires: null, expired: false, ...more } : null;
  return { expires: iso(answer.expires), expired: answer.expires <= now, ...more };
}

function identityQuietly(files: Pick<Files, 'identity'>, path: string): string | undefined {
  try {
    return files.identity(path);
  } catch {
    return undefined;
  }
}

function describeServed(s: StatusReport['zones'][number]['served']): string {
  if (s === null) return 'not asked';
  if (s.current) return `serves ${s.serial}, addresses match: the favoured servers are served`;
  return `NOT SERVED AS PUBLISHED: it ${s.words}`;
}

const FILE_STATE: Record<FileState, string> = {
  ours: "zonerw's output",
  edited: 'EDITED BY HAND (a copy is kept when zonerw next replaces it)',
  missing: 'MISSING (the next run writes it)',
  unknown: 'not yet published by zonerw',
};

/** A group's decision and its servers, as lines (indented under `group NAME:` when the config names groups). */
function formatGroup(r: GroupStatus, group: string, when: (t: string) => string): string[] {
  const lines: string[] = [];
  const notServed = r.favoured?.notServedBy?.length ? `; DNS DOES NOT SERVE IT YET for ${r.favoured.notServedBy.join(', ')} (see below)` : '';
  // the decision and the service are two things: said on a line of its own
  const service = !r.favoured ? [] : r.favoured.notServedBy === null ? ['served: not asked: no primary is asked, zonerw cannot tell whether DNS serves it'] : r.favoured.notServedBy.length > 0 ? [`served: NO: DNS does not serve ${r.favoured.server} for ${r.favoured.notServedBy.join(', ')}`] : ['served: yes, by the primary for every zone'];
  lines.push(r.favoured ? `favoured: ${r.favoured.server} ${r.favoured.address} since ${when(r.favoured.since)}${notServed}` : 'favoured: not decided yet (zonerw has not run)');
  lines.push(...service);
  if (r.rule) lines.push(`  why: ${r.rule}`);
  if (r.pool.length > 1) lines.push(`  @${markerKey('IPS', group)}@ pool: ${r.pool.join(', ')}`);
  if (r.pin) {
    const until = r.pin.until ? `until ${when(r.pin.until)}` : 'until cleared (zonerw pin --clear)';
    const state = r.pin.active ? 'PINNED' : 'pin expired (cleared by the next run)';
    lines.push(`${state}: ${r.pin.server}, set by ${r.pin.by ?? 'unknown'} ${when(r.pin.setAt)}, ${until}${r.pin.reason ? `: ${r.pin.reason}` : ''}`);
  }
  lines.push('servers:');
  for (const s of r.servers) {
    const head = `  ${s.name} ${s.address}`;
    if (!s.check) {
      lines.push(`${head}: ${s.noCheck ?? 'no check (taken as up)'}`);
      continue;
    }
    const state = s.unknown ? `NO VERDICT YET since ${when(s.since!)} (the votes reached no quorum; not counted as up)` : s.up === null ? 'not checked yet' : `${s.up ? 'up' : 'DOWN'} since ${when(s.since!)}`;
    const streak = describeStreak(s.streak, s.up);
    const c = s.lastCheck;
    const last = c ? `; last check ${when(c.at)}: ${c.reason}, ${c.attempts} attempt${c.attempts === 1 ? '' : 's'}, ${c.latencyMs} ms` : '';
    lines.push(`${head}: ${state}${streak}${last}`);
    lines.push(`    checks ${s.check}`, ...formatVotes(s.votes ?? null));
  }
  return lines;
}

const FAULT_WORDS: Record<DnssecVerdict['faults'][number], string> = { 'not signed': 'NOT SIGNED', 'no DNSKEY': 'NO DNSKEY', expired: 'EXPIRED', 'not yet valid': 'NOT YET VALID', 'other keys': 'ANOTHER KEY SET SERVED' };

/** The signatures line, then what else is wrong with the DNSSEC served (no DNSKEY, not yet valid, another key set). */
function formatSignatures(s: ZoneSignatures, now: number): string[] {
  const head = s.expires !== null
    ? describeSignatures(Date.parse(s.expires), now)
    : s.signedBy === 'nameserver'
      ? "NOT SIGNED: the primary serves the zone without signatures, although [nameserver] signs says the nameserver signs it (look at the nameserver's signing: its log, its key-directory and journal)"
      : 'NOT SIGNED: the primary serves the zone without signatures, although zonerw signs it (look at what the nameserver loads)';
  const keys = s.keyTags !== null && s.keyTags.length > 0 ? `; DNSKEY ${s.keyTags.join(' ')}` : '';
  // NOT SIGNED and EXPIRED are said by the head line
  const rest = s.faults.flatMap((f, i) => (f === 'not signed' || f === 'expired' ? [] : [`    ${FAULT_WORDS[f]}: ${s.problems[i]!.slice(s.problems[i]!.indexOf(': ') + 2)}`]));
  return [`    ${head}${s.expires !== null ? keys : ''}`, ...rest];
}

export function formatStatus(r: StatusReport, now: number): string[] {
  const when = (t: string) => {
    const ms = now - Date.parse(t);
    return `${utcTime(Date.parse(t))} UTC (${ms >= 0 ? `${formatSpan(ms)} ago` : `in ${formatSpan(-ms)}`})`;
  };
  const lines: string[] = [];
  if (r.stateProblem) {
    lines.push(
      r.stateAction === 'refuse'
        ? `state: ${r.stateProblem}: every run refuses it (exit 1) and changes nothing; upgrade zonerw, or move state.json away to start afresh`
        : `state: unreadable (${r.stateProblem}); the next run moves it aside to state.json.corrupt and rebuilds it from the zone files`,
    );
  }
  if (!r.groups) lines.push(...formatGroup(r, DEFAULT_GROUP, when));
  for (const g of r.groups ?? []) lines.push(`group ${g.name}:`, ...formatGroup(g, g.name, when).map((l) => `  ${l}`));
  lines.push('zones:');
  for (const z of r.zones) {
    const serial = z.serial === null ? 'no serial yet' : `serial ${z.serial}, published ${when(z.publishedAt!)}, ${z.checker ? `validated with ${z.checker}` : 'not validated (no checker ran)'}`;
    const pending = z.pending.length > 0 ? `; PENDING: ${z.pending.join(', ')} (retried on the next run)` : '';
    lines.push(`  ${z.zone}: ${serial}${pending}`);
    const last = z.lastProblem ? `the last run that tried (${when(z.lastProblem.at)}) said: ${z.lastProblem.line}` : 'zonerw history shows what the runs said';
    if (z.installedDiffers.length > 0) lines.push(`    NOT SERVING THE DECISION: the installed file carries ${describeDiffers(z.installedDiffers)} (the favoured); its publish was refused or failed: ${last}`);
    else if (z.serial === null && !z.baseGone) lines.push(`    NOT SERVING THE DECISION: zonerw has not published it; ${last}`);
    if (z.baseGone) lines.push(`    NOT PUBLISHED: ${describeGoneBase(z.zone, { base: z.base, file: z.file })}`);
    lines.push(`    ${z.file}: ${FILE_STATE[z.fileState]}`);
    if (z.serial !== null && r.primary.address !== null) lines.push(`    primary ${r.primary.address}: ${describeServed(z.served)}`);
    if (z.signatures) lines.push(...formatSignatures(z.signatures, now));
    else if (z.serial !== null && r.primary.notAsked === 'nameserver.address = false') lines.push('    primary: not asked (nameserver.address = false): zonerw cannot tell whether it serves the zone');
    for (const v of z.secondaries) {
      const how = v.state === 'current' ? `serves ${v.serial}: current` : v.state === 'behind' ? `serves ${v.serial}: BEHIND since ${when(v.behindSince!)}` : `NO ANSWER (${v.error})`;
      lines.push(`    secondary ${v.secondary}: ${how}`);
    }
  }
  return lines;
}
