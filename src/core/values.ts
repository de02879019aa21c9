// What each marker becomes, from the decision: @IP@ the favoured server, @IPS@ the round robin
// of the servers that count as up; the IPv6 forms only when every server has an address6. Each
// service group fills its own markers (`@IP:mail@`), the default group the plain ones.
import { DEFAULT_GROUP, markerKey } from './markers.js';

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
  group: string = DEFAULT_GROUP,
): { values: RenderedValues; unavailable: Record<string, string> } {
  const key = (marker: string) => markerKey(marker, group);
  const values: RenderedValues = { [key('IP')]: favoured.address, [key('IPS')]: pool.map((s) => s.address) };
  const without6 = servers.filter((s) => s.address6 === undefined).map((s) => `"${s.name}"`);
  const unavailable: Record<string, string> = {};
  if (without6.length === 0) {
    values[key('IP6')] = favoured.address6!;
    values[key('IPS6')] = pool.map((s) => s.address6!);
  } else {
    const have = without6.length === 1 ? 'has' : 'have';
    const why = group === DEFAULT_GROUP
      ? `server ${without6.join(', ')} ${have} no address6; add address6 to every [[server]], or use IPv6 markers nowhere`
      : `server ${without6.join(', ')} of group ${group} ${have} no address6; add address6 to every server of the group, or use @IP6:${group}@ and @IPS6:${group}@ nowhere`;
    unavailable[key('IP6')] = why;
    unavailable[key('IPS6')] = why;
  }
  return { values, unavailable };
}

/** One group's servers, and whom its decision favours and pools. */
export interface GroupAddresses {
  name: string;
  servers: readonly ServerAddresses[];
  favoured: ServerAddresses;
  pool: readonly ServerAddresses[];
}

/** The values of every group's markers, together: a zone may use several groups. */
export function groupMarkerValues(groups: readonly GroupAddresses[]): { values: RenderedValues; unavailable: Record<string, string> } {
  const values: RenderedValues = {};
  const unavailable: Record<string, string> = {};
  for (const g of groups) {
    const one = markerValues(g.servers, g.favoured, g.pool, g.name);
    Object.assign(values, one.values);
    Object.assign(unavailable, one.unavailable);
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
