// Reads zonerw.toml and validates all of it, collecting every problem with its key path
// (`server[1].address: ...`) so the operator fixes the file in one pass. Nothing else in
// zonerw reads raw config values.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { isIPv4 } from 'node:net';
import { ConfigError } from './errors.js';
import { closest, zoneNameProblem } from './core/names.js';
import { isTimeZone } from './core/serial.js';

export const DEFAULT_CONFIG = '/etc/zonerw/zonerw.toml';

export type NameserverKind = 'nsd' | 'bind' | 'none';
export type CheckzoneMode = 'auto' | 'always' | 'never';

export interface HttpCheckConfig {
  url: string;
  host?: string;
  expectStatus?: number[];
  timeoutMs: number;
  attempts: number;
}

export interface ServerConfig {
  name: string;
  address: string;
  check?: HttpCheckConfig;
}

export interface Config {
  file: string;
  baseDir: string;
  zoneDir: string;
  stateDir: string;
  /** File name of a zone in zone_dir, with `{zone}` standing for the zone name. */
  zoneFile: string;
  zones?: string[];
  timezone: string;
  onBaseChange: 'publish' | 'warn';
  nameserver: { kind: NameserverKind; control: string[]; checkzone: CheckzoneMode; timeoutMs: number };
  servers: ServerConfig[];
}

const DEFAULT_CONTROL: Record<NameserverKind, string[]> = { nsd: ['nsd-control'], bind: ['rndc'], none: [] };

export async function loadConfig(file: string): Promise<Config> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = err.code === 'ENOENT' ? 'no such file (give --config FILE or set ZONERW_CONFIG)' : err.message;
    throw new ConfigError(path, [what]);
  }
  const { parse } = await import('smol-toml');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const err = e as Error & { line?: number; column?: number };
    const first = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw new ConfigError(path, [`${err.line ?? 1}:${err.column ?? 1}: TOML syntax: ${first}${syntaxHint(first)}`]);
  }
  return validateConfig(raw, path);
}

/** smol-toml's words, plus what the usual slip behind them is. */
function syntaxHint(message: string): string {
  if (/numeric literal|invalid value/.test(message)) return ' (text needs quotes: address = "192.0.2.1", timeout = "5s")';
  if (/redefine/.test(message)) return ' (a key or table is given twice)';
  return '';
}

type Table = Record<string, unknown>;

/** Collects problems while reading typed values out of the parsed TOML. */
class Reader {
  readonly problems: string[] = [];

  problem(key: string, message: string): void {
    this.problems.push(`${key}: ${message}`);
  }

  table(value: unknown, key: string): Table | undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)) {
      return value as Table;
    }
    this.problem(key, `must be a table, not ${describe(value)}`);
    return undefined;
  }

  /** Reports keys the schema does not know, with the nearest known one as a hint. */
  known(t: Table, prefix: string, keys: readonly string[]): void {
    for (const k of Object.keys(t)) {
      if (keys.includes(k)) continue;
      const hint = closest(k, keys);
      this.problem(join(prefix, k), `unknown key${hint ? ` (did you mean ${hint}?)` : ''}`);
    }
  }

  string(t: Table, prefix: string, key: string, required = false): string | undefined {
    const v = t[key];
    if (v === undefined) {
      if (required) this.problem(join(prefix, key), 'missing (required)');
      return undefined;
    }
    if (typeof v === 'string' && v.length > 0 && !v.includes('\0')) return v;
    this.problem(join(prefix, key), `must be a non-empty string, not ${describe(v)}`);
    return undefined;
  }

  oneOf<T extends string>(t: Table, prefix: string, key: string, choices: readonly T[], fallback: T): T {
    const v = t[key];
    if (v === undefined) return fallback;
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    this.problem(join(prefix, key), `must be one of ${choices.map((c) => `"${c}"`).join(', ')}, not ${describe(v)}`);
    return fallback;
  }

  int(t: Table, prefix: string, key: string, min: number, max: number, fallback: number): number {
    const v = t[key];
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max) return v;
    this.problem(join(prefix, key), `must be a whole number from ${min} to ${max}, not ${describe(v)}`);
    return fallback;
  }

  strings(t: Table, prefix: string, key: string): string[] | undefined {
    const v = t[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) {
      this.problem(join(prefix, key), `must be a list of strings, like ["a", "b"], not ${describe(v)}`);
      return undefined;
    }
    const bad = v.flatMap((s, i) => (typeof s === 'string' && s.length > 0 && !s.includes('\0') ? [] : [i]));
    for (const i of bad) {
      const what = typeof v[i] === 'string' && v[i].length > 0 ? 'must not contain a NUL character' : `must be a non-empty string, not ${describe(v[i])}`;
      this.problem(`${join(prefix, key)}[${i}]`, what);
    }
    return bad.length === 0 ? (v as string[]) : undefined;
  }

  /** "10s", "500ms", "2m", or a number of seconds. */
  duration(t: Table, prefix: string, key: string, fallbackMs: number): number {
    const v = t[key];
    if (v === undefined) return fallbackMs;
    const ms = parseDuration(v);
    if (ms !== undefined && ms > 0 && ms <= 3_600_000) return ms;
    this.problem(join(prefix, key), `must be a duration like "500ms", "5s" or "2m" (at most 1h), not ${describe(v)}`);
    return fallbackMs;
  }
}

export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object' && v !== null) return 'a table';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

const TOP_KEYS = ['base_dir', 'zone_dir', 'state_dir', 'zone_file', 'zones', 'timezone', 'on_base_change', 'nameserver', 'check', 'server'] as const;
const NS_KEYS = ['kind', 'control', 'checkzone', 'timeout'] as const;
const CHECK_DEFAULT_KEYS = ['timeout', 'attempts', 'expect_status'] as const;
const SERVER_KEYS = ['name', 'address', 'check'] as const;
const CHECK_KEYS = ['url', 'host', 'expect_status', 'timeout', 'attempts'] as const;

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
  const given = (key: string) => typeof top[key] === 'string' && top[key] !== '';
  if (given('zone_dir') && given('base_dir') && zoneDir === baseDir) r.problem('zone_dir', 'must not be base_dir: zonerw never writes base files');
  if (given('state_dir') && given('base_dir') && stateDir === baseDir) r.problem('state_dir', 'must not be base_dir: zonerw never writes base files');
  if (given('state_dir') && given('zone_dir') && stateDir === zoneDir) r.problem('state_dir', 'must not be zone_dir: the nameserver reads zone_dir, zonerw keeps its state apart');

  const zoneFile = r.string(top, '', 'zone_file') ?? '{zone}';
  if (!zoneFile.includes('{zone}') || /[/\\]/.test(zoneFile)) {
    r.problem('zone_file', `must contain {zone} and no "/", like "{zone}" or "db.{zone}", not ${describe(zoneFile)}`);
  }

  const zones = r.strings(top, '', 'zones');
  if (zones?.length === 0) r.problem('zones', 'is empty: list the zones, or remove the key to manage every *.base in base_dir');
  zones?.forEach((z, i) => {
    const problem = zoneNameProblem(z);
    const first = zones.indexOf(z);
    if (problem) r.problem(`zones[${i}]`, `${problem}: ${describe(z)}`);
    else if (first < i) r.problem(`zones[${i}]`, `${describe(z)} is already zones[${first}]`);
  });

  const timezone = r.string(top, '', 'timezone') ?? 'UTC';
  if (!isTimeZone(timezone)) r.problem('timezone', `unknown time zone ${describe(timezone)} (an IANA name like "UTC" or "Europe/Amsterdam")`);
  const onBaseChange = r.oneOf(top, '', 'on_base_change', ['publish', 'warn'] as const, 'publish');

  const givenNs = r.table(top.nameserver, 'nameserver');
  const nsTable = givenNs ?? {};
  r.known(nsTable, 'nameserver', NS_KEYS);
  const kind = r.oneOf(nsTable, 'nameserver', 'kind', ['nsd', 'bind', 'none'] as const, 'none');
  if (givenNs && nsTable.kind === undefined) r.problem('nameserver.kind', 'missing: "nsd", "bind" or "none"');
  const control = r.strings(nsTable, 'nameserver', 'control') ?? DEFAULT_CONTROL[kind];
  if (kind !== 'none' && control.length === 0) r.problem('nameserver.control', 'must name the control command, like ["nsd-control"]');
  const nameserver = {
    kind,
    control,
    checkzone: r.oneOf(nsTable, 'nameserver', 'checkzone', ['auto', 'always', 'never'] as const, 'auto'),
    timeoutMs: r.duration(nsTable, 'nameserver', 'timeout', 10_000),
  };

  const checkTable = r.table(top.check, 'check') ?? {};
  r.known(checkTable, 'check', CHECK_DEFAULT_KEYS);
  const defaults: CheckDefaults = {
    timeoutMs: r.duration(checkTable, 'check', 'timeout', 5_000),
    attempts: r.int(checkTable, 'check', 'attempts', 1, 10, 2),
    expectStatus: readStatuses(r, checkTable, 'check'),
  };

  const servers = readServers(r, top.server, defaults);
  if (r.problems.length > 0) throw new ConfigError(file, r.problems);
  return {
    file, baseDir, zoneDir, stateDir, zoneFile, timezone, onBaseChange, nameserver, servers,
    ...(zones ? { zones } : {}),
  };
}

function readServers(r: Reader, raw: unknown, defaults: CheckDefaults): ServerConfig[] {
  if (raw === undefined) {
    r.problem('server', 'missing: add at least one [[server]] with name and address');
    return [];
  }
  if (!Array.isArray(raw) || raw.length === 0) {
    r.problem('server', 'must be one or more [[server]] tables');
    return [];
  }
  const servers: ServerConfig[] = [];
  const seen = new Map<string, number>();
  raw.forEach((entry, i) => {
    const prefix = `server[${i}]`;
    const t = r.table(entry, prefix);
    if (!t) return;
    r.known(t, prefix, SERVER_KEYS);
    const name = r.string(t, prefix, 'name', true);
    if (name !== undefined) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) r.problem(`${prefix}.name`, `use letters, digits, '.', '_' and '-', not ${describe(name)}`);
      const first = seen.get(name);
      if (first !== undefined) r.problem(`${prefix}.name`, `"${name}" is already the name of server[${first}]`);
      seen.set(name, i);
    }
    const address = r.string(t, prefix, 'address', true);
    if (address !== undefined && !isIPv4(address)) r.problem(`${prefix}.address`, `not an IPv4 address: ${describe(address)}`);
    const check = readCheck(r, t.check, `${prefix}.check`, defaults);
    if (name !== undefined && address !== undefined) servers.push({ name, address, ...(check ? { check } : {}) });
  });
  return servers;
}

interface CheckDefaults {
  timeoutMs: number;
  attempts: number;
  expectStatus: number[] | undefined;
}

function readCheck(r: Reader, raw: unknown, prefix: string, defaults: CheckDefaults): HttpCheckConfig | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' && (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Date)) {
    r.problem(prefix, `must be a URL string or a table like { url = "http://192.0.2.1/", host = "www.example.com" }, not ${describe(raw)}`);
    return undefined;
  }
  const t: Table | undefined = typeof raw === 'string' ? { url: raw } : r.table(raw, prefix);
  if (!t) return undefined;
  r.known(t, prefix, CHECK_KEYS);
  const url = r.string(t, prefix, 'url', true);
  if (url !== undefined) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      r.problem(`${prefix}.url`, `not a URL: ${describe(url)}`);
    }
    if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      r.problem(`${prefix}.url`, `must be an http:// or https:// URL, not ${describe(url)}`);
    }
  }
  const host = r.string(t, prefix, 'host');
  if (host !== undefined && !/^[A-Za-z0-9_.-]+(:\d+)?$/.test(host)) r.problem(`${prefix}.host`, `not a host name: ${describe(host)}`);
  const expectStatus = readStatuses(r, t, prefix) ?? defaults.expectStatus;
  const check: HttpCheckConfig = {
    url: url ?? '',
    timeoutMs: r.duration(t, prefix, 'timeout', defaults.timeoutMs),
    attempts: r.int(t, prefix, 'attempts', 1, 10, defaults.attempts),
  };
  if (host !== undefined) check.host = host;
  if (expectStatus) check.expectStatus = expectStatus;
  return check;
}

/** `expect_status = 200` or `[200, 204]`; each element checked on its own. */
function readStatuses(r: Reader, t: Table, prefix: string): number[] | undefined {
  const v = t.expect_status;
  if (v === undefined) return undefined;
  const key = join(prefix, 'expect_status');
  const isStatus = (n: unknown) => Number.isInteger(n) && (n as number) >= 100 && (n as number) <= 599;
  if (!Array.isArray(v)) {
    if (isStatus(v)) return [v as number];
    r.problem(key, `must be an HTTP status (100-599) or a list of them, not ${describe(v)}`);
    return undefined;
  }
  if (v.length === 0) {
    r.problem(key, 'is empty: give a status like 200, or remove the key for any 200 to 399');
    return undefined;
  }
  const bad = v.flatMap((n, i) => (isStatus(n) ? [] : [i]));
  for (const i of bad) r.problem(`${key}[${i}]`, `must be an HTTP status (100-599), not ${describe(v[i])}`);
  return bad.length === 0 ? (v as number[]) : undefined;
}
