// The probe part of the config (its keys say `check`): `[check]` defaults, each server's `check`, and `reference`.
// A check is either `url` (HTTP/HTTPS) or `tcp` ("host:port"); every key of `[check]` can be
// overridden in a server's own check table.
import { resolve } from 'node:path';
import { formatHostPort, parseHostPort } from '../core/address.js';
import { parseDuration } from '../core/format.js';
import { describe, join, Reader, type Table } from './reader.js';
import type { ProbeConfig } from './types.js';

/** The keys `[check]` sets for every check, and a server's check may override. */
const SHARED_KEYS = ['timeout', 'attempts', 'expect_status', 'fail_after', 'recover_after', 'expect_body', 'max_bytes', 'ca', 'insecure', 'cert_min_days'] as const;
export const CHECK_DEFAULT_KEYS = SHARED_KEYS;
const CHECK_KEYS = ['url', 'tcp', 'host', 'expect_banner', 'module', ...SHARED_KEYS] as const;
/** Keys of `[check]` and a [[group]]'s check that are no server's own (config/vantages.ts reads them). */
const DEFAULTS_ONLY_KEYS = ['quorum'] as const;

/** `[check]` as read: every shared key, with the built-in defaults filled in. */
export interface ProbeDefaults {
  table: Table;
  dir: string;
}

export function readProbeDefaults(r: Reader, raw: unknown, dir: string, topLevel: readonly string[]): ProbeDefaults {
  const table = r.table(raw, 'check') ?? {};
  r.known(table, 'check', [...CHECK_DEFAULT_KEYS, ...DEFAULTS_ONLY_KEYS], topLevel);
  // Validate [check]'s own values once, with [check] key paths, so a wrong default is not
  // reported again for every server that inherits it.
  readShared(r, table, {}, 'check', dir);
  return { table, dir };
}

/**
 * A [[group]]'s `check`: defaults for its servers' checks, over [check]; its own values are
 * validated once, with its key path (`group[0].check.fail_after`).
 */
export function readGroupProbeDefaults(r: Reader, raw: unknown, prefix: string, defaults: ProbeDefaults): ProbeDefaults {
  const table = raw === undefined ? undefined : r.table(raw, prefix);
  if (!table) return defaults;
  const own = ['url', 'tcp', 'host', 'expect_banner', 'module'].filter((k) => table[k] !== undefined);
  for (const k of own) r.problem(`${prefix}.${k}`, "is a server's own: put it in the check of each [[group.server]]; the group's check holds defaults only");
  r.known(Object.fromEntries(Object.entries(table).filter(([k]) => !own.includes(k))), prefix, [...CHECK_DEFAULT_KEYS, ...DEFAULTS_ONLY_KEYS]);
  readShared(r, table, {}, prefix, defaults.dir);
  return { table: { ...defaults.table, ...table }, dir: defaults.dir };
}

interface Shared {
  timeoutMs: number;
  attempts: number;
  failAfter: number;
  recoverAfter: number;
  failAfterMs?: number;
  recoverAfterMs?: number;
  expectStatus?: number[];
  expectBody?: string;
  maxBytes: number;
  caFile?: string;
  insecure: boolean;
  certMinDays?: number;
}

/**
 * `fail_after` / `recover_after`: a number of runs in a row (1-100), or a time like "10s": then
 * the result must hold that long and over at least two probes (core/health.ts).
 */
function readRunsOrTime(r: Reader, t: Table, prefix: string, key: string, fallback: number): { runs: number; ms?: number } {
  const v = t[key];
  if (typeof v !== 'string') return { runs: r.int(t, prefix, key, 1, 100, fallback) };
  const ms = parseDuration(v);
  if (ms !== undefined && ms > 0 && ms <= 86_400_000) return { runs: 2, ms };
  r.problem(join(prefix, key), `must be a number of runs in a row (1 to 100) or a time like "10s" or "2m" (at most 1d), not ${describe(v)}`);
  return { runs: fallback };
}

function failAfter(v: { runs: number; ms?: number }): Pick<Shared, 'failAfter' | 'failAfterMs'> {
  return { failAfter: v.runs, ...(v.ms !== undefined ? { failAfterMs: v.ms } : {}) };
}

function recoverAfter(v: { runs: number; ms?: number }): Pick<Shared, 'recoverAfter' | 'recoverAfterMs'> {
  return { recoverAfter: v.runs, ...(v.ms !== undefined ? { recoverAfterMs: v.ms } : {}) };
}

/** The shared keys of `t`, falling back to `defaults` (the [check] table), then built-ins. */
function readShared(r: Reader, t: Table, defaults: Table, prefix: string, dir: string): Shared {
  // Keys the server's table does not set come from [check], already validated there: read
  // them with a throwaway reader so their problems are not reported twice.
  const pick = <T>(key: string, read: (reader: Reader, table: Table, p: string) => T): T =>
    t[key] !== undefined ? read(r, t, prefix) : read(new Reader(), defaults, 'check');
  const shared: Shared = {
    timeoutMs: pick('timeout', (x, tb, p) => x.duration(tb, p, 'timeout', 5_000)),
    attempts: pick('attempts', (x, tb, p) => x.int(tb, p, 'attempts', 1, 10, 2)),
    ...failAfter(pick('fail_after', (x, tb, p) => readRunsOrTime(x, tb, p, 'fail_after', 1))),
    ...recoverAfter(pick('recover_after', (x, tb, p) => readRunsOrTime(x, tb, p, 'recover_after', 2))),
    maxBytes: pick('max_bytes', (x, tb, p) => x.int(tb, p, 'max_bytes', 1, 64 * 1024 * 1024, 64 * 1024)),
    insecure: pick('insecure', (x, tb, p) => x.bool(tb, p, 'insecure', false)),
  };
  const expectStatus = pick('expect_status', readStatuses);
  if (expectStatus) shared.expectStatus = expectStatus;
  const expectBody = pick('expect_body', (x, tb, p) => x.string(tb, p, 'expect_body'));
  if (expectBody !== undefined) shared.expectBody = expectBody;
  const ca = pick('ca', (x, tb, p) => x.string(tb, p, 'ca'));
  if (ca !== undefined) shared.caFile = resolve(dir, ca);
  const certMinDays = pick('cert_min_days', (x, tb, p) => (tb.cert_min_days === undefined ? undefined : x.int(tb, p, 'cert_min_days', 1, 3650, 14)));
  if (certMinDays !== undefined) shared.certMinDays = certMinDays;
  return shared;
}

/**
 * A server's `check`: a URL string, or a table with `url` or `tcp`. `defaults` is [check].
 * Returns undefined (with problems recorded) when it cannot be read.
 */
export function readProbe(r: Reader, raw: unknown, prefix: string, defaults: ProbeDefaults): ProbeConfig | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' && (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Date)) {
    r.problem(prefix, `must be a URL string or a table like { url = "http://192.0.2.1/", host = "www.example.com" }, not ${describe(raw)}`);
    return undefined;
  }
  const t: Table | undefined = typeof raw === 'string' ? { url: raw } : r.table(raw, prefix);
  if (!t) return undefined;
  r.known(t, prefix, CHECK_KEYS);
  if (t.url !== undefined && t.tcp !== undefined) r.problem(prefix, 'has both url and tcp: give one');
  if (t.url === undefined && t.tcp === undefined) {
    r.problem(prefix, 'needs url = "http://ADDRESS/..." or tcp = "ADDRESS:PORT"');
    return undefined;
  }
  const shared = readShared(r, t, defaults.table, prefix, defaults.dir);
  const host = r.string(t, prefix, 'host');
  if (host !== undefined && !/^[A-Za-z0-9_.-]+(:\d+)?$/.test(host)) r.problem(`${prefix}.host`, `not a host name: ${describe(host)}`);
  const module = r.string(t, prefix, 'module');
  const times = { ...(shared.failAfterMs !== undefined ? { failAfterMs: shared.failAfterMs } : {}), ...(shared.recoverAfterMs !== undefined ? { recoverAfterMs: shared.recoverAfterMs } : {}) };
  const base = { attempts: shared.attempts, failAfter: shared.failAfter, recoverAfter: shared.recoverAfter, ...times, ...(shared.caFile ? { caFile: shared.caFile } : {}), ...(module !== undefined ? { module } : {}) };

  if (t.tcp !== undefined) {
    const target = r.string(t, prefix, 'tcp');
    const hp = target === undefined ? undefined : parseHostPort(target);
    if (target !== undefined && !hp) r.problem(`${prefix}.tcp`, `must be "ADDRESS:PORT", like "192.0.2.1:25" or "[2001:db8::1]:22", not ${describe(target)}`);
    // (url beside tcp is already reported above: "give one")
    for (const k of ['expect_status', 'expect_body', 'ca', 'insecure', 'cert_min_days', 'host'] as const) {
      if (t[k] !== undefined) r.problem(`${prefix}.${k}`, 'applies to url checks, not tcp');
    }
    const banner = r.string(t, prefix, 'expect_banner');
    return { ...base, spec: { kind: 'tcp', host: hp?.host ?? '', port: hp?.port ?? 0, timeoutMs: shared.timeoutMs, maxBytes: shared.maxBytes, ...(banner !== undefined ? { expectBanner: banner } : {}) } };
  }

  const url = r.string(t, prefix, 'url', true);
  if (url !== undefined) urlProblem(r, `${prefix}.url`, url, ['http:', 'https:']);
  if (t.expect_banner !== undefined) r.problem(`${prefix}.expect_banner`, 'applies to tcp checks, not url');
  const https = url?.startsWith('https:') ?? false;
  if (!https) {
    for (const k of ['ca', 'insecure', 'cert_min_days'] as const) {
      if (t[k] !== undefined) r.problem(`${prefix}.${k}`, 'applies to https:// URLs only');
    }
  }
  return {
    ...(https ? base : { attempts: base.attempts, failAfter: base.failAfter, recoverAfter: base.recoverAfter, ...times, ...(module !== undefined ? { module } : {}) }),
    spec: {
      kind: 'http',
      url: url ?? '',
      timeoutMs: shared.timeoutMs,
      maxBytes: shared.maxBytes,
      ...(host !== undefined ? { host } : {}),
      ...(shared.expectStatus ? { expectStatus: shared.expectStatus } : {}),
      ...(shared.expectBody !== undefined ? { expectBody: shared.expectBody } : {}),
      ...(https && shared.insecure ? { insecure: true } : {}),
      ...(https && shared.certMinDays !== undefined ? { certMinDays: shared.certMinDays } : {}),
    },
  };
}

/** `reference = ["http://...", "tcp://host:port"]`: hosts that have nothing to do with the servers. */
export function readReferences(r: Reader, top: Table, defaults: ProbeDefaults): ProbeConfig[] {
  const list = r.strings(top, '', 'reference') ?? [];
  return list.flatMap((ref, i): ProbeConfig[] => {
    const key = `reference[${i}]`;
    if (ref.startsWith('tcp://')) {
      const hp = parseHostPort(ref.slice('tcp://'.length).replace(/\/$/, ''));
      if (!hp) {
        r.problem(key, `must be "tcp://ADDRESS:PORT", not ${describe(ref)}`);
        return [];
      }
      return [readProbe(new Reader(), { tcp: formatHostPort(hp) }, key, defaults)!];
    }
    if (!urlProblem(r, key, ref, ['http:', 'https:'])) return [];
    return [readProbe(new Reader(), { url: ref }, key, defaults)!];
  });
}

function urlProblem(r: Reader, key: string, url: string, schemes: string[]): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    r.problem(key, `not a URL: ${describe(url)}`);
    return false;
  }
  if (!schemes.includes(parsed.protocol)) {
    r.problem(key, `must be an http:// or https:// URL${key.startsWith('reference') ? ' or tcp://ADDRESS:PORT' : ''}, not ${describe(url)}`);
    return false;
  }
  return true;
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
