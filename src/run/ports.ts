// The ports: every side effect a command needs, as the shapes it is handed. The CLI builds the
// real ones from src/adapters (which implement these types); tests hand in fakes. Nothing here
// imports an adapter.
import type { SignatureAnswer } from '../core/signatures.js';
import type { HistoryEvent, RecordedEvent } from '../core/history.js';
import type { Batching, Step } from '../core/nameserver.js';
import type { CommandResult } from '../core/outcome.js';
import type { ProbeResult, ProbeSpec, VantageAnswer } from '../core/probe.js';
import type { AddressType, ZoneAnswer } from '../core/served.js';
import type { State } from '../core/state.js';

export type { ZoneAnswer };

export interface RunOptions {
  force: boolean;
  dryRun: boolean;
  /** with dryRun: the plan as JSON on stdout, nothing else there */
  json?: boolean;
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

/** Asks a [[vantage]]'s blackbox_exporter to probe `target` with `module`, answering within `timeoutMs`; never throws. */
export type AskVantage = (blackbox: string, target: string, module: string, timeoutMs: number) => Promise<VantageAnswer>;

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

export type { CommandResult };

/** What the zone checker said of one rendered zone. */
export interface Validation {
  ok: boolean;
  /** which checker ran, or undefined when none was available (checkzone = "auto") */
  checker?: string;
  /** the checker's own words, on refusal */
  message?: string;
  /** the checker gave no verdict: killed by the timeout or a signal, or it could not start
   *  (describeOutcome: 'timed out after 10s'); its partial output is not a refusal */
  unfinished?: string;
}

export interface Nameserver {
  batching: Batching;
  /** argv of a control step for these zones (none: the zoneless form), for --dry-run and messages */
  command(step: Step, zones: string | readonly string[]): string[] | undefined;
  run(step: Step, zones: string | readonly string[]): Promise<CommandResult>;
  /** the control command's status (nsd-control status, rndc status, knotc status): does the
   *  nameserver answer it? undefined for kind "none" */
  status(): Promise<{ argv: string[]; result: CommandResult } | undefined>;
  /** runs the nameserver's own checker on a rendered zone file; `cwd`: the folder it reads a relative $INCLUDE from */
  validate(zone: string, file: string, opts?: { cwd?: string }): Promise<Validation>;
}

/** What signing one rendered zone came to: the signed text, verified, or why not. */
export type Signing =
  | { ok: true; text: string; signer: string; verifier: string }
  /** `program`: the signer or the verifier that failed; `message`: its words */
  | { ok: false; program: string; message: string };

/** zonerw's own signer (`[dnssec] sign`), for nameservers that do not sign (NSD). */
export interface Signer {
  /** whether zonerw signs this zone */
  signs(zone: string): boolean;
  /** argv of the signer for a zone (`{out}` shown as given), for --dry-run */
  command(zone: string, inPath: string, outPath: string): string[];
  /** signs the rendered zone file `inPath`, verifies the result, and returns its text;
   *  `includeDir`: where a relative $INCLUDE resolves, as for the nameserver */
  sign(zone: string, inPath: string, opts?: { includeDir?: string }): Promise<Signing>;
  /** what the zone's signatures depend on besides its records (the sign argv, the key files'
   *  identities), as a hash: a change publishes the zone again */
  identity(zone: string): string;
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
  /** a symbolic link `name` in the folder to `target` (kept when it exists already) */
  link(name: string, target: string): Promise<void>;
  dispose(): Promise<void>;
}

/** "Does not exist" (undefined) means ENOENT or ENOTDIR only: any other error reading a path
 *  (EACCES, ELOOP, EIO...) is a RunError naming the path, the user zonerw runs as and the fix. */
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
  /** Why zonerw could not create files in this folder, or write this file (a path that does
   *  not exist yet: in the folder that would hold it), with the fix; undefined when it can. */
  writable(path: string): Promise<string | undefined>;
  /** Why an install could not replace this file keeping its owner (another user's file, a
   *  link), with the fix; undefined when it can, or when there is no such file. */
  replaceable(path: string): Promise<string | undefined>;
}

export interface LoadedState {
  state: State;
  /** set when a damaged state was moved aside and zonerw starts from the zone files */
  warning?: string;
}

/** What a systemd unit lets its runs write (ProtectSystem, ReadWritePaths), from its unit file and drop-ins. */
export interface UnitSandbox {
  files: string[];
  protectSystem?: string;
  readWritePaths: string[];
}

/** The machine, as `zonerw check` asks it (reads only). */
export interface System {
  /** the nameserver daemons running (nsd, named, knotd), each with the user it runs as; `system`: started by the system (its parent is PID 1) */
  runningNameservers(): Promise<{ name: string; uid: number; system: boolean }[]>;
  unitSandbox(unit: string): Promise<UnitSandbox | undefined>;
  /** why the user `uid` cannot read `path` (a folder: list it), or undefined when it can */
  cannotRead(uid: number, path: string): Promise<string | undefined>;
  /** run by systemd (INVOCATION_ID is set) */
  underSystemd(env: Readonly<Record<string, string | undefined>>): boolean;
}

export type { SignatureAnswer };

export interface Deps {
  now(): number;
  probe: Probe;
  /** the [[vantage]] tables' blackbox_exporters (none in a test that has no vantages) */
  askVantage?: AskVantage;
  lock(stateDir: string): Promise<HeldLock>;
  nameserver: Nameserver;
  /** set when the config has [dnssec] sign */
  signer?: Signer;
  files: Files;
  loadState(stateDir: string): Promise<LoadedState>;
  /** reads the state for status: never moves or writes anything; `refused` when a run would
   *  refuse it (written by a newer zonerw) instead of rebuilding it */
  peekState(stateDir: string): Promise<{ state: State; problem?: string; refused?: boolean }>;
  saveState(stateDir: string, state: State): Promise<void>;
  /** DNS questions to the primary and the secondaries */
  dns: ZoneQuery;
  /** starts loading what `dns` needs, when a run is about to ask (it loads while files are read) */
  warmDns?(): void;
  /** runs a hook's argv (no shell) with extra environment variables */
  runHook(argv: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<CommandResult>;
  appendHistory(stateDir: string, events: readonly HistoryEvent[]): Promise<void>;
  /** both history files, oldest first, as recorded (old files may hold `transition` events) */
  readHistory(stateDir: string): Promise<RecordedEvent[]>;
  /** whether a command can be run (a bare name is looked up on PATH, then in /usr/local/sbin, /usr/sbin, /sbin) */
  findProgram(name: string): Promise<boolean>;
  /** the signatures over a zone's SOA a nameserver serves (asked with DO), for status */
  askSignatures?(host: string, port: number, zone: string, timeoutMs: number): Promise<SignatureAnswer>;
  /** for zonerw check (absent in tests that do not ask the machine) */
  system?: System;
  log: Log;
}

/**
 * Trust by ownership and mode (core/trust.ts decides, adapters/trust.ts looks): each call
 * returns one line per path another user than root or zonerw's own could change, with the fix.
 */
export interface Trust {
  /** `path`, every folder above it, and a link's target with its folders. `nameserver`: the
   *  user and group (nsd, bind, knot) that may own and write them too (zone_dir's) */
  path(path: string, what: string, opts?: { nameserver?: string }): Promise<string[]>;
  /** `path` alone, when the caller judged its folder with path(): an entry of base_dir, say (a
   *  link is followed and judged whole, with its target's folders, as path() does) */
  entry(path: string, what: string): Promise<string[]>;
  /** the program of `argv` as a run finds it (a bare name on `searchPath`, then in the sbin
   *  folders; a relative path from `cwd`), the folders searched before it, and the script an
   *  interpreter reads; `file`: where it was found, undefined when it was not */
  program(argv: readonly string[], what: string, opts: { searchPath: string; cwd: string }): Promise<{ file?: string; problems: string[] }>;
}
