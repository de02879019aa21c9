// What every step of a run is handed: the config, the options, the ports, the clock reading of
// this run, where it speaks, what it has found wrong so far, and the state it carries.
import type { Config } from '../config/types.js';
import type { HistoryEvent } from '../core/history.js';
import { emptyState, type State } from '../core/state.js';
import { Trouble } from '../errors.js';
import type { Deps, HeldLock, Log, RunOptions } from './ports.js';

export interface RunContext {
  cfg: Config;
  opts: RunOptions;
  deps: Deps;
  /** this run's instant: one clock reading for every decision and record */
  now: number;
  /** monotonic start, for the run's duration */
  started: number;
  /** stderr lines are also history events (and raise the error hook) */
  log: Log;
  /** Something to know that needs no action: on stderr unless --quiet, recorded in the history
   *  as a warning; not an error (no error hook, no effect on the exit code). */
  warn(line: string): void;
  /** an output line, unless --quiet */
  say(line: string): void;
  /** a -v line */
  trace(line: string): void;
  events: HistoryEvent[];
  errors: string[];
  trouble: Trouble;
  state: State;
  lock: HeldLock | undefined;
  /** Before every write: a run that lost its lock writes nothing more (another run owns the files). */
  guard(): void;
}

export function createContext(cfg: Config, opts: RunOptions, deps: Deps, lock: HeldLock | undefined): RunContext {
  const now = deps.now();
  const events: HistoryEvent[] = [];
  const errors: string[] = [];
  const log: Log = {
    out: (line) => deps.log.out(line),
    err: (line) => {
      deps.log.err(line);
      errors.push(line);
      events.push({ t: now, type: 'error', message: line });
    },
  };
  return {
    cfg, opts, deps, now, log, events, errors, lock,
    started: performance.now(),
    say: (line) => !opts.quiet && log.out(line),
    warn: (line) => {
      if (!opts.quiet) deps.log.err(line);
      events.push({ t: now, type: 'warning', message: line });
    },
    trace: (line) => opts.verbose && log.out(line),
    trouble: new Trouble(),
    state: emptyState(),
    guard: () => {
      const lost = lock?.compromised();
      if (lost) throw lost;
    },
  };
}
