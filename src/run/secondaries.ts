// Do the secondaries serve what the primary serves? Each configured secondary is asked for the
// zone's SOA and its marker records until it serves the primary's serial or later (RFC 1982)
// with the same addresses, or the wait runs out. The answers only inform: they never change
// what is published. Used after a publish (propagate.ts) and by status.
import { secondariesFor, type Config, type Secondary } from '../config/types.js';
import { formatSpan } from '../core/format.js';
import { describeVerdict, judge, type Expected, type Verdict } from '../core/served.js';
import type { ZoneQuery } from './ports.js';

const QUERY_TIMEOUT_MS = 1_000;
const POLL_MS = 100;

export interface SecondaryView {
  secondary: Secondary;
  zone: string;
  /** the serial it serves, when it answered */
  served?: number;
  error?: string;
  current: boolean;
  verdict: Verdict;
}

export interface ZoneToWatch {
  zone: string;
  /** what a current secondary serves: the primary's serial (or later) and zonerw's marker records */
  expected: Expected;
  /** published by this run: wait up to secondary_wait for the transfer */
  fresh: boolean;
  /** only these secondaries (the ones behind last time); undefined = all configured */
  only?: readonly string[];
}

/** `clock` is monotonic (performance.now): waiting must not depend on a pinned or stepped wall clock. */
export async function lookAtSecondaries(cfg: Pick<Config, 'secondaries' | 'secondaryWaitMs'>, zones: readonly ZoneToWatch[], dns: ZoneQuery, clock: () => number = () => performance.now()): Promise<SecondaryView[]> {
  const deadline = clock() + cfg.secondaryWaitMs;
  const jobs = zones.flatMap((z) =>
    secondariesFor(cfg, z.zone)
      .filter((s) => !z.only || z.only.includes(s.name))
      .map(async (secondary): Promise<SecondaryView> => {
        for (;;) {
          const view = await askOne(secondary, z, dns);
          if (view.current || !z.fresh || clock() + POLL_MS > deadline) return view;
          await new Promise((r) => setTimeout(r, POLL_MS));
        }
      }),
  );
  return Promise.all(jobs);
}

async function askOne(secondary: Secondary, z: ZoneToWatch, dns: ZoneQuery): Promise<SecondaryView> {
  const names = z.expected.records.map((r) => ({ name: r.name, type: r.type }));
  const answer = await dns(secondary.host, secondary.port, z.zone, names, QUERY_TIMEOUT_MS);
  const verdict = judge(z.expected, answer);
  return {
    secondary, zone: z.zone, current: verdict.current, verdict,
    ...(answer.serial !== undefined ? { served: answer.serial } : {}),
    ...(answer.serial === undefined ? { error: answer.problem ?? 'no answer' } : {}),
  };
}

/**
 * One line for a run: `secondaries behind: example.com: 127.0.0.1:5354 serves serial 2026112201
 * (www.example.com A 192.0.2.1), not serial 2026112202 (www.example.com A 198.51.100.7), for 3m`.
 * `now` is the wall clock when the answers came (a wait of 3 s after a publish shows as 3s).
 */
export function describeLagging(views: readonly SecondaryView[], wanted: (zone: string) => { expected: Expected; publishedAt: number } | undefined, now: number): string | undefined {
  const parts = views.flatMap((v) => {
    if (v.verdict.current) return [];
    const w = wanted(v.zone);
    const words = w ? describeVerdict(v.verdict, w.expected) : 'is behind';
    return [`${v.zone}: ${v.secondary.name} ${words}${w ? `, for ${formatSpan(now - w.publishedAt)}` : ''}`];
  });
  return parts.length === 0 ? undefined : `secondaries behind: ${parts.join('; ')}`;
}
