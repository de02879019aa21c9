// Runs one external program (nsd-control, rndc, nsd-checkzone, named-checkzone, hooks) from an
// argument array: never through a shell, stdin closed, output captured up to a cap, killed at a
// hard deadline, with every process it started (its own process group). It never throws: how
// it ended is the result's outcome (core/outcome.ts puts it into words).
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute } from 'node:path';
import { commandResult, type CommandResult, type Outcome } from '../core/outcome.js';

export type { CommandResult };


const CAP = 64 * 1024;
/** After the child exits, how long to wait for its pipes (a grandchild may hold them open). */
const PIPE_GRACE_MS = 200;
/** After SIGKILL, how long to wait for the exit before giving up on it. */
const KILL_GRACE_MS = 1000;


class Capture {
  private chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;
  add(chunk: Buffer): void {
    const room = CAP - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.chunks.push(part);
    this.size += part.length;
  }
  text(): string {
    const s = Buffer.concat(this.chunks, this.size).toString('utf8');
    return this.truncated ? `${s}\n[output truncated at ${CAP} bytes]` : s;
  }
}

export async function runCommand(
  argv: readonly string[],
  opts: RunOptions,
): Promise<CommandResult> {
  if (argv.length === 0 || argv[0] === '') {
    return commandResult({ kind: 'cannot run', program: '', why: 'empty command' });
  }
  const [name, ...args] = argv as [string, ...string[]];
  // A bare name is found before the spawn, on PATH and then in the sbin folders: cron's PATH
  // (/usr/bin:/bin) lacks the folders where nsd-control, rndc and the checkers live.
  const file = name.includes('/') ? name : await resolveProgram(name, (opts.env ?? process.env).PATH ?? '');
  if (file === undefined) {
    return commandResult({ kind: 'not found', program: name, searched: SBIN_FOLDERS });
  }
  // Loaded here: a steady run that publishes nothing spawns nothing.
  const { spawn } = await import('node:child_process');
  return new Promise<CommandResult>((resolve) => new ChildRun(file, opts, resolve).start(spawn, args));
}

type RunOptions = { timeoutMs: number; env?: NodeJS.ProcessEnv; cwd?: string };

/** One child under one deadline: its output captured, its end (exit, signal, timeout, error) settled once. */
class ChildRun {
  private settled = false;
  private timedOut = false;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private exited = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private child: ChildProcess | undefined;
  private readonly out = new Capture();
  private readonly err = new Capture();

  constructor(
    private readonly file: string,
    private readonly opts: RunOptions,
    private readonly resolve: (r: CommandResult) => void,
  ) {}

  start(spawn: typeof import('node:child_process').spawn, args: readonly string[]): void {
    const { file, opts } = this;
    try {
      // detached: its own process group (setsid), so that the deadline kills what it forked too
      // (a checker's or a hook's children would otherwise outlive it, holding its pipes).
      this.child = spawn(file, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd, windowsHide: true, detached: true });
    } catch (e) {
      // Synchronous failures: invalid arguments (a NUL byte in an argument, a bad cwd type).
      return this.finish({ kind: 'cannot run', program: file, why: e instanceof Error ? e.message : String(e) });
    }
    const child = this.child;
    child.stdout?.on('data', (c: Buffer) => this.out.add(c));
    child.stderr?.on('data', (c: Buffer) => this.err.add(c));
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});
    child.on('error', (e: NodeJS.ErrnoException) => this.failed(e));
    child.on('exit', (code, signal) => {
      this.exited = true;
      this.exitCode = code;
      this.exitSignal = signal;
      this.timers.push(setTimeout(() => this.finish(), PIPE_GRACE_MS));
    });
    child.on('close', () => {
      if (this.exited) this.finish();
    });
    this.timers.push(setTimeout(() => this.deadline(), Math.max(0, opts.timeoutMs)));
  }

  private failed(e: NodeJS.ErrnoException): void {
    if (this.exited || this.timedOut) return; // e.g. a kill() that failed: the outcome is already known
    const { file, opts } = this;
    if (e.code === 'ENOENT') {
      // spawn reports a missing cwd as ENOENT too, naming the program; say which one is missing.
      return this.finish(opts.cwd !== undefined && !existsSync(opts.cwd) ? { kind: 'cannot run', program: file, why: `no folder ${opts.cwd}` } : { kind: 'not found', program: file });
    }
    if (e.code === 'EACCES') return this.finish({ kind: 'cannot run', program: file, why: 'permission denied' });
    this.finish({ kind: 'cannot run', program: file, why: e.code ?? e.message });
  }

  private deadline(): void {
    // Whatever the group still runs is past the deadline: a grandchild that holds the pipes
    // after the command exited, or the command and all it forked.
    this.killGroup();
    if (this.exited) return this.finish();
    this.timedOut = true;
    this.timers.push(setTimeout(() => this.finish(), KILL_GRACE_MS));
  }

  /** SIGKILL to the command's process group (its pid: it leads the group it was spawned in). */
  private killGroup(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // ESRCH: the group is gone already; the direct child is tried anyway
      if (!this.exited) this.child?.kill('SIGKILL');
    }
  }

  private finish(override?: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    for (const t of this.timers) clearTimeout(t);
    this.child?.stdout?.destroy();
    this.child?.stderr?.destroy();
    const { timedOut, exitSignal, exitCode } = this;
    const outcome: Outcome = override ?? (timedOut ? { kind: 'timeout', afterMs: this.opts.timeoutMs } : exitSignal ? { kind: 'signal', signal: exitSignal } : { kind: 'exit', code: exitCode ?? -1 });
    this.resolve(commandResult(outcome, this.out.text(), this.err.text()));
  }
}

/**
 * Where a bare command name is looked for after the folders of PATH: the system folders that
 * cron's PATH (/usr/bin:/bin) leaves out, where Debian puts nsd-control, rndc, nsd-checkzone.
 */
export const SBIN_FOLDERS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * The file a command name runs: a name with a "/" as it is (when it can be run), a bare name in
 * the first folder of `path`, then of SBIN_FOLDERS, that holds an executable of that name.
 */
export async function resolveProgram(name: string, path: string): Promise<string | undefined> {
  const [{ access, constants }, { join }] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const runnable = (c: string) => access(c, constants.X_OK).then(() => true, () => false);
  if (name.includes('/')) return (await runnable(name)) ? name : undefined;
  for (const dir of searchFolders(path)) {
    const c = join(dir, name);
    if (await runnable(c)) return c;
  }
  return undefined;
}

/** The folders a bare name is looked for in, in order: those of `path`, then SBIN_FOLDERS. */
export function searchFolders(path: string): string[] {
  // relative PATH entries (".", "") would depend on the folder zonerw was started from: skipped
  return [...new Set([...path.split(delimiter).filter((d) => isAbsolute(d)), ...SBIN_FOLDERS])];
}

/** Whether `name` can be run: a path is checked as it is, a bare name on `path`, then in SBIN_FOLDERS. */
export async function findProgram(name: string, path: string): Promise<boolean> {
  return (await resolveProgram(name, path)) !== undefined;
}
