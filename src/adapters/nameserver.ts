// The nameserver's own programs: its zone checker before install, its control command after.
// Argument arrays only, never a shell; every command has the configured timeout.
import type { Config, NameserverKind } from '../config.js';
import { runCommand as realRun, type CommandResult } from './command.js';

export type Step = 'reload' | 'notify';

export interface CheckOutcome {
  ok: boolean;
  /** which checker ran, or undefined when none was available (checkzone = "auto") */
  checker?: string;
  /** the checker's own words, on failure */
  message?: string;
}

/**
 * How one control command can cover several zones: `all` (the step without a zone covers
 * every zone: nsd-control reload / notify), `list` (several zones in one command: knotc),
 * `one` (one zone a command: rndc, whose zoneless reload also re-reads named.conf).
 */
export type Batching = 'all' | 'list' | 'one';

export interface Nameserver {
  batching: Batching;
  /** argv of a control step for these zones (none: the zoneless form), for --dry-run and messages */
  command(step: Step, zones: string | readonly string[]): string[] | undefined;
  run(step: Step, zones: string | readonly string[]): Promise<CommandResult>;
  checkzone(zone: string, file: string): Promise<CheckOutcome>;
}

const BATCHING: Record<NameserverKind, Batching> = { nsd: 'all', knot: 'list', bind: 'one', none: 'one' };

// Each kind's own checker first. With kind "none" any installed checker will do.
const CHECKERS: Record<NameserverKind, string[]> = {
  nsd: ['nsd-checkzone'],
  bind: ['named-checkzone'],
  knot: ['kzonecheck', 'named-checkzone', 'nsd-checkzone'],
  none: ['named-checkzone', 'nsd-checkzone'],
};

export function checkerArgv(checker: string, zone: string, file: string): string[] {
  // named-checkzone's -q would hide the message; both print `file:line: reason` on failure.
  return [checker, zone, file];
}

// The control verb of each step, by kind: nsd-control and rndc say `reload`/`notify`, knotc
// says `zone-reload`/`zone-notify` (its plain `reload` re-reads the whole server config).
const VERBS: Record<Exclude<NameserverKind, 'none'>, Record<Step, string>> = {
  nsd: { reload: 'reload', notify: 'notify' },
  bind: { reload: 'reload', notify: 'notify' },
  knot: { reload: 'zone-reload', notify: 'zone-notify' },
};

/** argv of a control step: the configured control prefix, the kind's verb, the zones; undefined for kind "none". */
export function controlArgv(ns: Pick<Config['nameserver'], 'kind' | 'control'>, step: Step, zones: string | readonly string[]): string[] | undefined {
  return ns.kind === 'none' ? undefined : [...ns.control, VERBS[ns.kind][step], ...(typeof zones === 'string' ? [zones] : zones)];
}

export function createNameserver(ns: Config['nameserver'], runCommand = realRun): Nameserver {
  const command = (step: Step, zones: string | readonly string[]) => controlArgv(ns, step, zones);
  return {
    batching: BATCHING[ns.kind],
    command,
    async run(step, zones) {
      const argv = command(step, zones);
      if (!argv) return { ok: true, code: 0, stdout: '', stderr: '', reason: 'exit 0' };
      return runCommand(argv, { timeoutMs: ns.timeoutMs });
    },
    async checkzone(zone, file) {
      if (ns.checkzone === 'never') return { ok: true };
      for (const checker of CHECKERS[ns.kind]) {
        const r = await runCommand(checkerArgv(checker, zone, file), { timeoutMs: ns.timeoutMs });
        if (r.reason.startsWith('not found')) continue;
        if (r.ok) return { ok: true, checker };
        const words = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
        return { ok: false, checker, message: words.length > 0 ? words.join('; ') : r.reason };
      }
      if (ns.checkzone === 'always') {
        return { ok: false, message: `no zone checker installed (${CHECKERS[ns.kind].join(' or ')}); install it or set nameserver.checkzone = "auto"` };
      }
      return { ok: true };
    },
  };
}
