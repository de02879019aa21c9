// Test fixtures built from a default with some fields changed: a field given as undefined is
// taken out, so that "no such field" can be said under exactOptionalPropertyTypes (where an
// optional field is either absent or set, never present and undefined).

/** `over` for `overlay`: any field of T, or undefined to take it out. */
export type Overlay<T> = { [K in keyof T]?: T[K] | undefined };

export function overlay<T extends object>(base: T, over: Overlay<T>): T {
  const out: Record<string, unknown> = { ...base, ...over };
  for (const [key, value] of Object.entries(over)) if (value === undefined) delete out[key];
  return out as T;
}
