// The one way each kind of value is written for people: durations of operations (formatMs),
// spans of time (formatSpan), instants (utcTime, fileStamp), file-system errors; and the one
// way a duration is read (parseDuration).

/** An operation's duration, precise: 500 -> "500ms", 5000 -> "5s", 1500 -> "1.5s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Number((ms / 1000).toFixed(2))}s`;
}

/** A span of time, rounded for reading: "45s", "12m", "3h 5m", "2d 4h". */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h${m % 60 ? ` ${m % 60}m` : ''}`;
  return `${Math.floor(h / 24)}d${h % 24 ? ` ${h % 24}h` : ''}`;
}

/** "2026-11-22 12:00:00": an instant in UTC, to the second (the caller says "UTC" where it helps). */
export function utcTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/** "20261122T024500Z": an instant in a file name (copies of hand-edited files). */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** "10s", "500ms", "2m", "1.5h", "7d", or a number of seconds; undefined when it is none of these. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v * 1000) : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(v);
  if (!m) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

/** "ENOSPC: no space left on device, write" -> "ENOSPC: no space left on device". */
export function describeFsError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; syscall?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') {
    const cut = message.indexOf(`, ${e.syscall}`);
    if (cut > 0) return message.slice(0, cut);
  }
  return message;
}
