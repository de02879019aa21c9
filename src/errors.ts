// Typed errors: each carries its exit code (the README, Exit codes), and the CLI turns any of them into
// one stderr line. Plain `Error`s that escape are bugs and exit 70 (EX_SOFTWARE).
import type { Problem, ProblemKind } from './core/zone-outcomes.js';

export type { Problem, ProblemKind };

export const EXIT = {
  ok: 0,
  failed: 1, // a check, zone, install or nameserver command failed (the rest was done)
  usage: 64, // EX_USAGE
  data: 65, // EX_DATAERR: a base file is wrong
  software: 70, // EX_SOFTWARE: a bug in zonerw
  locked: 75, // EX_TEMPFAIL: another run holds the lock
  config: 78, // EX_CONFIG
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class ZonerwError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Every configuration problem at once, each already prefixed with its key path or line. */
export class ConfigError extends ZonerwError {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(problems.map((p) => `${file}: ${p}`).join('\n'), EXIT.config);
  }
}

export class UsageError extends ZonerwError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

export class LockedError extends ZonerwError {
  /** `holder`: who holds it, when the lock says (pid and host) */
  constructor(lockPath: string, staleMs: number, holder?: { pid: number; host: string }) {
    const who = holder ? ` (pid ${holder.pid} on ${holder.host})` : '';
    super(
      `another zonerw run${who} holds the lock ${lockPath}; nothing was done (the lock of a run that died is taken over at once on its own host, else after ${Math.round(staleMs / 1000)} s)`,
      EXIT.locked,
    );
  }
}

/** A failure of one step (install, nameserver command, state) that stops the run. */
export class RunError extends ZonerwError {
  constructor(message: string) {
    super(message, EXIT.failed);
  }
}

/** A problem of the kind that fails a step (exit 1): the usual one. */
export const failed = (line: string): Problem => ({ kind: 'failed', line });

/** Everything a command found wrong; the exit code follows the most specific kind. */
export class Trouble {
  config = false;
  baseFile = false;
  failed = false;
  add(kind: ProblemKind): void {
    if (kind !== 'reported') this[kind] = true;
  }
  exitCode(): ExitCode {
    return this.config ? EXIT.config : this.baseFile ? EXIT.data : this.failed ? EXIT.failed : EXIT.ok;
  }
}
