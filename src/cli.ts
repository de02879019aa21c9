// The only module that reads argv and decides the exit code: argv and the environment become a
// command, given the real dependencies that src/wiring.ts builds; every ZonerwError becomes
// stderr lines here, and anything else is a bug (exit 70).
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { DEFAULT_CONFIG } from './config/load.js';
import { parseDuration } from './core/format.js';
import { EXIT, UsageError, ZonerwError, type ExitCode } from './errors.js';
import { keepHeapSmall } from './run/memory.js';
import type { Log, RunOptions } from './run/ports.js';
import { heartbeatFiles, loadTrusted, realDeps, type Env } from './wiring.js';

interface GlobalOptions {
  config?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export async function main(argv: readonly string[], env: Env, io: Log = stdio()): Promise<ExitCode> {
  keepHeapSmall(); // before the config and base files are read (src/run/memory.ts)
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram(env, io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (e) {
    return report(e, io, argv.includes('-v') || argv.includes('--verbose'));
  }
}

function buildProgram(env: Env, io: Log, setExit: (code: ExitCode) => void): Command {
  const program = new Command('zonerw')
    .description('Point DNS at the main server while it is up, at the backup while it is not.')
    .version(packageVersion(), '-V, --version', 'print the version number')
    .option('-c, --config <file>', `config file (default: $ZONERW_CONFIG, else ${DEFAULT_CONFIG})`)
    .option('-v, --verbose', 'also print the decision trace of a run')
    .option('-q, --quiet', 'print errors only')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText('after', PROGRAM_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showSuggestionAfterError(true);

  const wiring: Wiring = { env, io, setExit };
  for (const add of [addRunCommand, addStatusCommand, addHistoryCommand, addCheckCommand, addWatchCommand, addPinCommand]) add(program, wiring);
  return program;
}

/** What every command's action needs from main: the environment, where it speaks, how it sets the exit code. */
interface Wiring {
  env: Env;
  io: Log;
  setExit: (code: ExitCode) => void;
}

function addRunCommand(program: Command, { env, io, setExit }: Wiring): void {
  program
    .command('run', { isDefault: true })
    .summary('one run: check, publish what changed (the default)')
    .description('One run: check the servers, publish the zones that changed, reload and NOTIFY.')
    .option('-f, --force', 'publish every zone with a new serial, changed or not (after hand edits)')
    .option('-n, --dry-run', 'check and decide, print the diffs and commands, write nothing')
    .option('--json', 'with --dry-run: print the plan as JSON instead')
    .addHelpText('after', `
Examples:
  zonerw --dry-run -v    what would a run do? (writes nothing, takes no lock)
  zonerw --force         republish every zone, e.g. after a hand edit
  # /etc/cron.d/zonerw: every 2 minutes; cron mails what zonerw prints
  */2 * * * *  root  zonerw --config /etc/zonerw/zonerw.toml

Prints nothing when nothing changed. A failover that worked exits 0.`)
    .action(async (o: { force?: boolean; dryRun?: boolean; json?: boolean }) => {
      const g = program.opts<GlobalOptions>();
      if (g.verbose && g.quiet) throw new UsageError('--verbose and --quiet exclude each other');
      if (o.json && !o.dryRun) throw new UsageError('--json goes with --dry-run: a run prints lines, its plan is printed by zonerw --dry-run --json');
      const cfg = await loadTrusted(configPath(g, env), env, 'all');
      const { run } = await import('./commands/run.js');
      const opts: RunOptions = { force: !!o.force, dryRun: !!o.dryRun, ...(o.json ? { json: true } : {}), verbose: !!g.verbose, quiet: !!g.quiet };
      setExit(await run(cfg, opts, await realDeps(cfg, env, io)));
    });
}

function addStatusCommand(program: Command, { env, io, setExit }: Wiring): void {
  program
    .command('status')
    .summary('favoured server, last checks, serials, pending work')
    .description('Show the favoured server, the last checks, zone serials and pending work.')
    .option('--json', 'print the same as JSON, for scripts and monitoring')
    .addHelpText('after', `
Examples:
  zonerw status --config /etc/zonerw/zonerw.toml
  zonerw status --json | jq .`)
    .action(async (o: { json?: boolean }) => {
      const g = program.opts<GlobalOptions>();
      const cfg = await loadTrusted(configPath(g, env), env, 'config');
      const { status } = await import('./commands/status.js');
      setExit(await status(cfg, { json: !!o.json }, await realDeps(cfg, env, io)));
    });
}

function addHistoryCommand(program: Command, { env, io, setExit }: Wiring): void {
  program
    .command('history')
    .summary('what happened; per server availability and failovers')
    .description('Show what happened, and per server: availability, failovers, longest outage.')
    .option('--since <duration>', 'how far back, like 24h, 7d or 30d', '7d')
    .option('--json', 'print JSON for scripts')
    .addHelpText('after', `
Examples:
  zonerw history --since 30d
  zonerw history --since 24h --json

Lists failovers, failbacks, publishes, pins, hooks, warnings and errors, then a
timeline per server.`)
    .action(async (o: { since: string; json?: boolean }) => {
      const g = program.opts<GlobalOptions>();
      const sinceMs = parseDuration(o.since);
      if (sinceMs === undefined || sinceMs <= 0) throw new UsageError(`--since: not a duration like 24h or 7d: "${o.since}"`);
      const cfg = await loadTrusted(configPath(g, env), env, 'config');
      const { history } = await import('./commands/history.js');
      const color = process.stdout.isTTY === true && !env.NO_COLOR;
      setExit(await history(cfg, { sinceMs, json: !!o.json, color }, await realDeps(cfg, env, io)));
    });
}

function addCheckCommand(program: Command, { env, io, setExit }: Wiring): void {
  program
    .command('check')
    .summary('preflight: config, folders and rights, base files, zones, nameserver')
    .description('Would a run succeed? Config, folders, rights, zones, nameserver; change nothing.')
    .addHelpText('after', `
Example, after editing a base file or the config, as the user zonerw runs as:
  sudo -u zonerw zonerw check --config /etc/zonerw/zonerw.toml

Exit 0 and an "ok:" line when a run would succeed; else every problem, one line each
with its fix, and 78, 65 or 1.`)
    .action(async () => {
      const g = program.opts<GlobalOptions>();
      const cfg = await loadTrusted(configPath(g, env), env, 'all');
      const { check } = await import('./commands/check.js');
      setExit(await check(cfg, {}, await realDeps(cfg, env, io)));
    });
}

function addWatchCommand(program: Command, { env, io, setExit }: Wiring): void {
  program
    .command('watch')
    .summary('run for ever: probe every [watch] interval, publish on a change')
    .description('Probe every [watch] interval; on a change, do the same run as zonerw.')
    .addHelpText('after', `
Example, instead of the timer (pick one):
  systemctl disable --now zonerw.timer && systemctl enable --now zonerw-watch.service

SIGHUP reloads the config (a broken one is said, the old one kept); SIGTERM ends
after the run in progress, exit 0.`)
    .action(async () => {
      const g = program.opts<GlobalOptions>();
      // trusted as a run is (README "Trust"), at the start and at every SIGHUP
      const load = () => loadTrusted(configPath(g, env), env, 'all');
      const [cfg, { watch }, heartbeat] = await Promise.all([load(), import('./commands/watch.js'), heartbeatFiles()]);
      setExit(await watch(cfg, { verbose: !!g.verbose, quiet: !!g.quiet }, await realDeps(cfg, env, io), { load, deps: (c) => realDeps(c, env, io), ...heartbeat, signals: process }));
    });
}

function addPinCommand(program: Command, { env, io, setExit }: Wiring): void {
  program
    .command('pin')
    .summary('favour one server until the pin expires or is cleared')
    .description("Favour one server in its group whatever the checks say, until the pin ends.")
    .argument('[server]', 'the server to favour (a [[server]] or [[group.server]] name), or "auto" to clear the pin')
    .option('--for <duration>', 'how long, like 30m, 2h or 1d (default: until cleared)')
    .option('--reason <text>', 'why, shown by status and history')
    .option('--clear', 'remove the pin: favour the servers by their checks again')
    .option('--group <name>', "with --clear: clear only this service group's pin (default: every group's)")
    .addHelpText('after', `
Examples:
  zonerw pin backup --for 2h --reason "disk swap on main"
  zonerw pin mx2 --for 1h        (pins mx2 within its group: mail)
  zonerw pin --clear       (or: zonerw pin auto; every group's pin)
  zonerw pin --clear --group mail

The next run publishes the pinned server; checks still run and are reported.`)
    .action(async (server: string | undefined, o: { for?: string; reason?: string; clear?: boolean; group?: string }) => {
      const g = program.opts<GlobalOptions>();
      const clear = !!o.clear || server === 'auto';
      if (clear && server !== undefined && server !== 'auto') throw new UsageError('give a server or --clear, not both');
      if (!clear && server === undefined) throw new UsageError('name the server to pin, or give --clear');
      if (clear && (o.for !== undefined || o.reason !== undefined)) throw new UsageError('--for and --reason go with a server, not with --clear');
      if (!clear && o.group !== undefined) throw new UsageError("--group goes with --clear: a server is pinned within its own group");
      const forMs = pinDuration(o.for);
      const cfg = await loadTrusted(configPath(g, env), env, 'config');
      const [{ pin }, deps] = await Promise.all([import('./commands/pin.js'), realDeps(cfg, env, io)]);
      const by = env.SUDO_USER || env.USER || env.LOGNAME || (await userName());
      const request = clear
        ? ({ clear: true, by, ...(o.group !== undefined ? { group: o.group } : {}) } as const)
        : { clear: false as const, by, server: server!, ...(forMs !== undefined ? { forMs } : {}), ...(o.reason !== undefined ? { reason: o.reason } : {}) };
      setExit(await pin(cfg, request, deps));
    });
}

// Shown after the program's own --help; the man page zonerw(8) has the same, at length.
const PROGRAM_HELP = `
Examples:
  zonerw check            validate the config and the base files, change nothing
  zonerw --dry-run -v     show what a run would do, write nothing
  zonerw                  one run: from cron or a systemd timer, every 2 minutes
  zonerw status           favoured server, last checks, serials, pending work
  zonerw pin backup --for 2h --reason "maintenance on main"

Exit status:
  0   success, whether or not anything changed (a failover that worked is one)
  1   a zone refused by the checker, an install, nameserver command or state
      write failed (a failed reload is retried by the next run)
  64  usage error
  65  a base file is wrong: that zone skipped, the others published
  70  internal error: a bug in zonerw, please report it with -v
  75  another run holds the lock: nothing touched
  78  configuration error: every problem listed

Environment: ZONERW_CONFIG (the config file), ZONERW_NOW (pin the clock, tests),
ZONERW_LOCK_STALE (the lock's stale time, default 30s, tests).
Manual: man 8 zonerw; the full config reference is in the README.`;

/** `pin --for`: a duration up to a year, else a usage error. */
function pinDuration(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const ms = parseDuration(given);
  if (ms === undefined || ms <= 0 || ms > 366 * 86_400_000) throw new UsageError(`--for: not a duration like 30m, 2h or 1d: "${given}"`);
  return ms;
}

function configPath(g: GlobalOptions, env: Env): string {
  return g.config ?? env.ZONERW_CONFIG ?? DEFAULT_CONFIG;
}

function report(e: unknown, io: Log, verbose: boolean): ExitCode {
  if (e instanceof CommanderError) {
    // --help and --version end here too, with exit code 0
    return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (e instanceof ZonerwError) {
    for (const line of e.message.split('\n')) io.err(`zonerw: ${line}`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.err(`zonerw: internal error: ${err.message} (please report this${verbose ? '' : '; -v shows the stack'})`);
  if (verbose && err.stack) io.err(err.stack);
  return EXIT.software;
}

/**
 * stdout and stderr. A reader that goes away (`zonerw status | head -1`) makes the next write
 * fail with EPIPE, emitted as an 'error' that would crash the process with a stack trace: from
 * then on that stream's lines are dropped, quietly. The command is not cut short (a run may be
 * between an install and its reload); it ends as it would have, with its own exit code.
 */
function stdio(): Log {
  const closed = { out: false, err: false };
  process.stdout.on('error', () => (closed.out = true));
  process.stderr.on('error', () => (closed.err = true));
  return {
    out: (line) => void (closed.out || process.stdout.write(`${line}\n`)),
    err: (line) => void (closed.err || process.stderr.write(`${line}\n`)),
  };
}

/** Who runs `pin`, when no USER, LOGNAME or SUDO_USER says (cron, sudo -i): the uid's name, else the uid. */
async function userName(): Promise<string> {
  const { userInfo } = await import('node:os');
  try {
    return userInfo().username;
  } catch {
    // a uid without a passwd entry (a container's arbitrary uid)
    return process.getuid ? `uid ${process.getuid()}` : 'unknown';
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
