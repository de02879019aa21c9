// Spawning npm and the programs it installs, for the packaging tests (package, install).
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { tmpdir } from 'node:os';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(cmd: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}

/** npm itself: the one running `npm test` when there is one, else the npm on PATH. */
export function npm(args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  const cli = process.env.npm_execpath;
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // lifecycle variables of the `npm test` around us must not redirect this install
  for (const k of Object.keys(env)) {
    if (/^npm_(config_(prefix|global|global_prefix|local_prefix|dry_run|ignore_scripts|location)|package_|lifecycle_)/.test(k) || k === '_PACOTE_NO_PREPARE_') delete env[k];
  }
  return cli && /npm-cli\.c?js$/.test(cli) ? run(process.execPath, [cli, ...args], { cwd, env, timeoutMs }) : run('npm', args, { cwd, env, timeoutMs });
}

/** `npm install --global --prefix PREFIX SPEC`, dependencies from the npm cache when they are there. */
export function npmInstallGlobal(prefix: string, spec: string, cwd: string, timeoutMs = 120_000): Promise<Run> {
  return npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', spec], cwd, timeoutMs);
}

/** zonerw as the user runs it: the installed bin on a PATH whose node is this one. */
export const userEnv = (): NodeJS.ProcessEnv => ({ PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`, HOME: process.env.HOME ?? tmpdir() });
