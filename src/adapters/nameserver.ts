// The nameserver's own programs: its zone checker before install, its control command after.
// Argument arrays only, never a shell; every command has the configured timeout. Which
// programs and arguments is core/nameserver.ts's call; this runs them.
import { BATCHING, CHECKERS, checkerArgv, controlAccessHint, controlArgv, missingCheckerAdvice, statusArgv, type NameserverSettings, type Step } from '../core/nameserver.js';
import type { CommandResult, Nameserver } from '../run/ports.js';
import { describeUser, runningAs } from './access.js';
import { runCommand as realRun } from './command.js';

export function createNameserver(ns: NameserverSettings, runCommand = realRun): Nameserver {
  const command = (step: Step, zones: string | readonly string[]) => controlArgv(ns, step, zones);
  // A control command that fails on its keys or socket: its own words, then what to do.
  const control = async (argv: string[]): Promise<CommandResult> => withAccessHint(ns, await runCommand(argv, { timeoutMs: ns.timeoutMs }));
  return {
    batching: BATCHING[ns.kind],
    command,
    async run(step, zones) {
      const argv = command(step, zones);
      if (!argv) return { ok: true, code: 0, stdout: '', stderr: '', reason: 'exit 0' };
      return control(argv);
    },
    async status() {
      const argv = statusArgv(ns);
      return argv ? { argv, result: await control(argv) } : undefined;
    },
    async validate(zone, file, opts = {}) {
      if (ns.checkzone === 'never') return { ok: true };
      for (const checker of CHECKERS[ns.kind]) {
        const r = await runCommand(checkerArgv(checker, zone, file), { timeoutMs: ns.timeoutMs, ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}) });
        if (r.reason.startsWith('not found')) continue;
        if (r.ok) return { ok: true, checker };
        // No exit status: killed (the timeout, a signal) or never started. What it printed so
        // far is no verdict on the zone.
        if (r.code === null) return { ok: false, checker, unfinished: r.reason };
        const words = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
        return { ok: false, checker, message: words.length > 0 ? words.join('; ') : r.reason };
      }
      if (ns.checkzone === 'always') {
        return { ok: false, message: `${missingCheckerAdvice(ns.kind)} (checkzone = "always": nothing is installed unvalidated)` };
      }
      return { ok: true };
    },
  };
}

/** The hint goes last in stderr, which every message about a failed command quotes. */
function withAccessHint(ns: NameserverSettings, r: CommandResult): CommandResult {
  if (r.ok) return r;
  const u = runningAs();
  const hint = controlAccessHint(ns.kind, `${r.stderr}\n${r.stdout}`, u.name ?? String(u.uid));
  if (!hint) return r;
  const stderr = r.stderr.trim() || r.stdout.trim();
  return { ...r, stderr: `${stderr}\n(running as ${describeUser(u)}) ${hint}` };
}
