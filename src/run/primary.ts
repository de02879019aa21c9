// Ask the primary what it serves, at `[nameserver] address`: before a publish, for the serial it
// serves (a new serial goes above it); after a reload, until it serves the new zone or
// serve_wait runs out (reload commands return before the data is live); and for status. The
// judging is core/served.ts's; this asks, polls and words the outcome. A run that publishes
// nothing and owes nothing never gets here: a steady run sends no query.
import { secondariesFor, type Config } from '../config/types.js';
import { serialGreater } from '../core/serial.js';
import { formatMs } from '../core/format.js';
import type { ZoneMemory } from '../core/zone-plan.js';
import { describeVerdict, judge, type Expected, type Verdict, type ZoneAnswer } from '../core/served.js';
import { failed } from '../errors.js';
import type { RunContext } from './context.js';
import { displayPath, zoneFilePath } from './paths.js';
import { mapLimit } from './map-limit.js';
import type { ZoneQuery } from './ports.js';
import { rememberPrimary, rememberPrimarySilent } from './remember.js';

/** Each query's hard limit (loopback answers in well under a millisecond). */
export const QUERY_TIMEOUT_MS = 1_000;
/** Pauses between two questions while waiting for a reload to go live: 2, 4, 8, 16, 32, 64, then 100 ms. */
const pause = (attempt: number) => Math.min(100, 2 * 2 ** attempt);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What zonerw meant to publish for a zone: its serial and its marker records. */
export function expectedOf(m: Pick<ZoneMemory, 'serial' | 'expect'>): Expected {
  return { serial: m.serial, records: m.expect ?? [] };
}

const namesOf = (e: Expected) => e.records.map((r) => ({ name: r.name, type: r.type }));

/**
 * The highest serial the primary and the zone's secondaries serve now, for zones about to be
 * published: the new serial must go above it (a signer that numbered ahead never receives a
 * lower one; a secondary that kept a higher serial than a restarted primary's would never
 * transfer a lower one, RFC 1982). A server that does not answer is left out (and not asked again
 * for the other zones): the other sources of the serial still hold. `ahead` hears of each zone
 * where a secondary serves a serial above the primary's.
 */
export async function servedSerials(cfg: Pick<Config, 'nameserver'> & Partial<Pick<Config, 'secondaries'>>, dns: ZoneQuery, zones: readonly string[], ahead?: (line: string) => void): Promise<Map<string, number>> {
  const at = cfg.nameserver.address;
  const served = new Map<string, number>();
  if (zones.length === 0) return served;
  const silent = new Set<string>(); // nothing answered there: do not wait once per zone
  const ask = async (host: string, port: number, name: string, zone: string) => {
    if (silent.has(name)) return undefined;
    const answer = await dns(host, port, zone, [], QUERY_TIMEOUT_MS);
    if (!answer.answered) silent.add(name);
    return answer.serial;
  };
  await mapLimit(zones, 32, async (zone) => {
    const primary = at ? await ask(at.host, at.port, at.name, zone) : undefined;
    let top = primary;
    const secondaries = cfg.secondaries ? secondariesFor(cfg as Pick<Config, 'secondaries'>, zone) : [];
    for (const s of secondaries) {
      const serial = await ask(s.host, s.port, s.name, zone);
      if (serial === undefined) continue;
      if (primary !== undefined && serialGreater(serial, primary)) {
        ahead?.(`${zone}: secondary ${s.name} serves serial ${serial}, above the primary's ${primary}: the new serial goes above it, so that the secondary transfers it`);
      }
      if (top === undefined || serialGreater(serial, top)) top = serial;
    }
    if (top !== undefined) served.set(zone, top);
  });
  return served;
}

/**
 * After a reload that the control command reported done: asks the primary, polling until
 * serve_wait runs out, whether it serves each zone's new serial (or later) and its marker
 * records. Returns the zones it serves (their serial remembered); each other zone gets one stderr
 * line saying what the primary serves instead and where to look, and makes the run exit 1 (its
 * reload stays pending, so the next run retries it). Without an address, every zone counts as served.
 */
export async function confirmServed(ctx: RunContext, zones: readonly string[]): Promise<string[]> {
  const at = ctx.cfg.nameserver.address;
  if (!at || zones.length === 0) return [...zones];
  const started = performance.now();
  const deadline = started + ctx.cfg.nameserver.serveWaitMs;
  let silent: ZoneAnswer | undefined; // nothing answered until the deadline: the other zones need not wait too
  const results = await mapLimit(zones, 16, async (zone) => {
    const expected = expectedOf(ctx.state.zones[zone]!);
    for (let attempt = 0; ; attempt++) {
      const answer = silent ?? (await ctx.deps.dns(at.host, at.port, zone, namesOf(expected), Math.max(100, Math.min(QUERY_TIMEOUT_MS, deadline - performance.now()))));
      const verdict = judge(expected, answer);
      const waited = performance.now() - started;
      if (verdict.current || silent || performance.now() + pause(attempt) >= deadline) {
        if (!verdict.current && !answer.answered) silent = answer;
        return { zone, expected, verdict, waited };
      }
      await sleep(pause(attempt));
    }
  });
  const served: string[] = [];
  for (const { zone, expected, verdict, waited } of results) {
    if (verdict.current) {
      rememberPrimary(ctx.state, zone, verdict.serial, ctx.now);
      ctx.trace(`${zone}: the primary ${at.name} serves serial ${verdict.serial} (${Math.round(waited)} ms after the reload)`);
      served.push(zone);
      continue;
    }
    if (verdict.why === 'no answer') rememberPrimarySilent(ctx.state, zone);
    ctx.fail(failed(describeUnserved(zone, at.name, verdict, expected, displayPath(ctx.cfg, zoneFilePath(ctx.cfg, zone)), waited)));
  }
  return served;
}

/**
 * One line for a zone the primary does not serve after its reload: what it serves instead, and
 * where to look. `example.com: not published: the primary 127.0.0.1:53 serves serial 2026112201
 * (www.example.com A 192.0.2.1), not serial 2026112202 (www.example.com A 198.51.100.7), 5s after
 * the reload; ...`
 */
export function describeUnserved(zone: string, address: string, verdict: Extract<Verdict, { current: false }>, expected: Expected, file: string, waitedMs: number): string {
  const advice =
    verdict.why === 'no answer'
      ? `set nameserver.address to where the nameserver listens ("HOST:PORT"), or to false if zonerw cannot query it`
      : `look in the nameserver's log, check that it can read ${file} (the file's permissions, the nameserver's user) and that its config loads that file for ${zone}`;
  // nothing answering says nothing of what the nameserver loaded: the zone is installed and
  // reloaded, its being served is not known (a wrong address port, a primary stopped)
  const head = verdict.why === 'no answer' ? 'installed and reloaded, but not confirmed as served:' : 'not published:';
  return `${zone}: ${head} the primary ${address} ${describeVerdict(verdict, expected)}, ${formatMs(waitedMs)} after the reload; ${advice}; the reload is retried on the next run`;
}

/** What the primary serves of a zone right now, for status (one question, no waiting). */
export async function askPrimary(cfg: Pick<Config, 'nameserver'>, dns: ZoneQuery, zone: string, m: Pick<ZoneMemory, 'serial' | 'expect'>): Promise<{ verdict: Verdict; answer: ZoneAnswer } | undefined> {
  const at = cfg.nameserver.address;
  if (!at) return undefined;
  const expected = expectedOf(m);
  const answer = await dns(at.host, at.port, zone, namesOf(expected), QUERY_TIMEOUT_MS);
  return { verdict: judge(expected, answer), answer };
}

/**
 * What a zone's secondaries are compared with: what the primary serves. The primary serving
 * what is installed: its serial (a signer's is above zonerw's) and zonerw's addresses. The
 * primary behind (its reload not loaded): the serial it serves, no addresses; a secondary at
 * that serial is current with its primary, and the primary's reload is what to fix. Not asked
 * or no answer: the serial the primary last served, or the installed one.
 */
export function secondaryReference(m: Pick<ZoneMemory, 'serial' | 'expect' | 'primarySerial'>, asked: { verdict: Verdict; answer: ZoneAnswer } | undefined): { serial: number; records: NonNullable<ZoneMemory['expect']>; primaryBehind: boolean } {
  if (asked?.verdict.current) return { serial: asked.verdict.serial, records: m.expect ?? [], primaryBehind: false };
  if (asked?.answer.serial !== undefined) return { serial: asked.answer.serial, records: [], primaryBehind: true };
  return { serial: m.primarySerial ?? m.serial, records: m.expect ?? [], primaryBehind: false };
}
