// Runs a [[hook]]'s command with what it is documented to get, and nothing more (README, Hooks):
// argv without a shell; an environment of the ZONERW_* variables, a fixed PATH (HOOK_PATH, on
// which its program is also looked up), and the running user's HOME, USER and LOGNAME, so that
// nothing zonerw inherited (a secret in cron's or a service's environment) reaches it; the
// config file's folder as its working folder (a relative path there means what it means in the
// config); stdin from /dev/null: a read ends at once.
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { HOOK_PATH } from '../core/trust.js';
import type { CommandResult } from '../run/ports.js';
import { runCommand } from './command.js';

/** The environment a hook gets: `extra` (the ZONERW_* variables) and the fixed ones. */
export function hookEnvironment(extra: Readonly<Record<string, string>>): Record<string, string> {
  const own: Record<string, string> = { PATH: HOOK_PATH };
  try {
    const u = userInfo();
    Object.assign(own, { HOME: u.homedir, USER: u.username, LOGNAME: u.username });
  } catch {
    own.HOME = '/'; // a uid without a passwd entry
  }
  return { ...own, ...extra };
}

/** `cwd`: the config file's folder. A relative program path (`./notify.sh`) is taken from there. */
export function runHook(argv: readonly string[], extra: Readonly<Record<string, string>>, timeoutMs: number, cwd: string): Promise<CommandResult> {
  const [name, ...args] = argv;
  const program = name !== undefined && name.includes('/') ? resolve(cwd, name) : name;
  return runCommand(program === undefined ? [] : [program, ...args], { timeoutMs, env: hookEnvironment(extra), cwd });
}
