// How an external program's run ended, as a value (adapters/command.ts finds it), and the one
// way it and the program's output are put into words for people.
import { formatMs } from './format.js';

/** How a command ended: its own exit, a signal, zonerw's deadline, or it never started. */
export type Outcome =
  | { kind: 'exit'; code: number }
  | { kind: 'signal'; signal: string }
  | { kind: 'timeout'; afterMs: number }
  /** `searched`: the folders a bare name was looked for in */
  | { kind: 'not found'; program: string; searched?: readonly string[] }
  /** it exists but could not be started: `why` is "permission denied" (EACCES), "no folder /x" (a missing cwd), an errno */
  | { kind: 'cannot run'; program: string; why: string };

/** What a command did: how it ended and what it printed. */
export interface CommandResult {
  /** it ran and exited 0 */
  ok: boolean;
  outcome: Outcome;
  stdout: string;
  stderr: string;
}

export const exited = (code: number): Outcome => ({ kind: 'exit', code });

/** A finished command's result (ok when it exited 0). */
export function commandResult(outcome: Outcome, stdout = '', stderr = ''): CommandResult {
  return { ok: outcome.kind === 'exit' && outcome.code === 0, outcome, stdout, stderr };
}

/** 'exit 3', 'killed by SIGTERM', 'timed out after 10s', 'not found: rndc (not on PATH, nor in /usr/sbin)', 'cannot run /x: permission denied' */
export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'exit':
      return `exit ${o.code}`;
    case 'signal':
      return `killed by ${o.signal}`;
    case 'timeout':
      return `timed out after ${formatMs(o.afterMs)}`;
    case 'not found':
      return `not found: ${o.program}${o.searched ? ` (not on PATH, nor in ${o.searched.join(', ')})` : ''}`;
    case 'cannot run':
      return `cannot run${o.program ? ` ${o.program}` : ''}: ${o.why}`;
  }
}

/** Whether the command gave its own verdict (an exit status): a kill or a start failure gives none. */
export function hasVerdict(o: Outcome): o is { kind: 'exit'; code: number } {
  return o.kind === 'exit';
}

export interface WordsOptions {
  /** lines that say nothing of what went wrong (progress lines), dropped */
  noise?: RegExp;
  /** keep only the last this many lines (hooks: the end is where the error is) */
  last?: number;
  /** the line where what counts ends (a usage text after the error): it and what follows are
   *  dropped, unless nothing came before it (then it alone is kept) */
  until?: RegExp;
}

/**
 * What a command printed, as one line: stderr's lines then stdout's, trimmed, blank and noise
 * lines dropped, joined by "; ". Empty when it printed nothing that counts.
 */
export function outputWords(r: Pick<CommandResult, 'stdout' | 'stderr'>, o: WordsOptions = {}): string {
  let lines = `${r.stderr}\n${r.stdout}`.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== '.' && !(o.noise?.test(l) ?? false));
  const cut = o.until === undefined ? -1 : lines.findIndex((l) => o.until!.test(l));
  if (cut !== -1) lines = cut === 0 ? lines.slice(0, 1) : lines.slice(0, cut);
  if (o.last !== undefined && lines.length > o.last) lines = lines.slice(-o.last);
  return lines.join('; ');
}

/** A command's end and its words in one phrase: "exit 1: error: zone not found", or "timed out after 10s". */
export function describeResult(r: CommandResult, o: WordsOptions = {}): string {
  const words = outputWords(r, o);
  return words ? `${describeOutcome(r.outcome)}: ${words}` : describeOutcome(r.outcome);
}

/** A failed command as the end of a sentence that names it: "failed (exit 1): rndc: connect failed". */
export function describeFailure(r: CommandResult, o: WordsOptions = {}): string {
  const words = outputWords(r, o);
  return `failed (${describeOutcome(r.outcome)})${words ? `: ${words}` : ''}`;
}
