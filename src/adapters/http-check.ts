// One HTTP(S) check of one server, with node:http / node:https directly (got costs ~110 ms
// of start-up per run). It never throws: every failure becomes `{ up: false, reason }`.
//
// The URL normally holds the server's address; `host` gives the Host header and, for HTTPS,
// the SNI name and the name the certificate is verified against. No keep-alive, no retries,
// no redirects (a 3xx is an answer). One deadline covers the whole try: DNS, connect, TLS,
// headers and body, so a peer that accepts and never answers, drips bytes, or streams an
// endless body cannot hold a cron run.
//
// With `certMinDays`, an HTTPS certificate that expires less than that many days from now
// (the `now` wall clock, Date.now by default) is down too, even when it verifies, so the
// expiry shows up in the output while the main server still works.
import { formatMs } from '../core/format.js';
import type { HttpProbeSpec, ProbeResult } from '../core/probe.js';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';


export const DEFAULT_MAX_BYTES = 65536;
const DAY_MS = 86_400_000;


/** "example.com:8443" -> "example.com", "[2001:db8::1]:443" -> "2001:db8::1". */
function nameOf(hostHeader: string): string {
  const h = hostHeader.trim();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(':');
  // More than one colon: a bare IPv6 address, not host:port.
  if (colon >= 0 && h.indexOf(':', colon + 1) < 0) return h.slice(0, colon);
  return h;
}

function isIp(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_|DEPTH_ZERO|HOSTNAME|ALTNAME/;

function codeAndMessage(err: unknown): { code: string; message: string } {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { code, message };
}

/** The short reason for a socket-level error code, or undefined for one it does not know. */
function knownNetReason(code: string, message: string, hostname: string): string | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return message === 'socket hang up' ? 'connection closed without an answer' : 'connection reset';
    case 'EPIPE':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'ENOTFOUND':
      return `name not found: ${hostname}`;
    case 'EAI_AGAIN':
      return `name lookup failed (temporary): ${hostname}`;
    case 'EHOSTUNREACH':
      return 'no route to host';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'EHOSTDOWN':
      return 'host is down';
    case 'EADDRNOTAVAIL':
      return 'address not available';
  }
  return undefined;
}

function genericReason(code: string, message: string): string {
  const reason = code && !message.includes(code) ? `${code}: ${message}` : message || code || 'unknown error';
  return reason.replace(/\s+/g, ' ').trim();
}

/**
 * The short reason for a failed plain socket (connect, read): "connection refused",
 * "connection reset", "no route to host", "name not found: <host>", ... Shared with tcp-check.
 */
export function describeNetError(err: unknown, hostname: string): string {
  const { code, message } = codeAndMessage(err);
  return knownNetReason(code, message, hostname) ?? genericReason(code, message);
}

function describeError(err: unknown, hostname: string, https: boolean, tlsDone: boolean): string {
  const { code, message } = codeAndMessage(err);
  const known = knownNetReason(code, message, hostname);
  if (known !== undefined) return known;
  if (https && !tlsDone && (TLS_CODE.test(code) || code === 'EPROTO' || /certificate|ssl|tls|handshake/i.test(message))) {
    // "write EPROTO 80CC...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:350:"
    const openssl = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):/.exec(message);
    return `TLS: ${openssl ? openssl[1] : message}`.replace(/\s+/g, ' ').trim();
  }
  if (code.startsWith('HPE_')) return `bad HTTP answer: ${message}`.replace(/\s+/g, ' ').trim();
  return genericReason(code, message);
}

/**
 * Why a certificate that expires at `notAfter` (ms) is too close to its end at `now`, or
 * undefined when it has at least `minDays` days left. Days are whole days, rounded down, so
 * the number shown is always below `minDays`.
 */
export function certExpiryReason(notAfter: number, now: number, minDays: number): string | undefined {
  if (Number.isNaN(notAfter)) return 'certificate has no readable expiry date';
  const left = notAfter - now;
  if (left >= minDays * DAY_MS) return undefined;
  const date = new Date(notAfter).toISOString().slice(0, 10);
  if (left <= 0) return `certificate expired on ${date}`;
  const days = Math.floor(left / DAY_MS);
  return `certificate expires in ${days} day${days === 1 ? '' : 's'} (${date})`;
}

export async function probeHttp(spec: HttpProbeSpec, clock: () => number = () => performance.now()): Promise<ProbeResult> {
  const start = clock();
  const elapsed = () => Math.max(0, Math.round(clock() - start));
  const down = (reason: string, status?: number): ProbeResult =>
    status === undefined ? { up: false, reason, latencyMs: elapsed() } : { up: false, reason, status, latencyMs: elapsed() };

  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return down(`invalid URL: ${spec.url}`);
  }
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return down(`unsupported URL scheme: ${url.protocol}`);
  if (url.username || url.password) return down('credentials in the URL are not supported');
  // WHATWG URL keeps the brackets of an IPv6 literal; net.connect wants them off.
  const connectHost = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const hostHeader = spec.host ?? url.host;
  const verifyName = nameOf(hostHeader) || connectHost;
  const maxBytes = spec.maxBytes !== undefined && spec.maxBytes >= 0 ? spec.maxBytes : DEFAULT_MAX_BYTES;
  const needle = spec.expectBody !== undefined ? Buffer.from(spec.expectBody, 'utf8') : undefined;
  const timeoutMs = Math.max(0, spec.timeoutMs);

  let request: (options: RequestOptions, cb: (res: IncomingMessage) => void) => ClientRequest;
  let checkServerIdentity: ((name: string, cert: PeerCertificate) => Error | undefined) | undefined;
  try {
    if (https) {
      const [httpsMod, tls] = await Promise.all([import('node:https'), import('node:tls')]);
      request = httpsMod.request;
      checkServerIdentity = (_name, cert) => tls.checkServerIdentity(verifyName, cert);
    } else {
      request = (await import('node:http')).request;
    }
  } catch (err) {
    return down(describeError(err, connectHost, https, false));
  }

  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let req: ClientRequest | undefined;
    let res: IncomingMessage | undefined;
    let tlsDone = false;

    const finish = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // Errors that follow our own destroy() must not become unhandled.
      req?.on('error', () => {});
      res?.on('error', () => {});
      res?.destroy();
      req?.destroy();
      resolve(result);
    };

    const timer = setTimeout(() => finish(down(`timed out after ${formatMs(timeoutMs)}`)), timeoutMs);

    const options: RequestOptions & Record<string, unknown> = {
      method: 'GET',
      protocol: url.protocol,
      host: connectHost,
      port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      agent: false,
      headers: {
        Host: hostHeader,
        'User-Agent': 'zonerw',
        Accept: '*/*',
        Connection: 'close',
      },
    };
    if (https) {
      // SNI may not carry an IP address (RFC 6066); the certificate is still checked against it.
      if (!isIp(verifyName)) options.servername = verifyName;
      options.rejectUnauthorized = !spec.insecure;
      options.checkServerIdentity = checkServerIdentity;
      if (spec.ca !== undefined) options.ca = spec.ca;
    }

    try {
      req = request(options, (response) => {
        res = response;
        const status = response.statusCode ?? 0;
        const statusOk = spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status <= 399;
        response.on('error', (err) => finish(down(describeError(err, connectHost, https, true), status)));
        if (!statusOk) return finish(down(`HTTP ${status}`, status));
        const up = (): ProbeResult => ({ up: true, reason: `HTTP ${status}`, status, latencyMs: elapsed() });
        if (!needle) return finish(up());
        if (needle.length === 0) return finish(up());

        // Search each new piece together with the last needle.length - 1 bytes before it, so a
        // match split across chunks is found without keeping or rescanning the whole body.
        let tail = Buffer.alloc(0);
        let got = 0;
        const notFound = (): ProbeResult => down(`body does not contain ${JSON.stringify(spec.expectBody)}`, status);
        response.on('data', (chunk: Buffer) => {
          if (settled) return;
          const take = Math.min(chunk.length, maxBytes - got);
          if (take > 0) {
            const window = Buffer.concat([tail, take === chunk.length ? chunk : chunk.subarray(0, take)]);
            got += take;
            if (window.includes(needle)) return finish(up());
            tail = window.subarray(Math.max(0, window.length - (needle.length - 1)));
          }
          if (got >= maxBytes) finish(notFound());
        });
        response.on('end', () => finish(notFound()));
        response.on('close', () => {
          // Closed before 'end' (an 'end' would have settled): the body was cut short.
          finish(down('connection closed during the body', status));
        });
      });
    } catch (err) {
      // Invalid header values and the like throw synchronously.
      return finish(down(describeError(err, connectHost, https, false)));
    }
    req.on('socket', (socket) => {
      socket.once('secureConnect', () => {
        tlsDone = true;
        if (spec.certMinDays === undefined) return;
        // A verified certificate (or, with insecure, any): how long is it still good for?
        const cert = (socket as TLSSocket).getPeerCertificate();
        const notAfter = cert && typeof cert.valid_to === 'string' ? Date.parse(cert.valid_to) : Number.NaN;
        const reason = certExpiryReason(notAfter, (spec.now ?? Date.now)(), spec.certMinDays);
        if (reason !== undefined) finish(down(reason));
      });
    });
    req.on('error', (err) => finish(down(describeError(err, connectHost, https, tlsDone))));
    req.end();
  });
}
