// The nameserver's own programs: its zone checker before install, its control command after.
// Argument arrays only, never a shell; every command has the configured timeout. Which
// programs and arguments is core/nameserver.ts's call (the kind's profile); this runs them.
import { lstatSync } from 'node:fs';
import { controlAccessHint, controlArgv, missingCheckerAdvice, profile, statusArgv, type NameserverSettings, type Step } from '../core/nameserver.js';
import { commandResult, describeOutcome, hasVerdict } from '../core/outcome.js';
import { checkerWords } from '../core/checker-words.js';
import type { CommandResult, Nameserver } from '../run/ports.js';
import { describeUser, runningAs } from './access.js';
import { runCommand as realRun } from './command.js';

export function createNameserver(ns: NameserverSettings, runCommand = realRun): Nameserver {
  const command = (step: Step, zones: string | readonly string[]) => controlArgv(ns, step, zones);
  // A control command that fails on its keys or socket: its own words, then what to do.
  const control = async (argv: string[]): Promise<CommandResult> => withAccessHint(ns, await runCommand(argv, { timeoutMs: ns.timeoutMs }));
  return {
    batching: profile(ns.kind).batching,
    command,
    async run(step, zones) {
      const argv = command(step, zones);
      if (!argv) return commandResult({ kind: 'exit', code: 0 });
      return control(argv);
    },
    async status() {
      const argv = statusArgv(ns);
      return argv ? { argv, result: await control(argv) } : undefined;
    },
    async validate(zone, file, opts = {}) {
      if (ns.checkzone === 'never') return { ok: true };
      for (const checker of profile(ns.kind).checkers) {
        const r = await runCommand(checker.argv(zone, file), { timeoutMs: ns.timeoutMs, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
        if (r.outcome.kind === 'not found') continue;
        if (r.ok) return { ok: true, checker: checker.program };
        // No exit status: killed (the timeout, a signal) or never started. What it printed so
        // far is no verdict on the zone.
        if (!hasVerdict(r.outcome)) return { ok: false, checker: checker.program, unfinished: describeOutcome(r.outcome) };
        const words = checkerWords(r);
        return { ok: false, checker: checker.program, message: words !== '' ? words : describeOutcome(r.outcome) };
      }
      if (ns.checkzone === 'always') {
        return { ok: false, message: `${missingCheckerAdvice(ns.kind)} (checkzone = "always": nothing is installed unvalidated)` };
      }
      return { ok: true };
    },
  };
}

/** Whether a file a command's words name is really absent (not merely unreadable to zonerw). */
function missing(path: string): boolean {
  try {
    lstatSync(path);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/** The hint goes last in stderr, which every message about a failed command quotes. */
function withAccessHint(ns: NameserverSettings, r: CommandResult): CommandResult {
  if (r.ok) return r;
  const u = runningAs();
  const hint = controlAccessHint(ns.kind, `${r.stderr}\n${r.stdout}`, u.name ?? String(u.uid), missing);
  if (!hint) return r;
  const stderr = r.stderr.trim() || r.stdout.trim();
  return { ...r, stderr: `${stderr}\n(running as ${describeUser(u)}) ${hint}` };
}
