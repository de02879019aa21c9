// The shape of state.json. Only zonerw writes it; it is still validated on load, because a
// disk error, a hand edit or a newer zonerw can leave anything there.
import type { FavouredMemory, Pin, ServerMemory } from './health.js';
import { DEFAULT_GROUP } from './markers.js';
import type { ZoneMemory } from './zone-plan.js';
import { isSerial } from './serial.js';

/** 2: the decision is kept per service group (`groups`); 1 kept one, at the top level. */
export const STATE_VERSION = 2;

/** What the state remembers of one service group's decision. */
export interface GroupState {
  favoured?: FavouredMemory;
  /** the servers behind @IPS@ (of this group) */
  pool?: string[];
  pin?: Pin;
  /** the rule that picked the favoured server on the last run, for status */
  rule?: string;
}

export interface State {
  version: typeof STATE_VERSION;
  /** by group name: the default group (the top-level [[server]] tables) is `default` */
  groups: Record<string, GroupState>;
  /** when a run last ended with exit status 0 */
  lastSuccess?: number;
  /** by server name (unique across the groups) */
  servers: Record<string, ServerMemory>;
  zones: Record<string, ZoneMemory>;
  /** new memories recorded just before their installs; see settleIntent */
  intents: Record<string, ZoneMemory>;
}

export function emptyState(): State {
  return { version: STATE_VERSION, groups: {}, servers: {}, zones: {}, intents: {} };
}

type Raw = Record<string, unknown>;

/**
 * How a state written by an older zonerw becomes the next version, by the version it has. Each
 * keeps what the older one recorded: an upgrade changes no decision and publishes nothing.
 */
const MIGRATIONS: Readonly<Record<number, (raw: Raw) => Raw>> = {
  // 1 -> 2: the one decision becomes the default group's
  1: ({ favoured, pool, pin, rule, ...rest }) => {
    const group = Object.fromEntries(Object.entries({ favoured, pool, pin, rule }).filter(([, v]) => v !== undefined));
    return { ...rest, version: 2, groups: Object.keys(group).length > 0 ? { [DEFAULT_GROUP]: group } : {} };
  },
};

/** Returns the state (an older version's upgraded), or a description of what is wrong with it. */
export function parseState(text: string): { state: State } | { problem: string; newer?: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error, newlines and binary included: keep one printable line.
    const words = (e as Error).message.replace(/, ".*" is not valid JSON$/s, '').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return { problem: `not valid JSON (${words})` };
  }
  if (!isObject(raw)) return { problem: 'not a JSON object' };
  if (typeof raw.version === 'number' && raw.version > STATE_VERSION) {
    return { problem: `written by a newer zonerw (version ${raw.version}; this one reads ${STATE_VERSION})`, newer: raw.version };
  }
  return readState(upgrade(raw));
}

/** An older version's state as this version's (its `version` says whether that worked). */
function upgrade(raw: Raw): Raw {
  let state = raw;
  for (let v = state.version; typeof v === 'number' && v < STATE_VERSION && MIGRATIONS[v] !== undefined; v = state.version) state = MIGRATIONS[v]!(state);
  return state;
}

function readState(raw: Raw): { state: State } | { problem: string } {
  if (raw.version !== STATE_VERSION) return { problem: `unknown version ${JSON.stringify(raw.version)}` };
  const { servers = {}, zones = {}, intents = {}, groups = {}, lastSuccess } = raw;
  if (!isObject(servers) || !Object.values(servers).every(isServerMemory)) return { problem: 'malformed "servers"' };
  if (!isObject(zones) || !Object.values(zones).every(isZoneMemory)) return { problem: 'malformed "zones"' };
  if (!isObject(intents) || !Object.values(intents).every(isZoneMemory)) return { problem: 'malformed "intents"' };
  if (!isObject(groups)) return { problem: 'malformed "groups"' };
  for (const [name, g] of Object.entries(groups)) {
    const problem = groupProblem(g);
    if (problem) return { problem: `malformed ${problem} of group ${JSON.stringify(name)}` };
  }
  const state: State = {
    version: STATE_VERSION,
    groups: groups as Record<string, GroupState>,
    servers: servers as Record<string, ServerMemory>,
    zones: zones as Record<string, ZoneMemory>,
    intents: intents as Record<string, ZoneMemory>,
  };
  if (typeof lastSuccess === 'number') state.lastSuccess = lastSuccess;
  return { state };
}

/** What is wrong with one group's memory ("favoured", "pool", "pin"), if anything; a rule that is not text is dropped. */
function groupProblem(g: unknown): string | undefined {
  if (!isObject(g)) return '"groups"';
  if (g.favoured !== undefined && !isFavoured(g.favoured)) return '"favoured"';
  if (g.pool !== undefined && !(Array.isArray(g.pool) && g.pool.every((p) => typeof p === 'string'))) return '"pool"';
  if (g.pin !== undefined && !isPin(g.pin)) return '"pin"';
  if (g.rule !== undefined && typeof g.rule !== 'string') delete g.rule;
  return undefined;
}

export function serializeState(state: State): string {
  return `${JSON.stringify(state, null, 1)}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFavoured(v: unknown): boolean {
  return isObject(v) && typeof v.server === 'string' && typeof v.address === 'string' && typeof v.since === 'number';
}

function isPin(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.server === 'string' &&
    typeof v.setAt === 'number' &&
    (v.until === undefined || typeof v.until === 'number') &&
    (v.reason === undefined || typeof v.reason === 'string') &&
    (v.by === undefined || typeof v.by === 'string')
  );
}

function isServerMemory(v: unknown): boolean {
  return isObject(v) && typeof v.up === 'boolean' && typeof v.since === 'number';
}

function isZoneMemory(v: unknown): boolean {
  return (
    isObject(v) &&
    isSerial(v.serial) &&
    typeof v.contentHash === 'string' &&
    typeof v.baseHash === 'string' &&
    typeof v.fileHash === 'string' &&
    isObject(v.values) &&
    Object.values(v.values).every((x) => typeof x === 'string' || (Array.isArray(x) && x.every((y) => typeof y === 'string'))) &&
    typeof v.publishedAt === 'number' &&
    Array.isArray(v.pending) &&
    v.pending.every((p) => p === 'reload' || p === 'notify') &&
    (v.expect === undefined || (Array.isArray(v.expect) && v.expect.every(isMarkerRecord))) &&
    (v.primarySerial === undefined || isSerial(v.primarySerial)) &&
    (v.primarySeenAt === undefined || typeof v.primarySeenAt === 'number')
  );
}

function isMarkerRecord(v: unknown): boolean {
  return (
    isObject(v) &&
    typeof v.name === 'string' &&
    (v.type === 'A' || v.type === 'AAAA') &&
    Array.isArray(v.addresses) &&
    v.addresses.every((a) => typeof a === 'string') &&
    typeof v.exact === 'boolean'
  );
}
