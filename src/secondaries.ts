// Do the secondaries serve what was published? After a publish, each configured secondary is
// asked for the zone's SOA until it serves the new serial or `secondary_wait` runs out; a
// secondary found behind is asked again on every following run until it catches up, and
// `status` asks them all. The answers only inform: they never change what is published.
import { secondariesFor, type Config, type Secondary } from './config.js';
import type { State } from './state.js';
import type { Deps, Trouble } from './run-types.js';
import { serialGreater } from './core/serial.js';

export type SoaQuery = (host: string, port: number, zone: string, timeoutMs: number) => Promise<{ serial: number } | { error: string }>;

const QUERY_TIMEOUT_MS = 1_000;
const POLL_MS = 100;

export interface SecondaryView {
  secondary: Secondary;
  zone: string;
  /** the serial it serves, when it answered */
  served?: number;
  error?: string;
  current: boolean;
}

export interface ZoneToWatch {
  zone: string;
  serial: number;
  /** published by this run: wait up to secondary_wait for the transfer */
  fresh: boolean;
  /** only these secondaries (the ones behind last time); undefined = all configured */
  only?: readonly string[];
}

/** `clock` is monotonic (performance.now): waiting must not depend on a pinned or stepped wall clock. */
export async function lookAtSecondaries(cfg: Config, zones: readonly ZoneToWatch[], soa: SoaQuery, clock: () => number = () => performance.now()): Promise<SecondaryView[]> {
  const deadline = clock() + cfg.secondaryWaitMs;
  const jobs = zones.flatMap((z) =>
    secondariesFor(cfg, z.zone)
      .filter((s) => !z.only || z.only.includes(s.name))
      .map(async (secondary): Promise<SecondaryView> => {
        for (;;) {
          const view = await askOne(secondary, z.zone, z.serial, soa);
          if (view.current || !z.fresh || clock() + POLL_MS > deadline) return view;
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      }),
  );
  return Promise.all(jobs);
}

async function askOne(secondary: Secondary, zone: string, serial: number, soa: SoaQuery): Promise<SecondaryView> {
  const r = await soa(secondary.host, secondary.port, zone, QUERY_TIMEOUT_MS);
  if ('error' in r) return { secondary, zone, error: r.error, current: false };
  // RFC 1982: a secondary with a serial "greater" than ours is not behind (a newer hand edit, say)
  return { secondary, zone, served: r.serial, current: r.serial === serial || serialGreater(r.serial, serial) };
}

/** One line for a run: `secondaries behind: 127.0.0.1:5354 serves example.com 2026112201, not 2026112202 (for 3m)` */
export function describeLagging(views: readonly SecondaryView[], wanted: (zone: string) => { serial: number; publishedAt: number } | undefined, now: number): string | undefined {
  const behind = views.filter((v) => !v.current);
  if (behind.length === 0) return undefined;
  const parts = behind.map((v) => {
    const w = wanted(v.zone);
    const what = v.served !== undefined ? `serves ${v.zone} ${v.served}` : `does not answer for ${v.zone} (${v.error})`;
    return `${v.secondary.name} ${what}, not ${w?.serial}${w ? ` (for ${minutes(now - w.publishedAt)})` : ''}`;
  });
  return `secondaries behind: ${parts.join('; ')}`;
}

function minutes(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

/**
 * Asks the secondaries for the zones published now (waiting for the transfer) and for the
 * zones some secondary was behind on before; one stderr line for all that are behind.
 */
export async function watchSecondaries(cfg: Config, deps: Deps, state: State, fresh: ReadonlySet<string>, zones: readonly string[], now: number, trouble: Trouble): Promise<void> {
  const watch: ZoneToWatch[] = [];
  for (const zone of zones) {
    const m = state.zones[zone];
    if (!m || m.pending.length > 0 || secondariesFor(cfg, zone).length === 0) continue;
    if (fresh.has(zone)) watch.push({ zone, serial: m.serial, fresh: true });
    else if (m.lagging?.length) watch.push({ zone, serial: m.serial, fresh: false, only: m.lagging });
  }
  if (watch.length === 0) return;
  const views = await lookAtSecondaries(cfg, watch, deps.soa);
  for (const w of watch) {
    const lagging = views.filter((v) => v.zone === w.zone && !v.current).map((v) => v.secondary.name);
    const m = state.zones[w.zone]!;
    if (lagging.length > 0) m.lagging = lagging;
    else delete m.lagging;
    for (const v of views.filter((x) => x.zone === w.zone && x.served !== undefined)) (m.served ??= {})[v.secondary.name] = v.served!;
  }
  const line = describeLagging(views, (zone) => state.zones[zone], now);
  if (line) {
    deps.log.err(line);
    if (cfg.strictSecondaries) trouble.failed = true;
  }
}

