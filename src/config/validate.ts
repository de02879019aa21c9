// Validates zonerw.toml as parsed, collecting every problem with its key path
// (`server[1].address: ...`) so the operator fixes the file in one pass. Nothing else in
// zonerw reads raw config values.
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { isIPv4, isIPv6, parseHostDefaultPort } from '../core/address.js';
import { zoneFileNameProblem, zoneNameProblem } from '../core/names.js';
import { HOOK_EVENTS, type HookEventName } from '../core/hooks.js';
import { KINDS, profile } from '../core/nameserver.js';
import { isTimeZone } from '../core/serial.js';
import { readNameserverSigns } from './nameserver-signs.js';
import { readDnssec } from './dnssec.js';
import { readWatch } from './watch.js';
import { readTtlWarnAbove } from './ttl-warn.js';
import { refuseOwnOnlyKeys } from './vantage-keys.js';
import { DEFAULT_GROUP } from '../core/markers.js';
import { describe, Reader, type Table } from './reader.js';
import { readGroupProbeDefaults, readProbe, readProbeDefaults, readReferences, type ProbeDefaults } from './probes.js';
import { readVantages } from './vantages.js';
import type { AllDownPolicy, Config, GroupConfig, HookConfig, NameserverConfig, Secondaries, Secondary, ServerConfig } from './types.js';

const TOP_KEYS = ['base_dir', 'zone_dir', 'include_dir', 'state_dir', 'zone_file', 'zones', 'timezone', 'on_base_change', 'reference', 'all_down', 'max_shrink', 'secondaries', 'strict_secondaries', 'secondary_wait', 'metrics_file', 'nameserver', 'check', 'server', 'group', 'hook', 'dnssec', 'vantage', 'watch', 'ttl_warn_above'] as const;
const GROUP_KEYS = ['name', 'all_down', 'check', 'server'] as const;
const ALL_DOWN = ['last', 'keep', 'first'] as const;
/** A server's or a group's name: it goes into messages, history, metrics labels and hook variables. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const HOOK_KEYS = ['on', 'run', 'timeout'] as const;
const NS_KEYS = ['kind', 'control', 'checkzone', 'timeout', 'address', 'serve_wait', 'signs'] as const;
const SERVER_KEYS = ['name', 'address', 'address6', 'check'] as const;

/** Validates parsed TOML. Exported for tests; `file` anchors relative paths and messages. */
export function validateConfig(raw: unknown, file: string): Config {
  const r = new Reader();
  const top = r.table(raw, '(top level)') ?? {};
  r.known(top, '', TOP_KEYS);
  const dir = dirname(file);
  const path = (key: string, fallback?: string) => {
    const v = r.string(top, '', key, fallback === undefined);
    return resolve(dir, v ?? fallback ?? '.');
  };
  const baseDir = path('base_dir');
  const zoneDir = path('zone_dir');
  const stateDir = path('state_dir');
  const includeDir = top.include_dir === undefined ? zoneDir : path('include_dir');
  const given = (key: string) => typeof top[key] === 'string' && top[key] !== '';
  if (given('zone_dir') && given('base_dir') && zoneDir === baseDir) r.problem('zone_dir', 'must not be base_dir: zonerw never writes base files');
  if (given('state_dir') && given('base_dir') && stateDir === baseDir) r.problem('state_dir', 'must not be base_dir: zonerw never writes base files');
  if (given('state_dir') && given('zone_dir') && stateDir === zoneDir) r.problem('state_dir', 'must not be zone_dir: the nameserver reads zone_dir, zonerw keeps its state apart');

  const zoneFile = r.string(top, '', 'zone_file') ?? '{zone}';
  if (!zoneFile.includes('{zone}') || /[/\\]/.test(zoneFile)) {
    r.problem('zone_file', `must contain {zone} and no "/", like "{zone}" or "db.{zone}", not ${describe(zoneFile)}`);
  } else if (zoneFile.startsWith('.')) {
    // `.<name>.zonerw-tmp-*` are zonerw's temp files, removed at the start of every run.
    r.problem('zone_file', `must not start with ".": zonerw's temp files do, like "{zone}" or "db.{zone}", not ${describe(zoneFile)}`);
  }

  const zones = readZones(r, top, zoneFile);

  const timezone = r.string(top, '', 'timezone') ?? 'UTC';
  if (!isTimeZone(timezone)) r.problem('timezone', `unknown time zone ${describe(timezone)} (an IANA name like "UTC" or "Europe/Amsterdam")`);
  const onBaseChange = r.oneOf(top, '', 'on_base_change', ['publish', 'warn'] as const, 'publish');

  const nameserver = readNameserver(r, top, includeDir !== zoneDir);

  const allDown = r.oneOf(top, '', 'all_down', ALL_DOWN, 'keep');
  const maxShrink = r.percent(top, '', 'max_shrink', 0.5);
  const secondaries = readSecondaries(r, top.secondaries);
  const strictSecondaries = r.bool(top, '', 'strict_secondaries', false);
  const secondaryWaitMs = r.duration(top, '', 'secondary_wait', 10_000);
  const metricsFile = r.string(top, '', 'metrics_file');
  const defaults = readProbeDefaults(r, top.check, dir, TOP_KEYS);
  const reference = readReferences(r, top, defaults);
  const groups = readAllGroups(r, top, defaults, allDown);
  const servers = groups.flatMap((g) => g.servers);
  // a config of top-level [[server]] tables alone has the default group only: no `groups` (configGroups)
  const hooks = readHooks(r, top.hook);
  const dnssec = readDnssec(r, top.dnssec, TOP_KEYS, zones);
  const nsSigns = isTable(top.nameserver) ? top.nameserver.signs : undefined;
  const signs = readNameserverSigns(r, nsSigns, { address: nameserver.address !== undefined, zones, dnssec });
  if (signs !== undefined) nameserver.signs = signs;
  const vantages = readVantages(r, top);
  refuseOwnOnlyKeys(r, top, vantages.vantages ?? []);
  const watch = readWatch(r, top.watch, TOP_KEYS);
  const ttlWarnAbove = readTtlWarnAbove(r, top);
  if (r.problems.length > 0) throw new ConfigError(file, r.problems);
  return {
    file, baseDir, zoneDir, includeDir, stateDir, zoneFile, timezone, onBaseChange, nameserver, servers, reference, allDown, maxShrink, secondaries, strictSecondaries, secondaryWaitMs, hooks,
    ...(top.group !== undefined ? { groups } : {}),
    ...(metricsFile !== undefined ? { metricsFile: resolve(dir, metricsFile) } : {}),
    ...(zones ? { zones } : {}),
    ...(dnssec ? { dnssec } : {}),
    ...vantages,
    ...(watch ? { watch } : {}),
    ...(ttlWarnAbove !== undefined ? { ttlWarnAbove } : {}),
  };
}

const isTable = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `zones`: each a zone name whose files fit a file name, listed once. */
function readZones(r: Reader, top: Record<string, unknown>, zoneFile: string): string[] | undefined {
  const zones = r.strings(top, '', 'zones');
  if (zones?.length === 0) r.problem('zones', 'is empty: list the zones, or remove the key to manage every *.base in base_dir');
  zones?.forEach((z, i) => {
    const problem = zoneNameProblem(z) ?? zoneFileNameProblem(z, zoneFile);
    const first = zones.indexOf(z);
    if (problem) r.problem(`zones[${i}]`, `${problem}: ${describe(z)}`);
    else if (first < i) r.problem(`zones[${i}]`, `${describe(z)} is already zones[${first}]`);
  });
  return zones;
}

/** `[nameserver]`: its kind's profile (core/nameserver.ts) gives the defaults and the rules. */
function readNameserver(r: Reader, top: Record<string, unknown>, includeDirApart: boolean): NameserverConfig {
  const givenNs = r.table(top.nameserver, 'nameserver');
  const nsTable = givenNs ?? {};
  r.known(nsTable, 'nameserver', NS_KEYS, TOP_KEYS);
  const kind = r.oneOf(nsTable, 'nameserver', 'kind', KINDS, 'none');
  if (givenNs && nsTable.kind === undefined) r.problem('nameserver.kind', `missing: ${KINDS.slice(0, -1).map((k) => `"${k}"`).join(', ')} or "${KINDS.at(-1)}"`);
  const control = r.strings(nsTable, 'nameserver', 'control') ?? [...profile(kind).defaultControl];
  if (profile(kind).verbs !== undefined && control.length === 0) r.problem('nameserver.control', 'must name the control command, like ["nsd-control"]');
  const includeDirProblem = profile(kind).includeDirProblem;
  if (includeDirProblem !== undefined && includeDirApart) r.problem('include_dir', includeDirProblem);
  const address = readPrimaryAddress(r, nsTable.address, kind);
  return {
    kind,
    control,
    checkzone: r.oneOf(nsTable, 'nameserver', 'checkzone', ['auto', 'always', 'never'] as const, 'auto'),
    timeoutMs: r.duration(nsTable, 'nameserver', 'timeout', 10_000),
    ...(address ? { address } : {}),
    serveWaitMs: r.duration(nsTable, 'nameserver', 'serve_wait', 5_000),
  };
}

/**
 * The service groups: the top-level [[server]] tables are the group `default`, each [[group]]
 * one more. Server names are unique across all groups; a config needs at least one server.
 */
function readAllGroups(r: Reader, top: Table, defaults: ProbeDefaults, allDown: AllDownPolicy): GroupConfig[] {
  const noGroups = top.group === undefined || (Array.isArray(top.group) && top.group.length === 0);
  if (top.server === undefined && noGroups) {
    r.problem('server', 'missing: add at least one [[server]] with name and address');
    return [];
  }
  const seen = new Map<string, string>(); // server name -> where it is
  const groups: GroupConfig[] = [];
  if (top.server !== undefined) {
    if (!Array.isArray(top.server) || top.server.length === 0) r.problem('server', 'must be one or more [[server]] tables');
    else groups.push({ name: DEFAULT_GROUP, servers: readServers(r, top.server, 'server', defaults, seen), allDown });
  }
  if (top.group === undefined) return groups;
  if (!Array.isArray(top.group)) {
    r.problem('group', 'must be [[group]] tables, each with a name and [[group.server]] tables');
    return groups;
  }
  const names = new Map<string, string>(groups.map((g) => [g.name, 'the group of the top-level [[server]] tables']));
  top.group.forEach((entry, i) => {
    const group = readGroup(r, entry, `group[${i}]`, { defaults, allDown, seen, names });
    if (group) groups.push(group);
  });
  return groups.filter((g) => g.servers.length > 0);
}

interface GroupContext {
  defaults: ProbeDefaults;
  allDown: AllDownPolicy;
  /** server name -> its key path, across all groups */
  seen: Map<string, string>;
  /** group name -> what has it already */
  names: Map<string, string>;
}

/** One [[group]] table: name, all_down, check (defaults over [check]) and its [[group.server]] tables. */
function readGroup(r: Reader, entry: unknown, prefix: string, o: GroupContext): GroupConfig | undefined {
  const t = r.table(entry, prefix);
  if (!t) return undefined;
  r.known(t, prefix, GROUP_KEYS, TOP_KEYS);
  const name = r.string(t, prefix, 'name', true);
  if (name !== undefined) {
    const first = o.names.get(name);
    if (!NAME.test(name)) r.problem(`${prefix}.name`, `use letters, digits, '.', '_' and '-', not ${describe(name)}`);
    else if (first !== undefined) r.problem(`${prefix}.name`, `"${name}" is already ${first}${name === DEFAULT_GROUP ? '; give this group another name' : ''}`);
    o.names.set(name, `the name of ${prefix}`);
  }
  const allDown = r.oneOf(t, prefix, 'all_down', ALL_DOWN, o.allDown);
  const defaults = readGroupProbeDefaults(r, t.check, `${prefix}.check`, o.defaults);
  const key = `${prefix}.server`;
  if (t.server === undefined || (Array.isArray(t.server) && t.server.length === 0)) {
    r.problem(key, `${name === undefined ? 'the group' : `group "${name}"`} has no servers: add at least one [[group.server]] with name and address, or remove the group`);
    return undefined;
  }
  if (!Array.isArray(t.server)) {
    r.problem(key, 'must be one or more [[group.server]] tables');
    return undefined;
  }
  return { name: name ?? '', servers: readServers(r, t.server, key, defaults, o.seen), allDown };
}

/** A group's [[server]] tables (`key`: `server`, `group[0].server`); `seen` holds the names of every group's servers. */
function readServers(r: Reader, raw: readonly unknown[], key: string, defaults: ProbeDefaults, seen: Map<string, string>): ServerConfig[] {
  const servers: ServerConfig[] = [];
  raw.forEach((entry, i) => {
    const prefix = `${key}[${i}]`;
    const t = r.table(entry, prefix);
    if (!t) return;
    r.known(t, prefix, SERVER_KEYS, TOP_KEYS);
    const name = r.string(t, prefix, 'name', true);
    if (name !== undefined) {
      if (!NAME.test(name)) r.problem(`${prefix}.name`, `use letters, digits, '.', '_' and '-', not ${describe(name)}`);
      const first = seen.get(name);
      if (first !== undefined) r.problem(`${prefix}.name`, `"${name}" is already the name of ${first}`);
      seen.set(name, prefix);
    }
    const address = r.string(t, prefix, 'address', true);
    if (address !== undefined && !isIPv4(address)) r.problem(`${prefix}.address`, `not an IPv4 address: ${describe(address)}`);
    const address6 = r.string(t, prefix, 'address6');
    if (address6 !== undefined && !isIPv6(address6)) r.problem(`${prefix}.address6`, `not an IPv6 address: ${describe(address6)}`);
    const check = readProbe(r, t.check, `${prefix}.check`, defaults);
    if (name !== undefined && address !== undefined) {
      servers.push({ name, address, ...(address6 !== undefined ? { address6 } : {}), ...(check ? { check } : {}) });
    }
  });
  return servers;
}

/** The primary's `address = "HOST:PORT"` (default 127.0.0.1:53), or `false`: not asked. Not used with kind "none". */
function readPrimaryAddress(r: Reader, raw: unknown, kind: string): Secondary | undefined {
  if (kind === 'none') {
    if (raw !== undefined && raw !== false) r.problem('nameserver.address', 'not used with kind = "none" (zonerw runs no nameserver command and asks no primary); remove it');
    return undefined;
  }
  if (raw === false) return undefined;
  const text = raw === undefined ? '127.0.0.1:53' : raw;
  const hp = typeof text === 'string' && text !== '' ? parseHostDefaultPort(text, 53) : undefined;
  if (!hp) {
    r.problem('nameserver.address', `must be "HOST:PORT" where the primary answers DNS queries, like "127.0.0.1:53" or "[::1]:5353", or false when zonerw cannot query it, not ${describe(raw)}`);
    return undefined;
  }
  return { name: text as string, ...hp };
}

/** `secondaries = ["192.0.2.53", "ns2.example.net:5353"]`, or a table by zone with "*" for the rest. */
function readSecondaries(r: Reader, raw: unknown): Secondaries {
  const list = (v: unknown, key: string): Secondary[] => {
    if (!Array.isArray(v)) {
      r.problem(key, `must be a list like ["192.0.2.53", "ns2.example.net:5353"], not ${describe(v)}`);
      return [];
    }
    return v.flatMap((item, i): Secondary[] => {
      const at = `${key}[${i}]`;
      if (typeof item !== 'string' || item === '') {
        r.problem(at, `must be "HOST" or "HOST:PORT", not ${describe(item)}`);
        return [];
      }
      const hp = parseHostDefaultPort(item, 53);
      if (!hp) {
        r.problem(at, `must be "HOST" or "HOST:PORT" (port 53 by default), like "192.0.2.53" or "[2001:db8::53]:5353", not ${describe(item)}`);
        return [];
      }
      return [{ name: item, ...hp }];
    });
  };
  if (raw === undefined) return { all: [], byZone: {} };
  if (Array.isArray(raw)) return { all: list(raw, 'secondaries'), byZone: {} };
  if (typeof raw !== 'object' || raw === null || raw instanceof Date) {
    r.problem('secondaries', `must be a list like ["192.0.2.53", "ns2.example.net:5353"], or a table by zone like { "example.com" = ["192.0.2.53"], "*" = ["192.0.2.54"] }, not ${describe(raw)}`);
    return { all: [], byZone: {} };
  }
  const t = raw as Record<string, unknown>;
  const byZone: Record<string, Secondary[]> = {};
  let all: Secondary[] = [];
  for (const [zone, v] of Object.entries(t)) {
    const key = `secondaries."${zone}"`;
    if (zone === '*') all = list(v, key);
    else if (zoneNameProblem(zone)) r.problem(key, `${zoneNameProblem(zone)}: use a zone name, or "*" for every other zone`);
    else byZone[zone] = list(v, key);
  }
  return { all, byZone };
}

/** `[[hook]]` tables: `on` an event or a list of them, `run` an argv list, `timeout`. */
function readHooks(r: Reader, raw: unknown): HookConfig[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    r.problem('hook', 'must be [[hook]] tables');
    return [];
  }
  return raw.flatMap((entry, i): HookConfig[] => {
    const prefix = `hook[${i}]`;
    const t = r.table(entry, prefix);
    if (!t) return [];
    r.known(t, prefix, HOOK_KEYS);
    const onRaw = t.on;
    const on = (Array.isArray(onRaw) ? onRaw : onRaw === undefined ? [] : [onRaw]) as unknown[];
    if (on.length === 0) r.problem(`${prefix}.on`, `missing: one of ${HOOK_EVENTS.map((e) => `"${e}"`).join(', ')}, or a list of them`);
    for (const e of on) {
      if (!(HOOK_EVENTS as readonly unknown[]).includes(e)) r.problem(`${prefix}.on`, `must be one of ${HOOK_EVENTS.map((x) => `"${x}"`).join(', ')}, not ${describe(e)}`);
    }
    const run = r.strings(t, prefix, 'run');
    if (run === undefined && t.run === undefined) r.problem(`${prefix}.run`, 'missing: the command as a list, like ["systemctl", "start", "murmur"] (no shell)');
    if (run?.length === 0) r.problem(`${prefix}.run`, 'must name a command');
    const timeoutMs = r.duration(t, prefix, 'timeout', 30_000);
    return run && run.length > 0 ? [{ on: on as HookEventName[], run, timeoutMs }] : [];
  });
}
