// Do the secondaries serve what was published? Each configured secondary is asked for the
// zone's SOA until it serves the wanted serial or the wait runs out. The answers only inform:
// they never change what is published. Used after a publish (propagate.ts) and by status.
import { secondariesFor, type Config, type Secondary } from '../config/types.js';
import { formatSpan } from '../core/format.js';
import { serialGreater } from '../core/serial.js';
import type { SoaQuery } from './ports.js';

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
export async function lookAtSecondaries(cfg: Pick<Config, 'secondaries' | 'secondaryWaitMs'>, zones: readonly ZoneToWatch[], soa: SoaQuery, clock: () => number = () => performance.now()): Promise<SecondaryView[]> {
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
    return `${v.secondary.name} ${what}, not ${w?.serial}${w ? ` (for ${formatSpan(now - w.publishedAt)})` : ''}`;
  });
  return `secondaries behind: ${parts.join('; ')}`;
}
