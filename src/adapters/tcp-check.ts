// One TCP check of one server (mail, SSH, Murmur, anything that is not a web server), with
// node:net directly. It never throws: every failure becomes `{ up: false, reason }`.
//
// Up = the connection opens; with `expectBanner`, the first bytes the server sends must start
// with that prefix. One deadline covers the whole try (name lookup, connect, banner), so a
// peer that accepts and never speaks, or drips its banner a byte at a time, cannot hold a
// cron run; at most `maxBytes` of the banner are kept, and the socket is always destroyed.
import type { Socket } from 'node:net';
import { formatMs } from '../core/format.js';
import type { ProbeResult, TcpProbeSpec } from '../core/probe.js';
import { DEFAULT_MAX_BYTES, describeNetError } from './http-check.js';


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
