// The configuration as the rest of zonerw sees it: validated, defaults filled in, paths
// absolute. Only src/config builds it.
import type { DnssecSettings } from '../core/dnssec.js';
import { DEFAULT_GROUP } from '../core/markers.js';
import type { AllDown } from '../core/health.js';
import type { HookEventName } from '../core/hooks.js';
import type { NameserverSettings } from '../core/nameserver.js';
import type { ProbeSpec } from '../core/probe.js';
import type { WatchSettings } from './watch.js';

export type { NameserverKind, ValidateMode } from '../core/nameserver.js';
export type AllDownPolicy = AllDown;

/** A server's `check` (or a reference host): how to probe it and how to read the answers. */
export interface ProbeConfig {
  /** what one try sends, as the probe adapters take it */
  spec: ProbeSpec;
  attempts: number;
  /** consecutive down runs before an up server counts as down */
  failAfter: number;
  /** consecutive up runs before a down server counts as up again */
  recoverAfter: number;
  /** `fail_after = "10s"`: also down for at least this long (failAfter is then 2) */
  failAfterMs?: number;
  /** `recover_after = "10s"`: also up for at least this long (recoverAfter is then 2) */
  recoverAfterMs?: number;
  /** `ca`, resolved; loadConfig reads it into spec.ca */
  caFile?: string;
  /** the blackbox module the vantages probe this server with (else the vantage's own for the kind) */
  module?: string;
}

/** A `[[vantage]]`: a blackbox_exporter elsewhere that votes on every server probe (config/vantages.ts). */
export interface VantageConfig {
  name: string;
  /** its base URL, no trailing slash: zonerw asks `${blackbox}/probe?target=…&module=…` */
  blackbox: string;
  /** the module for http(s) checks and for tcp checks */
  modules: { http: string; tcp: string };
}

export interface HookConfig {
  on: HookEventName[];
  /** argv, no shell */
  run: string[];
  timeoutMs: number;
}

export interface Secondary {
  /** as written in the config, for messages */
  name: string;
  host: string;
  port: number;
}

/** `all` for every zone; `byZone` for the zones a table names (the table's "*" is `all`). */
export interface Secondaries {
  all: Secondary[];
  byZone: Record<string, Secondary[]>;
}

/** The `[nameserver]` table: what the adapters take, and where the primary answers queries. */
export interface NameserverConfig extends NameserverSettings {
  /**
   * Where the primary answers DNS queries (`address`, default 127.0.0.1:53 for nsd, bind and
   * knot): asked after each reload whether it serves the new zone, before a publish for the
   * serial it serves, and by status. Undefined when it is not asked (`address = false`, kind "none").
   */
  address?: Secondary;
  /** how long, after a reload, zonerw waits for the primary to serve the new zone */
  serveWaitMs: number;
  /** `signs`: the zones the nameserver signs itself (true: every zone [dnssec] does not sign); their served DNSSEC is watched */
  signs?: true | string[];
}

export interface ServerConfig {
  name: string;
  address: string;
  address6?: string;
  check?: ProbeConfig;
}

/** A service group: the top-level [[server]] tables (`default`), or a [[group]] table. */
export interface GroupConfig {
  name: string;
  /** in order of preference; never empty */
  servers: ServerConfig[];
  /** what to favour when none of its servers is up (a [[group]]'s own, else the top-level all_down) */
  allDown: AllDownPolicy;
}

export interface Config {
  file: string;
  baseDir: string;
  zoneDir: string;
  /** where the nameserver reads a relative `$INCLUDE` path from (NSD's zonesdir, BIND's
   *  `directory`); zone_dir unless set. The checkers run there. */
  includeDir: string;
  stateDir: string;
  /** File name of a zone in zone_dir, with `{zone}` standing for the zone name. */
  zoneFile: string;
  zones?: string[];
  timezone: string;
  onBaseChange: 'publish' | 'warn';
  nameserver: NameserverConfig;
  /** every server of every group, in config order (the default group's first); names are unique */
  servers: ServerConfig[];
  /**
   * Set when the config has [[group]] tables: every service group, the default group (the
   * top-level [[server]] tables) first when there is one. Without it, `servers` are the default
   * group's: use configGroups.
   */
  groups?: GroupConfig[];
  /** hosts unrelated to the servers: when a server looks down and none of these answers,
   *  zonerw's own network is down and it changes nothing */
  reference: ProbeConfig[];
  /** what to favour when no server is up: the default group's, and every [[group]]'s unless it says */
  allDown: AllDownPolicy;
  /** the fraction (0..1) of a zone's records one publish may drop; more is refused without --force */
  maxShrink: number;
  /** nameservers that should serve the zones: asked for their SOA after a publish and by status */
  secondaries: Secondaries;
  /** a secondary still behind makes the run exit 1 */
  strictSecondaries: boolean;
  /** how long a run waits, after publishing, for the secondaries to catch up before saying so */
  secondaryWaitMs: number;
  /** commands run after a run's changes are installed and reloaded, in config order */
  hooks: HookConfig[];
  /** node_exporter textfile: written atomically at the end of every run */
  metricsFile?: string;
  /** `[dnssec]`: zonerw signs the zones (for NSD, which does not) */
  dnssec?: DnssecSettings;
  /** `[[vantage]]` tables, when the config has any */
  vantages?: VantageConfig[];
  /** votes needed for a verdict, by group name; absent: zonerw's own probe decides alone */
  quorum?: Record<string, number>;
  /** `[watch]`: how `zonerw watch` loops (WATCH_DEFAULTS when absent) */
  watch?: WatchSettings;
  /** `ttl_warn_above`, seconds (TTL_WARN_ABOVE_DEFAULT when absent) */
  ttlWarnAbove?: number;
}

/** The service groups of a config: its [[group]] tables and the default group, or the default group alone. */
export function configGroups(cfg: Pick<Config, 'groups' | 'servers' | 'allDown'>): GroupConfig[] {
  return cfg.groups ?? [{ name: DEFAULT_GROUP, servers: cfg.servers, allDown: cfg.allDown }];
}

/** The group a server is in (server names are unique across the groups). */
export function groupOfServer(cfg: Pick<Config, 'groups' | 'servers' | 'allDown'>, server: string): GroupConfig | undefined {
  return configGroups(cfg).find((g) => g.servers.some((s) => s.name === server));
}

export function secondariesFor(cfg: Pick<Config, 'secondaries'>, zone: string): Secondary[] {
  return cfg.secondaries.byZone[zone] ?? cfg.secondaries.all;
}
