// Which server is favoured, from this run's check outcomes and what the state remembers.
// Pure: outcomes, the time and the memory are inputs; the new memory is part of the output.
//
// The rules, in order:
//   1. a pin (set by `zonerw pin`) that has not expired favours its server, whatever the checks;
//   2. hysteresis: a server's raw result must repeat `failAfter` runs before an up server
//      counts as down, and `recoverAfter` runs before a down server counts as up again; given
//      as a time (`failAfterMs`, `fail_after = "10s"`), the result must also have held for at
//      least that long, from the first probe of the streak to this one (and `failAfter` is then
//      2: one probe is never a streak, however long ago the last one was);
//   3. when a server looks down and no reference host answers either, zonerw's own network is
//      down: nothing changes;
//   4. the favoured server is the first server, in config order, that counts as up; the pool
//      (for @IPS@) is every server that counts as up;
//   5. when none counts as up, `allDown` decides: keep what is published, the last, or the first.

import type { Vote } from './probe.js';

export interface ServerInput {
  name: string;
  address: string;
  address6?: string;
  /** false for a server without a check: it is always up (the last resort) */
  checked: boolean;
  failAfter: number;
  recoverAfter: number;
  /** `fail_after = "10s"`: the raw down result must also have held this long */
  failAfterMs?: number;
  /** `recover_after = "10s"`: the raw up result must also have held this long */
  recoverAfterMs?: number;
}

export interface ProbeOutcome {
  up: boolean;
  /** `HTTP 200`, `HTTP 503`, `connection refused`, `timed out after 5s`, ... */
  reason: string;
  latencyMs: number;
  attempts: number;
  /** ms since the epoch, when the check finished */
  at: number;
  /** with [[vantage]] tables: every vote behind `up` (core/votes.ts), zonerw's own first */
  votes?: Vote[];
  /** no side reached the quorum: this run neither counts nor changes anything for the server */
  undecided?: boolean;
}

export interface Streak {
  up: boolean;
  /** consecutive runs with this raw result */
  count: number;
  /** when the first run of the streak decided (ms since the epoch); absent in older state */
  since?: number;
}

/** What the state remembers of a server between runs. */
export interface ServerMemory {
  /** counts as up, after hysteresis */
  up: boolean;
  since: number;
  lastCheck?: ProbeOutcome;
  streak?: Streak;
  /** no verdict yet (votes reached no quorum, and none had before): neither up nor down; `up` is false */
  unknown?: boolean;
}

export interface FavouredMemory {
  server: string;
  address: string;
  address6?: string;
  since: number;
}

export interface Pin {
  server: string;
  setAt: number;
  /** ms since the epoch; absent: until cleared */
  until?: number;
  reason?: string;
  by?: string;
}

export interface HealthMemory {
  servers: Readonly<Record<string, ServerMemory>>;
  favoured?: FavouredMemory;
  /** server names behind @IPS@, in config order */
  pool?: string[];
  pin?: Pin;
}

export type AllDown = 'last' | 'keep' | 'first';

export interface ServerVerdict {
  name: string;
  address: string;
  /** this run's result (a server without a check is always up) */
  raw: boolean;
  /** counts as up, after hysteresis */
  up: boolean;
  /** `up` differs from the remembered status (a server never seen counts as up before) */
  changed: boolean;
  since: number;
  streak: Streak;
  /** runs needed to change: failAfter while up, recoverAfter while down */
  needed: number;
  /** with a time given: how long the streak must have held to change (ms) */
  neededMs?: number;
  /** with a time given: how long the streak has held, as of this run (ms) */
  heldMs?: number;
  outcome?: ProbeOutcome;
  /** no verdict this run and none before: not counted as up, nothing recorded as up or down */
  unknown?: boolean;
}

export interface HealthDecision {
  servers: ServerVerdict[];
  favoured: FavouredMemory;
  favouredChanged: boolean;
  pool: string[];
  poolChanged: boolean;
  /** The rule that picked the favoured server, for -v and status. */
  rule: string;
  /** A server looked down and no reference host answered: nothing was changed. */
  networkDown: boolean;
  /** No server counts as up (allDown decided). */
  allDown: boolean;
  pin?: Pin;
  /** a pin that ran out with this run */
  pinExpired?: Pin;
}

export interface HealthInputs {
  servers: readonly ServerInput[];
  outcomes: ReadonlyMap<string, ProbeOutcome>;
  memory: HealthMemory;
  allDown: AllDown;
  /** undefined: no reference configured or none asked; else whether any reference answered */
  referencesUp?: boolean;
  /** set when the network was judged for several groups at once (core/groups.ts): it overrides
   *  this group's own judgement, since one group's failed server with no reference answering
   *  means zonerw's network is down for every group */
  networkDown?: boolean;
  now: number;
}

/** True when a reference check is worth making: some checked server failed this run (no verdict is not a failure). */
export function needsReference(servers: readonly ServerInput[], outcomes: ReadonlyMap<string, ProbeOutcome>): boolean {
  return servers.some((s) => s.checked && outcomes.get(s.name)?.undecided !== true && outcomes.get(s.name)?.up !== true);
}

export function decideHealth(input: HealthInputs): HealthDecision {
  const { servers, outcomes, memory, now } = input;
  if (servers.length === 0) throw new Error('decideHealth: no servers');
  const networkDown = input.networkDown ?? (input.referencesUp === false && needsReference(servers, outcomes));
  const verdicts = servers.map((s) => judge(s, outcomes.get(s.name), memory.servers[s.name], now, networkDown || outcomes.get(s.name)?.undecided === true));

  const pin = memory.pin && (memory.pin.until === undefined || memory.pin.until > now) ? memory.pin : undefined;
  const pinExpired = memory.pin && !pin ? memory.pin : undefined;
  const pinned = pin ? servers.find((s) => s.name === pin.server) : undefined;
  const upNames = verdicts.filter((v) => v.up).map((v) => v.name);
  const allDown = upNames.length === 0;

  let chosen: ServerInput;
  let pool: string[];
  let rule: string;
  const remembered = memory.favoured && servers.find((s) => s.name === memory.favoured!.server);
  if (networkDown && remembered) {
    chosen = remembered;
    pool = memory.pool ?? [remembered.name];
    rule = 'a server looks down and no reference host answers: zonerw\'s own network seems down, so nothing changes';
  } else if (pinned) {
    chosen = pinned;
    pool = [pinned.name];
    rule = `pinned to ${pinned.name}${pin!.until !== undefined ? ` until ${new Date(pin!.until).toISOString()}` : ''}${pin!.reason ? ` (${pin!.reason})` : ''}`;
  } else if (!allDown) {
    chosen = servers.find((s) => s.name === upNames[0])!;
    pool = upNames;
    const before = describeNotUp(verdicts.slice(0, verdicts.findIndex((v) => v.up)));
    rule = before.length === 0 ? `${chosen.name} is the first server and it is up` : `${before}: ${chosen.name} is the first server that is up`;
  } else {
    const last = servers[servers.length - 1]!;
    if (input.allDown === 'keep' && remembered) {
      chosen = remembered;
      pool = memory.pool ?? [remembered.name];
      rule = `no server is up: keeping ${remembered.name} (all_down = "keep")`;
    } else {
      chosen = input.allDown === 'first' ? servers[0]! : last;
      pool = [chosen.name];
      rule = `no server is up: favouring the ${input.allDown === 'first' ? 'first' : 'last'} one, ${chosen.name} (all_down = "${input.allDown}")`;
    }
  }

  const before = memory.favoured;
  const favouredChanged = before === undefined ? chosen !== servers[0] : before.server !== chosen.name || before.address !== chosen.address || before.address6 !== chosen.address6;
  const favoured: FavouredMemory = {
    server: chosen.name,
    address: chosen.address,
    ...(chosen.address6 !== undefined ? { address6: chosen.address6 } : {}),
    since: favouredChanged || !before ? now : before.since,
  };
  const poolChanged = memory.pool !== undefined && memory.pool.join(' ') !== pool.join(' ');
  return {
    servers: verdicts,
    favoured,
    favouredChanged,
    pool,
    poolChanged,
    rule,
    networkDown,
    allDown,
    ...(pin ? { pin } : {}),
    ...(pinExpired ? { pinExpired } : {}),
  };
}

/** `main down`, `main has no verdict yet (not counted as up)`: the servers before the favoured one. */
function describeNotUp(verdicts: readonly ServerVerdict[]): string {
  const down = verdicts.filter((v) => !v.unknown).map((v) => v.name);
  const unknown = verdicts.filter((v) => v.unknown).map((v) => v.name);
  return [...(down.length > 0 ? [`${down.join(', ')} down`] : []), ...(unknown.length > 0 ? [`${unknown.join(', ')} ${unknown.length === 1 ? 'has' : 'have'} no verdict yet (not counted as up)`] : [])].join(', ');
}

function judge(s: ServerInput, outcome: ProbeOutcome | undefined, remembered: ServerMemory | undefined, now: number, frozen: boolean): ServerVerdict {
  // a server remembered as unknown has had no verdict yet: as never seen
  const before = remembered?.unknown ? undefined : remembered;
  if (s.checked && outcome?.undecided && !before) {
    // No verdict and nothing to keep: not up on the strength of nothing, and no down streak
    // started either; rememberHealth records it as unknown.
    return { name: s.name, address: s.address, raw: false, up: false, changed: false, since: remembered?.unknown ? remembered.since : now, streak: { up: false, count: 0, since: now }, needed: s.failAfter, outcome, unknown: true };
  }
  const raw = s.checked ? outcome?.up === true : true;
  const wasUp = before?.up ?? true;
  const needed = wasUp ? s.failAfter : s.recoverAfter;
  const neededMs = wasUp ? s.failAfterMs : s.recoverAfterMs;
  const needs = { needed, ...(neededMs !== undefined ? { neededMs } : {}) };
  if (frozen && before) {
    // This run's results cannot be trusted: they neither count nor change anything.
    const streak = before.streak ?? { up: wasUp, count: 1 };
    return { name: s.name, address: s.address, raw, up: wasUp, changed: false, since: before.since, streak, ...needs, ...(outcome ? { outcome } : {}) };
  }
  const streak = extendStreak(before?.streak, raw, now);
  const up = raw === wasUp ? wasUp : streakHolds(streak, needed, neededMs, now) ? raw : wasUp;
  const changed = up !== wasUp;
  return {
    ...(neededMs !== undefined ? { heldMs: now - (streak.since ?? now) } : {}),
    name: s.name,
    address: s.address,
    raw,
    up,
    changed,
    since: changed || !before ? now : before.since,
    streak,
    ...needs,
    ...(outcome ? { outcome } : {}),
  };
}

/** The streak after this run: one more of the same result, or a new one starting now. */
function extendStreak(before: Streak | undefined, raw: boolean, now: number): Streak {
  if (before?.up !== raw) return { up: raw, count: 1, since: now };
  // a streak remembered by an older zonerw has no start: its time counts from this run
  return { up: raw, count: before.count + 1, since: before.since ?? now };
}

/** Enough runs in a row, and (given a time) the first of them at least that long ago. */
function streakHolds(streak: Streak, needed: number, neededMs: number | undefined, now: number): boolean {
  if (streak.count < needed) return false;
  return neededMs === undefined || now - (streak.since ?? now) >= neededMs;
}

/** Memory to save after this decision. */
export function rememberHealth(d: HealthDecision): HealthMemory {
  const servers: Record<string, ServerMemory> = {};
  for (const v of d.servers) {
    servers[v.name] = v.unknown
      ? { up: false, since: v.since, unknown: true, ...(v.outcome ? { lastCheck: v.outcome } : {}) }
      : { up: v.up, since: v.since, streak: v.streak, ...(v.outcome ? { lastCheck: v.outcome } : {}) };
  }
  return { servers, favoured: d.favoured, pool: d.pool, ...(d.pin ? { pin: d.pin } : {}) };
}

/**
 * One line for cron's mail when anything changed, else undefined:
 * `main 192.0.2.1 down (HTTP 503, 2 attempts); favouring backup 198.51.100.7`.
 */
export function describeTransition(d: HealthDecision): string | undefined {
  if (d.networkDown) return undefined;
  const parts = d.servers.filter((v) => v.changed).map(describeVerdict);
  if (d.favouredChanged) parts.push(`favouring ${d.favoured.server} ${d.favoured.address}${d.pin ? ' (pinned)' : ''}`);
  if (d.allDown && parts.length > 0 && !d.favouredChanged) parts.push(`no server is up; keeping ${d.favoured.server} ${d.favoured.address}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

export function describeVerdict(v: ServerVerdict): string {
  const o = v.outcome;
  const detail = o ? ` (${o.reason}${o.attempts > 1 ? `, ${o.attempts} attempts` : o.up ? '' : ', 1 attempt'})` : '';
  return `${v.name} ${v.address} ${v.up ? 'up' : 'down'}${detail}`;
}

/** The -v trace of one server: `main: HTTP 503 (down 1 of 3 runs needed), counts as up`. */
export function traceVerdict(v: ServerVerdict): string {
  if (!v.outcome) return `${v.name} ${v.address}: no check, always up`;
  if (v.unknown) return `${v.name} ${v.address}: no verdict this run and none before (${v.outcome.reason}); not counted as up this run, nothing recorded`;
  if (v.outcome.undecided) return `${v.name} ${v.address}: no verdict this run (${v.outcome.reason}); kept: counts as ${v.up ? 'up' : 'down'} since ${new Date(v.since).toISOString()}`;
  const toward = v.raw === v.up ? '' : v.neededMs !== undefined ? `, for ${held(v)} of ${formatMsShort(v.neededMs)} needed to change` : `, ${v.streak.count} of ${v.needed} runs needed to change`;
  return `${v.name} ${v.address}: ${v.raw ? 'up' : 'down'} this run (${v.outcome.reason}, ${v.outcome.attempts} attempt${v.outcome.attempts === 1 ? '' : 's'}, ${Math.round(v.outcome.latencyMs)} ms)${toward}; counts as ${v.up ? 'up' : 'down'} since ${new Date(v.since).toISOString()}`;
}

/** How long a verdict's streak has held, as of its last run: `1.5s (2 runs)`. */
function held(v: ServerVerdict): string {
  const ms = Math.max(0, v.heldMs ?? 0);
  return `${formatMsShort(ms)} (${v.streak.count} run${v.streak.count === 1 ? '' : 's'})`;
}

function formatMsShort(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}
