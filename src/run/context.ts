// What every step of a run is handed: the config, the options, the ports, the clock reading of
// this run, where it speaks, what it has found wrong so far, and the state it carries.
import type { Config } from '../config/types.js';
import type { HistoryEvent } from '../core/history.js';
import { emptyState, type State } from '../core/state.js';
import { Trouble, type Problem } from '../errors.js';
import type { Deps, HeldLock, Log, RunOptions } from './ports.js';

export interface RunContext {
  cfg: Config;
  opts: RunOptions;
  deps: Deps;
  /** this run's instant: one clock reading for every decision and record */
  now: number;
  /** monotonic start, for the run's duration */
  started: number;
  /** stdout lines that are neither output nor trace (--dry-run's diffs and commands) */
  log: Pick<Log, 'out'>;
  /**
   * Something wrong, said once: its line on stderr (never silenced), an error event in the
   * history (which raises the error hook), and the exit code its kind calls for.
   */
  fail(problem: Problem): void;
  /** Something to know that needs no action: on stderr unless --quiet, recorded in the history
   *  as a warning; not an error (no error hook, no effect on the exit code). */
  warn(line: string): void;
  /** an output line, unless --quiet */
  say(line: string): void;
  /** a -v line */
  trace(line: string): void;
  events: HistoryEvent[];
  /** the lines of this run's errors (they raise the error hook) */
  errors: string[];
  /** read only: the exit code so far; problems are added through fail() */
  readonly trouble: Pick<Trouble, 'exitCode'>;
  state: State;
  lock: HeldLock | undefined;
  /** Before every write: a run that lost its lock writes nothing more (another run owns the files). */
  guard(): void;
}

export function createContext(cfg: Config, opts: RunOptions, deps: Deps, lock: HeldLock | undefined): RunContext {
  const now = deps.now();
  const events: HistoryEvent[] = [];
  const errors: string[] = [];
  const trouble = new Trouble();
  // under --json stdout is the JSON alone: every other line goes to stderr
  const text = (line: string) => (opts.json ? deps.log.err(line) : deps.log.out(line));
  return {
    cfg, opts, deps, now, events, errors, lock, trouble,
    log: { out: (line) => deps.log.out(line) },
    started: performance.now(),
    fail: ({ kind, line, asError }) => {
      deps.log.err(line);
      trouble.add(kind);
      if (asError === false) return;
      errors.push(line);
      events.push({ t: now, type: 'error', message: line });
    },
    say: (line) => !opts.quiet && text(line),
    warn: (line) => {
      if (!opts.quiet) deps.log.err(line);
      events.push({ t: now, type: 'warning', message: line });
    },
    trace: (line) => opts.verbose && text(line),
    state: emptyState(),
    guard: () => {
      const lost = lock?.compromised();
      if (lost) throw lost;
    },
  };
}
