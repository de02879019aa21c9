// The shapes a run is wired from: its options, its log, the side effects it is handed, and
// the tally of what went wrong.
import { EXIT, type ExitCode } from './errors.js';
import type { HeldLock } from './adapters/lock.js';
import type { PreparedFile } from './adapters/files.js';
import type { Nameserver } from './adapters/nameserver.js';
import type { LoadedState } from './adapters/state-file.js';
import type { CommandResult } from './adapters/command.js';
import type { HistoryEvent } from './core/history.js';
import type { State } from './state.js';
import type { Probe } from './checks.js';
import type { SoaQuery } from './secondaries.js';

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

export interface Deps {
  now(): number;
  probe: Probe;
  lock(stateDir: string): Promise<HeldLock>;
  nameserver: Nameserver;
  files: {
    prepare(path: string, content: string, encoding: BufferEncoding): Promise<PreparedFile>;
    /** prepare + commit, for files outside zone_dir (metrics) */
    install(path: string, content: string): Promise<void>;
    removeStaleTemps(dir: string): Promise<string[]>;
    keepCopy(path: string, suffix: string): Promise<string>;
    syncFolder(dir: string): Promise<void>;
    identity(path: string): string | undefined;
  };
  loadState(stateDir: string): Promise<LoadedState>;
  /** asks a secondary for a zone's SOA serial */
  soa: SoaQuery;
  /** runs a hook's argv (no shell) with extra environment variables */
  runHook(argv: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<CommandResult>;
  appendHistory(stateDir: string, events: readonly HistoryEvent[]): Promise<void>;
  saveState(stateDir: string, state: State): Promise<void>;
  log: Log;
}

/** Everything a run found wrong; the exit code follows the most specific kind. */
export class Trouble {
  config = false;
  baseFile = false;
  failed = false;
  exitCode(): ExitCode {
    return this.config ? EXIT.config : this.baseFile ? EXIT.data : this.failed ? EXIT.failed : EXIT.ok;
  }
}

