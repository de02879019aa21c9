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

interface Target {
  url: URL;
  https: boolean;
  /** WHATWG URL keeps the brackets of an IPv6 literal; net.connect wants them off. */
  connectHost: string;
  hostHeader: string;
  /** the name the certificate is verified against (and the SNI name unless an address) */
  verifyName: string;
}

type Request = (options: RequestOptions, cb: (res: IncomingMessage) => void) => ClientRequest;

/** Where a probe goes, or why it cannot go anywhere. */
function targetOf(spec: HttpProbeSpec): Target | string {
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return `invalid URL: ${spec.url}`;
  }
  const https = url.protocol === 'https:';
  if (!https && url.protocol !== 'http:') return `unsupported URL scheme: ${url.protocol}`;
  if (url.username || url.password) return 'credentials in the URL are not supported';
  const connectHost = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const hostHeader = spec.host ?? url.host;
  return { url, https, connectHost, hostHeader, verifyName: nameOf(hostHeader) || connectHost };
}

/** node:http or node:https, loaded for the probe that needs it. */
async function requestFor(target: Target): Promise<{ request: Request; checkServerIdentity?: (name: string, cert: PeerCertificate) => Error | undefined }> {
  if (!target.https) return { request: (await import('node:http')).request };
  const [httpsMod, tls] = await Promise.all([import('node:https'), import('node:tls')]);
  return { request: httpsMod.request, checkServerIdentity: (_name, cert) => tls.checkServerIdentity(target.verifyName, cert) };
}

function requestOptions(target: Target, spec: HttpProbeSpec, checkServerIdentity: ((name: string, cert: PeerCertificate) => Error | undefined) | undefined): RequestOptions & Record<string, unknown> {
  const { url, https } = target;
  const options: RequestOptions & Record<string, unknown> = {
    method: 'GET',
    protocol: url.protocol,
    host: target.connectHost,
    port: url.port === '' ? (https ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    agent: false,
    headers: { Host: target.hostHeader, 'User-Agent': 'zonerw', Accept: '*/*', Connection: 'close' },
  };
  // Plain HTTP has no SNI: an empty servername keeps node's agent from working one out of the
  // Host header, which compiles its IPv6 regular expression (~3.5 ms of every cron run).
  if (!https) options.servername = '';
  if (https) {
    // SNI may not carry an IP address (RFC 6066); the certificate is still checked against it.
    if (!isIp(target.verifyName)) options.servername = target.verifyName;
    options.rejectUnauthorized = !spec.insecure;
    options.checkServerIdentity = checkServerIdentity;
    if (spec.ca !== undefined) options.ca = spec.ca;
  }
  return options;
}

export async function probeHttp(spec: HttpProbeSpec, clock: () => number = () => performance.now()): Promise<ProbeResult> {
  const start = clock();
  const elapsed = () => Math.max(0, Math.round(clock() - start));
  const down = (reason: string, status?: number): ProbeResult =>
    status === undefined ? { up: false, reason, latencyMs: elapsed() } : { up: false, reason, status, latencyMs: elapsed() };
  const target = targetOf(spec);
  if (typeof target === 'string') return down(target);
  let loaded: Awaited<ReturnType<typeof requestFor>>;
  try {
    loaded = await requestFor(target);
  } catch (err) {
    return down(describeError(err, target.connectHost, target.https, false));
  }
  return new Promise<ProbeResult>((resolve) => {
    const probe = new HttpAttempt(spec, target, elapsed, down, resolve);
    probe.send(loaded.request, requestOptions(target, spec, loaded.checkServerIdentity));
  });
}

/** One request under one deadline; whatever happens first settles it, and everything is destroyed. */
class HttpAttempt {
  private settled = false;
  private req: ClientRequest | undefined;
  private res: IncomingMessage | undefined;
  private tlsDone = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly spec: HttpProbeSpec,
    private readonly target: Target,
    private readonly elapsed: () => number,
    private readonly down: (reason: string, status?: number) => ProbeResult,
    private readonly resolve: (r: ProbeResult) => void,
  ) {
    const timeoutMs = Math.max(0, spec.timeoutMs);
    this.timer = setTimeout(() => this.finish(down(`timed out after ${formatMs(timeoutMs)}`)), timeoutMs);
  }

  finish(result: ProbeResult): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    // Errors that follow our own destroy() must not become unhandled.
    this.req?.on('error', () => {});
    this.res?.on('error', () => {});
    this.res?.destroy();
    this.req?.destroy();
    this.resolve(result);
  }

  private fail(err: unknown, tls: boolean, status?: number): void {
    this.finish(this.down(describeError(err, this.target.connectHost, this.target.https, tls), status));
  }

  send(request: Request, options: RequestOptions): void {
    try {
      this.req = request(options, (response) => this.read(response));
    } catch (err) {
      // Invalid header values and the like throw synchronously.
      return this.fail(err, false);
    }
    this.req.on('socket', (socket) => socket.once('secureConnect', () => this.checkCertificate(socket as TLSSocket)));
    this.req.on('error', (err) => this.fail(err, this.tlsDone));
    this.req.end();
  }

  private checkCertificate(socket: TLSSocket): void {
    this.tlsDone = true;
    if (this.spec.certMinDays === undefined) return;
    // A verified certificate (or, with insecure, any): how long is it still good for?
    const cert = socket.getPeerCertificate();
    const notAfter = cert && typeof cert.valid_to === 'string' ? Date.parse(cert.valid_to) : Number.NaN;
    const reason = certExpiryReason(notAfter, (this.spec.now ?? Date.now)(), this.spec.certMinDays);
    if (reason !== undefined) this.finish(this.down(reason));
  }

  private read(response: IncomingMessage): void {
    this.res = response;
    const { spec } = this;
    const status = response.statusCode ?? 0;
    const statusOk = spec.expectStatus ? spec.expectStatus.includes(status) : status >= 200 && status <= 399;
    response.on('error', (err) => this.fail(err, true, status));
    if (!statusOk) return this.finish(this.down(`HTTP ${status}`, status));
    const up: ProbeResult = { up: true, reason: `HTTP ${status}`, status, latencyMs: this.elapsed() };
    if (spec.expectBody === undefined || spec.expectBody === '') return this.finish(up);
    this.searchBody(response, Buffer.from(spec.expectBody, 'utf8'), status);
  }

  /**
   * Search each new piece together with the last needle.length - 1 bytes before it, so a match
   * split across chunks is found without keeping or rescanning the whole body.
   */
  private searchBody(response: IncomingMessage, needle: Buffer, status: number): void {
    const maxBytes = this.spec.maxBytes !== undefined && this.spec.maxBytes >= 0 ? this.spec.maxBytes : DEFAULT_MAX_BYTES;
    let tail = Buffer.alloc(0);
    let got = 0;
    const found = () => this.finish({ up: true, reason: `HTTP ${status}`, status, latencyMs: this.elapsed() });
    const notFound = () => this.finish(this.down(`body does not contain ${JSON.stringify(this.spec.expectBody)}`, status));
    response.on('data', (chunk: Buffer) => {
      if (this.settled) return;
      const take = Math.min(chunk.length, maxBytes - got);
      if (take > 0) {
        const window = Buffer.concat([tail, take === chunk.length ? chunk : chunk.subarray(0, take)]);
        got += take;
        if (window.includes(needle)) return found();
        tail = window.subarray(Math.max(0, window.length - (needle.length - 1)));
      }
      if (got >= maxBytes) notFound();
    });
    response.on('end', notFound);
    // Closed before 'end' (an 'end' would have settled): the body was cut short.
    response.on('close', () => this.finish(this.down('connection closed during the body', status)));
  }
}
