// What a probe of a server (or a reference host) asks and what it finds: the shapes the config
// produces and the probe adapters consume. Types and their one description, nothing more.
import { formatHostPort } from './address.js';

export interface HttpProbeSpec {
  url: string;
  host?: string;
  expectStatus?: readonly number[];
  timeoutMs: number;
  maxBytes?: number;
  expectBody?: string;
  ca?: string;
  insecure?: boolean;
  /** HTTPS only: down when the peer certificate's notAfter is less than this many days away. */
  certMinDays?: number;
  /** Wall clock (ms since the epoch) for `certMinDays`; Date.now by default. */
  now?: () => number;
}

export interface TcpProbeSpec {
  host: string;
  port: number;
  timeoutMs: number;
  expectBanner?: string;
  maxBytes?: number;
}

export type ProbeSpec = ({ kind: 'http' } & HttpProbeSpec) | ({ kind: 'tcp' } & TcpProbeSpec);

export interface ProbeResult {
  up: boolean;
  /** `HTTP 200`, `HTTP 503`, `connection refused`, `timed out after 5s`, ... */
  reason: string;
  status?: number;
  latencyMs: number;
}

/** `http://192.0.2.1/ (Host: www.example.com)` or `tcp://192.0.2.1:25` */
export function describeProbe(spec: ProbeSpec): string {
  if (spec.kind === 'tcp') return `tcp://${formatHostPort(spec)}`;
  return spec.host ? `${spec.url} (Host: ${spec.host})` : spec.url;
}

/**
 * One vote on a server's probe: zonerw's own (vantage `zonerw`) or a blackbox_exporter's.
 * `up` null: the vantage did not answer (refused, timed out, HTTP error, unknown module, no
 * probe_success) and does not vote; `reason` says why, or what it saw.
 */
export interface Vote {
  vantage: string;
  up: boolean | null;
  reason: string;
}

/** What a vantage answered for one probe: probe_success as a vote, or why it gave none. */
export type VantageAnswer = { up: boolean; reason: string } | { error: string };

/** The name zonerw's own vote carries; no [[vantage]] may take it. */
export const OWN_VANTAGE = 'zonerw';
