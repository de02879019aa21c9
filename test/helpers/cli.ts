// Runs the built zonerw binary the way cron does: a fresh process, no terminal, exit code read.
// The one spawner of the binary for the tests (the e2e scenario and the reliability suite too).
import { spawn, type ChildProcess } from 'node:child_process';
import { zonerwBin } from './paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** the working folder (default: the test's) */
  cwd?: string;
  /** kill the run and fail the test past this (default: none) */
  timeoutMs?: number;
  /** called with the signal that ended the process, if one did */
  onSignal?: (signal: NodeJS.Signals) => void;
  /** a command that runs node in turn: ['prlimit', '--fsize=4096'], ['setpriv', '--reuid=65534', ...] */
  under?: readonly string[];
  /** the bin to run (default: the checkout's bin/zonerw.js) */
  bin?: string;
}

/**
 * `env` is the whole environment of the run, on top of cron's PATH (/usr/bin:/bin): the tests'
 * own environment does not leak in (a ZONERW_CONFIG or PATH set on the machine, say).
 */
export function startZonerw(args: readonly string[], env: NodeJS.ProcessEnv = {}, opts: CliOptions = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const [command, ...prefix] = [...(opts.under ?? []), process.execPath];
  const child = spawn(command!, [...prefix, opts.bin ?? zonerwBin, ...args], {
    env: { PATH: '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`zonerw ${args.join(' ')} did not finish within ${opts.timeoutMs} ms\n${stdout}\n${stderr}`));
          }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal) opts.onSignal?.(signal);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

export function zonerw(args: readonly string[], env: NodeJS.ProcessEnv = {}, opts: CliOptions = {}): Promise<CliResult> {
  return startZonerw(args, env, opts).done;
}
