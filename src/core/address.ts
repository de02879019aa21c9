// Addresses and host:port strings, parsed the one way zonerw parses them: config keys,
// TCP checks, secondaries and reference hosts all go through these.

/** Dotted quad, each part 0-255 in decimal without leading zeros ("192.0.2.300" is not one). */
export function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** RFC 4291 section 2.2 text forms, `::` compression and an embedded IPv4 tail included. */
export function isIPv6(s: string): boolean {
  let groups = s;
  let extra = 0;
  // An embedded IPv4 address at the end stands for two groups: ::ffff:192.0.2.1
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    groups = `${s.slice(0, lastColon + 1)}0`;
    extra = 1;
  }
  const halves = groups.split('::');
  if (halves.length > 2) return false;
  const hex = /^[0-9A-Fa-f]{1,4}$/;
  const count = (h: string): number | undefined => {
    if (h === '') return 0;
    const g = h.split(':');
    return g.every((x) => hex.test(x)) ? g.length : undefined;
  };
  const counts = halves.map(count);
  if (counts.some((c) => c === undefined)) return false;
  const total = (counts as number[]).reduce((a, b) => a + b, 0) + extra;
  return halves.length === 2 ? total <= 7 : total === 8;
}

/** A host name (RFC 1123 section 2.1 labels), with or without the final dot. */
export function isHostName(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  // All digits and dots: meant as an IPv4 address, and not a valid one.
  if (/^[\d.]+$/.test(name)) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

export interface HostPort {
  host: string;
  port: number;
}

/**
 * "192.0.2.1:25" -> { host: "192.0.2.1", port: 25 }, "[2001:db8::1]:22" -> { host: "2001:db8::1",
 * port: 22 }, "mail.example.com:25" -> { host: "mail.example.com", port: 25 }. An IPv6 address
 * needs its brackets. The port is 1-65535, in decimal without leading zeros. Anything else
 * (spaces, a missing port, "192.0.2.300") is undefined.
 */
export function parseHostPort(s: string): HostPort | undefined {
  let host: string;
  let portText: string;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0 || s[end + 1] !== ':') return undefined;
    host = s.slice(1, end);
    portText = s.slice(end + 2);
    if (!isIPv6(host)) return undefined;
  } else {
    const colon = s.indexOf(':');
    if (colon < 0 || s.indexOf(':', colon + 1) >= 0) return undefined;
    host = s.slice(0, colon);
    portText = s.slice(colon + 1);
    if (!isIPv4(host) && !isHostName(host)) return undefined;
  }
  if (!/^[1-9]\d{0,4}$/.test(portText)) return undefined;
  const port = Number(portText);
  return port <= 65535 ? { host, port } : undefined;
}

/** "HOST" or "HOST:PORT" with `defaultPort` when the port is left out (a bare IPv6 address too). */
export function parseHostDefaultPort(s: string, defaultPort: number): HostPort | undefined {
  return parseHostPort(s) ?? parseHostPort(isIPv6(s) ? `[${s}]:${defaultPort}` : `${s}:${defaultPort}`);
}

/** The inverse of parseHostPort: brackets around an IPv6 host. */
export function formatHostPort(hp: HostPort): string {
  return `${hp.host.includes(':') ? `[${hp.host}]` : hp.host}:${hp.port}`;
}
