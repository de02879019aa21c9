// Reads typed values out of parsed TOML while collecting every problem with its key path,
// so that one pass over the file reports all of them.
import { closest } from '../core/names.js';
import { parseDuration } from '../core/format.js';

export type Table = Record<string, unknown>;

/** Collects problems while reading typed values out of the parsed TOML. */
export class Reader {
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
  /** `topLevel`: keys that belong at the top; TOML puts a key written below a [table] header
   *  into that table, the commonest slip in a hand-edited file. */
  known(t: Table, prefix: string, keys: readonly string[], topLevel: readonly string[] = []): void {
    for (const k of Object.keys(t)) {
      if (keys.includes(k)) continue;
      if (topLevel.includes(k)) {
        this.problem(join(prefix, k), `unknown key here: ${k} is a top-level key; move it above the first [table] header`);
        continue;
      }
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

  /** "50%" (or 50) as the fraction 0.5 */
  percent(t: Table, prefix: string, key: string, fallback: number): number {
    const v = t[key];
    if (v === undefined) return fallback;
    const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)%$/.exec(v.trim()) : undefined;
    const n = typeof v === 'number' ? v : m ? Number(m[1]) : Number.NaN;
    if (n >= 0 && n <= 100) return n / 100;
    this.problem(join(prefix, key), `must be a percentage from "0%" to "100%", like "50%", not ${describe(v)}`);
    return fallback;
  }

  bool(t: Table, prefix: string, key: string, fallback: boolean): boolean {
    const v = t[key];
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    this.problem(join(prefix, key), `must be true or false, not ${describe(v)}`);
    return fallback;
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

export function join(prefix: string, key: string): string {
  return prefix ? `${prefix}.${key}` : key;
}

export function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  if (typeof v === 'object' && v !== null) return 'a table';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

