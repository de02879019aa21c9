// What each marker becomes, from the decision: @IP@ the favoured server, @IPS@ the round robin
// of the servers that count as up; the IPv6 forms only when every server has an address6.

/** The marker values a zone was rendered with, as the state keeps them (core/markers.ts takes them as MarkerValues). */
export type RenderedValues = Record<string, string | string[]>;

export interface ServerAddresses {
  name: string;
  address: string;
  address6?: string;
}

/**
 * `unavailable` says why a marker has no value this config can give (e.g. @IP6@ while a server
 * lacks address6): a zone that uses it is a configuration problem, reported with that reason.
 */
export function markerValues(
  servers: readonly ServerAddresses[],
  favoured: ServerAddresses,
  pool: readonly ServerAddresses[],
): { values: RenderedValues; unavailable: Record<string, string> } {
  const values: RenderedValues = { IP: favoured.address, IPS: pool.map((s) => s.address) };
  const without6 = servers.filter((s) => s.address6 === undefined).map((s) => `"${s.name}"`);
  const unavailable: Record<string, string> = {};
  if (without6.length === 0) {
    values.IP6 = favoured.address6!;
    values.IPS6 = pool.map((s) => s.address6!);
  } else {
    const why = `server ${without6.join(', ')} ${without6.length === 1 ? 'has' : 'have'} no address6; add address6 to every [[server]], or use IPv6 markers nowhere`;
    unavailable.IP6 = why;
    unavailable.IPS6 = why;
  }
  return { values, unavailable };
}

/** Every marker a zone was last rendered with still has the value it had (markers it does not use aside). */
export function valuesStillHold(before: RenderedValues, now: RenderedValues): boolean {
  for (const [marker, was] of Object.entries(before)) {
    const is = now[marker];
    if (is === undefined) return false;
    if (Array.isArray(was) || Array.isArray(is)) {
      if (!Array.isArray(was) || !Array.isArray(is) || was.join(' ') !== is.join(' ')) return false;
    } else if (was !== is) return false;
  }
  return true;
}
