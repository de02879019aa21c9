// The ports: every side effect a command needs, as the shapes it is handed. The CLI builds the
// real ones from src/adapters (which implement these types); tests hand in fakes. Nothing here
// imports an adapter.
import type { HistoryEvent } from '../core/history.js';
import type { Batching, Step } from '../core/nameserver.js';
import type { ProbeResult, ProbeSpec } from '../core/probe.js';
import type { AddressType, ZoneAnswer } from '../core/served.js';
import type { State } from '../core/state.js';

export type { ZoneAnswer };

export interface RunOptions {
  force: boolean;
  dryRun: boolean;
  verbose: boolean;
  quiet: boolean;
}

export interface Log {
  /** what happened: cron mails it, so only when something did */
  out(line: string): void;
  /** what went wrong */
  err(line: string): void;
}

export type Probe = (spec: ProbeSpec) => Promise<ProbeResult>;

/**
 * Asks a nameserver (the primary, a secondary) what it serves of a zone: the SOA serial, then,
 * when that answered, the addresses of each name in `names` (A or AAAA). UDP, each query with a
 * hard `timeoutMs`; never throws: what went wrong is in the answer.
 */
export type ZoneQuery = (
  host: string,
  port: number,
  zone: string,
  names: readonly { name: string; type: AddressType }[],
  timeoutMs: number,
) => Promise<ZoneAnswer>;

export interface CommandResult {
  ok: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  /** 'exit 0', 'exit 1', 'not found: nsd-control', 'timed out after 10s', 'killed by SIGTERM' */
  reason: string;
}

/** What the zone checker said of one rendered zone. */
export interface Validation {
  ok: boolean;
  /** which checker ran, or undefined when none was available (checkzone = "auto") */
  checker?: string;
  /** the checker's own words, on failure */
  message?: string;
}

export interface Nameserver {
  batching: Batching;
  /** argv of a control step for these zones (none: the zoneless form), for --dry-run and messages */
  command(step: Step, zones: string | readonly string[]): string[] | undefined;
  run(step: Step, zones: string | readonly string[]): Promise<CommandResult>;
  /** runs the nameserver's own checker on a rendered zone file */
  validate(zone: string, file: string): Promise<Validation>;
}

export interface HeldLock {
  release(): Promise<void>;
  /** The reason the lock was lost (its folder removed or its mtime taken over), if it was. */
  compromised(): Error | undefined;
}

/** A file written to a temp name beside its target, not yet in place. */
export interface PreparedFile {
  readonly path: string;
  readonly tempPath: string;
  /** Renames the temp over the path; `syncDir: false` leaves the folder fsync to the caller
   *  (syncFolder once after many renames into the same folder). */
  commit(opts?: { syncDir?: boolean }): Promise<void>;
  /** Remove the temp (nothing happens if it is already gone or was committed). */
  discard(): Promise<void>;
}

/** A private folder for files that are validated but never installed (--dry-run, check). */
export interface Scratch {
  write(name: string, content: string, encoding: BufferEncoding): Promise<string>;
  dispose(): Promise<void>;
}

export interface Files {
  prepare(path: string, content: string, encoding: BufferEncoding): Promise<PreparedFile>;
  /** prepare + commit, for files outside zone_dir (metrics) */
  install(path: string, content: string): Promise<void>;
  removeStaleTemps(dir: string): Promise<string[]>;
  keepCopy(path: string, suffix: string): Promise<string>;
  syncFolder(dir: string): Promise<void>;
  /** size, inode and times: what identifies a file's content without reading it */
  identity(path: string): string | undefined;
  /** the file's text, undefined when it does not exist */
  read(path: string, encoding: BufferEncoding): Promise<string | undefined>;
  /** size in bytes, undefined when it does not exist */
  size(path: string): Promise<number | undefined>;
  /** names in a folder */
  list(dir: string): Promise<string[]>;
  /** device and inode of a folder ("dev:ino"), undefined when it does not exist */
  folderId(path: string): Promise<string | undefined>;
  scratch(): Promise<Scratch>;
}

export interface LoadedState {
  state: State;
  /** set when a damaged state was moved aside and zonerw starts from the zone files */
  warning?: string;
}

export interface Deps {
  now(): number;
  probe: Probe;
  lock(stateDir: string): Promise<HeldLock>;
  nameserver: Nameserver;
  files: Files;
  loadState(stateDir: string): Promise<LoadedState>;
  /** reads the state for status: never moves or writes anything */
  peekState(stateDir: string): Promise<{ state: State; problem?: string }>;
  saveState(stateDir: string, state: State): Promise<void>;
  /** DNS questions to the primary and the secondaries */
  dns: ZoneQuery;
  /** starts loading what `dns` needs, when a run is about to ask (it loads while files are read) */
  warmDns?(): void;
  /** runs a hook's argv (no shell) with extra environment variables */
  runHook(argv: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<CommandResult>;
  appendHistory(stateDir: string, events: readonly HistoryEvent[]): Promise<void>;
  readHistory(stateDir: string): Promise<HistoryEvent[]>;
  /** whether a command can be run (a bare name is looked up on PATH, then in /usr/local/sbin, /usr/sbin, /sbin) */
  findProgram(name: string): Promise<boolean>;
  log: Log;
}
