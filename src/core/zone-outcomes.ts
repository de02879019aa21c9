// One describer per outcome of a zone, in three moods: `done` (a run did it), `would` (--dry-run
// says what a run would do) and `check` (`zonerw check` says where the next run would stop). The
// run, --dry-run and check word the same outcome from here, so they cannot drift apart. (A
// command's outcome, exit or signal or timeout, is core/outcome.ts's.)
import { describeUnfinished } from './messages.js';

/** What kind of wrong a problem is, for the exit code: the config (78), a base file (65), a step
 *  that failed (1); `reported`: said and recorded as an error, the exit code untouched. */
export type ProblemKind = 'config' | 'baseFile' | 'failed' | 'reported';

/** One thing found wrong: its one line (with its fix), and its kind. */
export interface Problem {
  kind: ProblemKind;
  line: string;
  /** false: recorded by its own history event (a failed hook), so neither as an error nor raising the error hook */
  asError?: boolean;
}

export type Mood = 'done' | 'would' | 'check';

export type Outcome =
  /** `line`: `example.com: serial 2026112203, www -> 198.51.100.7` */
  | { kind: 'publish'; line: string }
  /** the safety pass stopped it (no NS records, max_shrink) */
  | { kind: 'refuse'; zone: string; base: string; problem: string }
  /** its temp file could not be written */
  | { kind: 'write'; zone: string; message: string }
  /** the checker gave no verdict (timed out, killed, could not be run) */
  | { kind: 'unfinished'; zone: string; checker?: string | undefined; reason: string }
  /** it could not be loaded (a wrong base file, a config that cannot render it, an unreadable zone file); `first`: there is no zone file yet */
  | { kind: 'unloaded'; zone: string; first?: boolean }
  /** the checker (or the signer) refused it; `words` point at the base file; `first`: there is no zone file yet (no old zone to stay) */
  | { kind: 'checker'; zone: string; checker?: string | undefined; words: string; first?: boolean };

export function describeOutcome(o: Outcome, mood: Mood): string {
  switch (o.kind) {
    case 'publish':
      return mood === 'would' ? `would publish ${o.line}` : o.line;
    case 'refuse': {
      const head = { done: 'not published', would: 'would not be published', check: 'the next run would not publish it' }[mood];
      return `${o.zone}: ${head}, ${o.problem}: check ${o.base}, or publish it anyway with zonerw --force`;
    }
    case 'write':
      return `${o.zone}: ${o.message}`;
    case 'unfinished': {
      const tail = { done: 'the zone was not installed', would: 'the zone would not be installed', check: 'not validated' }[mood];
      return `${o.zone}: ${describeUnfinished(o.checker, o.reason)}; ${tail}`;
    }
    case 'unloaded': {
      const head = { done: 'not published', would: 'would not be published', check: 'the next run would not publish it' }[mood];
      const file = o.first ? 'there is no zone file yet' : mood === 'done' ? 'the installed zone file is unchanged' : 'the installed zone file would stay unchanged';
      return `${o.zone}: ${head}; ${file}`;
    }
    case 'checker': {
      const by = o.checker ?? 'the zone check';
      const stays = o.first ? 'there is no zone file yet' : 'the old zone stays';
      const head = { done: `refused by ${by}, not installed (${stays})`, would: `would be refused by ${by}`, check: `refused by ${by}` }[mood];
      return `${o.zone}: ${head}: ${o.words}`;
    }
  }
}

/** The problem an outcome is, in its mood: every outcome but a publish fails the run (exit 1). */
export function outcomeProblem(o: Exclude<Outcome, { kind: 'publish' }>, mood: Mood): Problem {
  return { kind: 'failed', line: describeOutcome(o, mood) };
}
