// YYYYMMDDSS serials and RFC 1982 serial number arithmetic. Pure: the date is an input.

/** 2^32: SOA serials are unsigned 32-bit numbers (RFC 1035 section 3.3.13). */
const MOD = 0x1_0000_0000;
const HALF = 0x8000_0000;

export interface CalendarDate {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/** True when `a` is greater than `b` in RFC 1982 (section 3.2) serial number arithmetic. */
export function serialGreater(a: number, b: number): boolean {
  return (a < b && b - a > HALF) || (a > b && a - b < HALF);
}

/** RFC 1982 section 3.1: addition modulo 2^32 (n must be below 2^31). */
export function serialAdd(s: number, n: number): number {
  return (s + n) % MOD;
}

/** The highest of the known serials by RFC 1982 order, or undefined when there is none. */
export function highestSerial(serials: readonly (number | undefined)[]): number | undefined {
  let best: number | undefined;
  for (const s of serials) {
    if (s === undefined) continue;
    if (best === undefined || serialGreater(s, best)) best = s;
  }
  return best;
}

export function isSerial(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n < MOD;
}

/** The first serial of a day: YYYYMMDD00. */
export function dayStart(date: CalendarDate): number {
  return (date.year * 10_000 + date.month * 100 + date.day) * 100;
}

export interface NextSerial {
  serial: number;
  /** Set when the serial does not fall on today's date: more than 100 changes today, or an
   *  earlier serial was already ahead of the date. It still increases; the date part lies. */
  aheadOfDate: boolean;
}

/**
 * max(today * 100, previous + 1), where "max" is RFC 1982's order so that a previous serial
 * near 2^32 wraps to a value secondaries still see as newer, and a previous serial ahead of
 * the date (clock stepped back, SS passed 99) is followed rather than undercut.
 */
export function nextSerial(previous: number | undefined, today: CalendarDate): NextSerial {
  const start = dayStart(today);
  if (previous === undefined) return { serial: start, aheadOfDate: false };
  const following = serialAdd(previous, 1);
  const serial = serialGreater(start, previous) ? start : following;
  return { serial, aheadOfDate: serial > start + 99 || serial < start };
}

/** The calendar date of `instant` (ms since the epoch) in an IANA time zone. */
export function dateIn(instant: number, timeZone: string): CalendarDate {
  if (timeZone === 'UTC') {
    // The common case, without Intl: its first use loads the time zone data (~15 ms a run).
    const d = new Date(instant);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    calendar: 'gregory',
    numberingSystem: 'latn',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Whether the runtime knows this IANA time zone name. */
export function isTimeZone(name: string): boolean {
  if (name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
