// One TCP check of one server (mail, SSH, Murmur, anything that is not a web server), with
// node:net directly. It never throws: every failure becomes `{ up: false, reason }`.
//
// Up = the connection opens; with `expectBanner`, the first bytes the server sends must start
// with that prefix. One deadline covers the whole try (name lookup, connect, banner), so a
// peer that accepts and never speaks, or drips its banner a byte at a time, cannot hold a
// cron run; at most `maxBytes` of the banner are kept, and the socket is always destroyed.
import type { Socket } from 'node:net';
import { DEFAULT_MAX_BYTES, describeNetError, formatMs, type ProbeResult } from './http-check.js';

export interface TcpProbeSpec {
  host: string;
  port: number;
  timeoutMs: number;
  expectBanner?: string;
  maxBytes?: number;
}

const SHOW_CHARS = 60;

/** The first line of what the server sent, at most 60 characters, quoted. */
function showBanner(bytes: Buffer): string {
  const line = bytes.toString('utf8').split(/\r?\n|\r/, 1)[0] ?? '';
  return quote(line);
}

function quote(text: string): string {
  const chars = [...text];
  const short = chars.length > SHOW_CHARS ? `${chars.slice(0, SHOW_CHARS - 3).join('')}...` : text;
  return JSON.stringify(short);
}

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
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

function isHostName(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  // All digits and dots: meant as an IPv4 address, and not a valid one.
  if (/^[\d.]+$/.test(name)) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
}

/**
 * "192.0.2.1:25" -> { host: "192.0.2.1", port: 25 }, "[2001:db8::1]:22" -> { host: "2001:db8::1",
 * port: 22 }, "mail.example.com:25" -> { host: "mail.example.com", port: 25 }. An IPv6 address
 * needs its brackets. The port is 1-65535, in decimal without leading zeros. Anything else
 * (spaces, a missing port, "192.0.2.300") is undefined.
 */
export function parseHostPort(s: string): { host: string; port: number } | undefined {
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

export async function probeTcp(spec: TcpProbeSpec, clock: () => number = () => performance.now()): Promise<ProbeResult> {
  const start = clock();
  const elapsed = () => Math.max(0, Math.round(clock() - start));
  const down = (reason: string): ProbeResult => ({ up: false, reason, latencyMs: elapsed() });

  const host = spec.host.startsWith('[') && spec.host.endsWith(']') ? spec.host.slice(1, -1) : spec.host;
  if (host === '') return down('no host to connect to');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) return down(`invalid port: ${spec.port}`);
  const timeoutMs = Math.max(0, spec.timeoutMs);
  const maxBytes = spec.maxBytes !== undefined && spec.maxBytes >= 0 ? spec.maxBytes : DEFAULT_MAX_BYTES;
  const prefix = spec.expectBanner !== undefined ? Buffer.from(spec.expectBanner, 'utf8') : undefined;

  let connect: typeof import('node:net').connect;
  try {
    connect = (await import('node:net')).connect;
  } catch (err) {
    return down(describeNetError(err, host));
  }

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let socket: Socket | undefined;
    let connected = false;
    let banner = Buffer.alloc(0);

    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Errors that follow our own destroy() must not become unhandled.
      socket?.on('error', () => {});
      socket?.destroy();
      resolve(result);
    };

    const mismatch = (): ProbeResult => down(`banner ${showBanner(banner)} does not start with ${quote(spec.expectBanner ?? '')}`);

    const timer = setTimeout(() => {
      if (!connected) return finish(down(`timed out after ${formatMs(timeoutMs)}`));
      const got = banner.length > 0 ? ` (got ${showBanner(banner)})` : '';
      finish(down(`timed out after ${formatMs(timeoutMs)} waiting for the banner${got}`));
    }, timeoutMs);

    try {
      socket = connect({ host, port: spec.port });
    } catch (err) {
      return finish(down(describeNetError(err, host)));
    }
    socket.on('error', (err) => finish(down(describeNetError(err, host))));
    socket.once('connect', () => {
      connected = true;
      if (!prefix || prefix.length === 0) finish({ up: true, reason: 'TCP connected', latencyMs: elapsed() });
    });
    if (!prefix || prefix.length === 0) return;

    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      const take = Math.min(chunk.length, maxBytes - banner.length);
      if (take > 0) banner = Buffer.concat([banner, take === chunk.length ? chunk : chunk.subarray(0, take)]);
      // Decide as soon as the bytes so far settle it: a wrong first byte need not wait.
      const n = Math.min(banner.length, prefix.length);
      if (!banner.subarray(0, n).equals(prefix.subarray(0, n))) return finish(mismatch());
      if (banner.length >= prefix.length) {
        return finish({ up: true, reason: `banner ${showBanner(banner)}`, latencyMs: elapsed() });
      }
      // Right so far, but maxBytes ends before the prefix does.
      if (banner.length >= maxBytes) finish(mismatch());
    });
    socket.on('end', () => {
      finish(banner.length > 0 ? mismatch() : down('connection closed without a banner'));
    });
    socket.on('close', () => {
      finish(down(banner.length > 0 ? 'connection closed during the banner' : 'connection closed without a banner'));
    });
  });
}
