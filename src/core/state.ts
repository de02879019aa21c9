// The shape of state.json. Only zonerw writes it; it is still validated on load, because a
// disk error, a hand edit or a newer zonerw can leave anything there.
import type { FavouredMemory, Pin, ServerMemory } from './health.js';
import type { ZoneMemory } from './plan.js';
import { isSerial } from './serial.js';

export const STATE_VERSION = 1;

export interface State {
  version: typeof STATE_VERSION;
  favoured?: FavouredMemory;
  /** the servers behind @IPS@ */
  pool?: string[];
  pin?: Pin;
  /** the rule that picked the favoured server on the last run, for status */
  rule?: string;
  /** when a run last ended with exit status 0 */
  lastSuccess?: number;
  servers: Record<string, ServerMemory>;
  zones: Record<string, ZoneMemory>;
  /** new memories recorded just before their installs; see settleIntent */
  intents: Record<string, ZoneMemory>;
}

export function emptyState(): State {
  return { version: STATE_VERSION, servers: {}, zones: {}, intents: {} };
}

/** Returns the state, or a description of what is wrong with it. */
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
  if (raw.version !== STATE_VERSION) return { problem: `unknown version ${JSON.stringify(raw.version)}` };
  const { servers = {}, zones = {}, intents = {}, favoured, pool, pin, rule, lastSuccess } = raw;
  if (!isObject(servers) || !Object.values(servers).every(isServerMemory)) return { problem: 'malformed "servers"' };
  if (!isObject(zones) || !Object.values(zones).every(isZoneMemory)) return { problem: 'malformed "zones"' };
  if (!isObject(intents) || !Object.values(intents).every(isZoneMemory)) return { problem: 'malformed "intents"' };
  if (favoured !== undefined && !isFavoured(favoured)) return { problem: 'malformed "favoured"' };
  if (pool !== undefined && !(Array.isArray(pool) && pool.every((p) => typeof p === 'string'))) return { problem: 'malformed "pool"' };
  if (pin !== undefined && !isPin(pin)) return { problem: 'malformed "pin"' };
  const state: State = {
    version: STATE_VERSION,
    servers: servers as Record<string, ServerMemory>,
    zones: zones as Record<string, ZoneMemory>,
    intents: intents as Record<string, ZoneMemory>,
  };
  if (favoured !== undefined) state.favoured = favoured as FavouredMemory;
  if (pool !== undefined) state.pool = pool as string[];
  if (pin !== undefined) state.pin = pin as Pin;
  if (typeof rule === 'string') state.rule = rule;
  if (typeof lastSuccess === 'number') state.lastSuccess = lastSuccess;
  return { state };
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
    (v.primarySerial === undefined || isSerial(v.primarySerial))
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
