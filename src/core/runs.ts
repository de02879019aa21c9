// What a command line runs, as trust must judge it (README "Trust"): not only its program, but
// the program an exec wrapper runs (`env`, `nice`, `timeout`, `sudo`...: each runs the rest of
// its arguments as a command), the script a shell or interpreter reads, and the commands of a
// shell's program text (`sh -c '...'`, read by shell-text.ts). One rule, applied recursively:
// find the command operand by the program's own option syntax, and judge what it runs.
import { pathWords, simpleCommands, type ShellWord } from './shell-text.js';

/** One thing a command line runs or reads as instructions. */
export type Runs =
  /** a program: a bare name is looked up on PATH, anything with a slash is a path */
  | { kind: 'program'; name: string }
  /** a file a shell or interpreter reads as its program (relative: from the working folder) */
  | { kind: 'script'; path: string }
  /** a path named in a program text: judged when it is an existing regular file */
  | { kind: 'mentioned'; path: string }
  /** something zonerw cannot tell without running it: refused */
  | { kind: 'unknown'; why: string };

/**
 * An exec wrapper's syntax (from its man page): the options that take an argument (short and
 * long), the options after which it runs no command (`-p PID`: an existing process), the
 * operands before the command (`timeout DURATION`; skipped when they match), and whether
 * VAR=value words come first (env).
 */
interface Wrapper {
  withArg: readonly string[];
  noCommand?: readonly string[];
  /** an option whose argument is itself a shell's program text (`flock -c`) or a command line (`env -S`) */
  text?: Readonly<Record<string, 'shell' | 'split'>>;
  operands?: readonly RegExp[];
  assignments?: boolean;
  /** options that run the command in another folder (`env -C DIR`): its relative paths are not known here */
  moves?: readonly string[];
  /** options that run the command under another root (`sudo -R DIR`): none of its paths are known here */
  chroots?: readonly string[];
}

const ANY = /^/;
const WRAPPERS = new Map<string, Wrapper>([
  ['env', { withArg: ['-u', '--unset', '-C', '--chdir', '-S', '--split-string', '--block-signal', '--default-signal', '--ignore-signal'], text: { '-S': 'split', '--split-string': 'split' }, assignments: true, moves: ['-C', '--chdir'] }],
  ['nice', { withArg: ['-n', '--adjustment'] }],
  ['ionice', { withArg: ['-c', '--class', '-n', '--classdata'], noCommand: ['-p', '--pid', '-P', '--pgid', '-u', '--uid'] }],
  ['timeout', { withArg: ['-s', '--signal', '-k', '--kill-after'], operands: [ANY] }],
  ['nohup', { withArg: [] }],
  ['setsid', { withArg: [] }],
  ['stdbuf', { withArg: ['-i', '--input', '-o', '--output', '-e', '--error'] }],
  ['taskset', { withArg: [], noCommand: ['-p', '--pid'], operands: [ANY] }],
  ['chrt', { withArg: ['-T', '--sched-runtime', '-P', '--sched-period', '-D', '--sched-deadline'], noCommand: ['-p', '--pid', '-m', '--max'], operands: [/^\d+$/] }],
  ['flock', { withArg: ['-w', '--wait', '--timeout', '-E', '--conflict-exit-code', '-c', '--command'], text: { '-c': 'shell', '--command': 'shell' }, operands: [ANY] }],
  ['setpriv', {
    withArg: ['--reuid', '--regid', '--ruid', '--rgid', '--euid', '--egid', '--groups', '--inh-caps', '--ambient-caps', '--bounding-set', '--securebits', '--pdeathsig', '--selinux-label', '--apparmor-profile', '--landlock-access', '--landlock-rule', '--seccomp-filter'],
    noCommand: ['-d', '--dump'],
  }],
  ['sudo', {
    // `--close-from` in backquotes: the layer test (test/architecture.test.ts) reads a quote after "from" as an import
    withArg: ['-u', '--user', '-g', '--group', '-C', `--close-from`, '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user', '-R', '--chroot'],
    noCommand: ['-l', '--list', '-v', '--validate', '-K', '--remove-timestamp', '-V', '--version', '-e', '--edit'],
    moves: ['-D', '--chdir'],
    chroots: ['-R', '--chroot'],
  }],
  ['doas', { withArg: ['-u', '-C'], noCommand: ['-L'] }],
  ['runuser', { withArg: ['-u', '--user', '-g', '--group', '-G', '--supp-group', '-w', '--whitelist-environment'] }],
  ['time', { withArg: ['-o', '--output', '-f', '--format'] }],
  ['busybox', { withArg: [] }],
  // the shell's own: `exec prog`, `command prog`, as a program text uses them
  ['exec', { withArg: ['-a'] }],
  ['command', { withArg: [], noCommand: ['-v', '-V'] }],
]);

/** Shells: `-c` makes the first operand a program text; -o/+o/-O/+O and --rcfile take an argument. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'yash', 'posh']);
const SHELL_FILES = ['--rcfile', '--init-file'];

/** Other interpreters: the options whose argument is the program text, and those that take another argument. */
const INTERPRETERS = new Map<string, { inline: readonly string[]; withArg: readonly string[] }>([
  ['python', { inline: ['-c', '-m'], withArg: ['-W', '-X', '-Q'] }],
  ['perl', { inline: ['-e', '-E'], withArg: ['-I', '-M', '-m'] }],
  ['ruby', { inline: ['-e'], withArg: ['-I', '-r', '-C'] }],
  ['node', { inline: ['-e', '-p', '--eval', '--print'], withArg: ['-r', '--require', '--import', '--loader'] }],
  ['php', { inline: ['-r'], withArg: ['-c', '-d', '-z'] }],
  ['lua', { inline: ['-e'], withArg: ['-l'] }],
]);

/** Shell words that open or close a compound command, skipped where a command starts. */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'esac', 'time']);
/** Shell words after which the words are not a command (`for x in ...`, `case $x in`, a function's name). */
const NOT_A_COMMAND = new Set(['for', 'case', 'select', 'function', '[[', 'in']);

/** The base name as the program is known: python3.11 -> python, perl5.36 -> perl. */
function known(name: string): string {
  return (name.split('/').at(-1) ?? '').replace(/[\d.]+$/, '');
}

/** Everything `argv` runs or reads as instructions, outermost first. */
export function whatRuns(argv: readonly string[], depth = 0): Runs[] {
  const name = argv[0];
  if (name === undefined || name === '') return [];
  if (depth > 16) return [{ kind: 'unknown', why: 'wrappers nested more than 16 deep' }];
  const runs: Runs[] = [{ kind: 'program', name }];
  const base = known(name);
  const wrapper = WRAPPERS.get(name.split('/').at(-1) ?? '');
  if (wrapper) return [...runs, ...wrapped(argv, wrapper, depth)];
  if (name === '.' || name === 'source') return argv[1] !== undefined ? [{ kind: 'script', path: argv[1] }] : [];
  if (name === 'eval') return shellText(argv.slice(1).join(' '), depth);
  if (SHELLS.has(base)) return [...runs, ...shellOperands(argv, depth)];
  const interpreter = INTERPRETERS.get(base);
  if (interpreter) return [...runs, ...interpreterOperands(argv, interpreter)];
  return runs;
}

/** What an exec wrapper runs: the rest of its arguments after its options and operands. */
function wrapped(argv: readonly string[], w: Wrapper, depth: number): Runs[] {
  const wrapperName = argv[0]!;
  let i = 1;
  let moved: string | undefined;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const taken = optionOf(arg, w);
    if (taken === 'no command') return [];
    if (taken === undefined) continue;
    const value = taken.value ?? argv[++i];
    if (w.chroots?.includes(taken.option)) return [{ kind: 'unknown', why: `${wrapperName} ${taken.option} runs its command under another root, where no path is the one zonerw sees` }];
    if (w.moves?.includes(taken.option)) moved = `${wrapperName} ${taken.option}`;
    const text = w.text?.[taken.option];
    if (text === 'shell' && value !== undefined) return shellText(value, depth);
    if (text === 'split' && value !== undefined) return whatRuns([...value.split(/\s+/).filter(Boolean), ...argv.slice(i + 1)], depth + 1);
  }
  if (w.assignments) while (i < argv.length && /^[A-Za-z_]\w*=/.test(argv[i]!)) i++;
  for (const operand of w.operands ?? []) if (i < argv.length && operand.test(argv[i]!)) i++;
  // `flock FILE -c TEXT`: flock looks for -c after its file too
  const after = w.text?.[argv[i] ?? ''];
  if (after === 'shell' && argv[i + 1] !== undefined) return shellText(argv[i + 1]!, depth);
  if (i >= argv.length) return [];
  if (wrapperName.split('/').at(-1) === 'busybox') return whatRuns([argv[i]!.split('/').at(-1)!, ...argv.slice(i + 1)], depth + 1);
  const inner = whatRuns(argv.slice(i), depth + 1);
  return moved ? relativeUnknown(inner, moved) : inner;
}

/** After a change of folder (`cd`, `env -C`), a relative path names a file zonerw does not know. */
function relativeUnknown(runs: readonly Runs[], after: string): Runs[] {
  return runs.map((r) => {
    const path = r.kind === 'program' ? (r.name.includes('/') ? r.name : undefined) : r.kind === 'unknown' ? undefined : r.path;
    return path === undefined || path.startsWith('/') ? r : { kind: 'unknown', why: `${JSON.stringify(path)} is relative to the folder ${after} moves to; write it as an absolute path` };
  });
}

/**
 * The option in `arg` that takes an argument, with the argument when it is in the same word
 * (`--adjustment=5`, `-n5`, `-iu NAME`: short options cluster); undefined when none does. An
 * option the table does not know is taken as one without an argument (getopt's flags).
 */
function optionOf(arg: string, w: Wrapper): { option: string; value?: string } | 'no command' | undefined {
  if (arg.startsWith('--')) {
    const option = arg.split('=')[0]!;
    if (w.noCommand?.includes(option)) return 'no command';
    if (!w.withArg.includes(option)) return undefined;
    return arg.includes('=') ? { option, value: arg.slice(arg.indexOf('=') + 1) } : { option };
  }
  for (let j = 1; j < arg.length; j++) {
    const option = `-${arg[j]}`;
    if (w.noCommand?.includes(option)) return 'no command';
    if (w.withArg.includes(option)) return j + 1 < arg.length ? { option, value: arg.slice(j + 1) } : { option };
  }
  return undefined;
}

/** A shell's script operand, or the commands of its `-c` program text. */
function shellOperands(argv: readonly string[], depth: number): Runs[] {
  const runs: Runs[] = [];
  let inline = false;
  let stdin = false;
  let i = 1;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || arg === '-') {
      i++;
      break;
    }
    if (SHELL_FILES.includes(arg)) {
      const file = argv[++i];
      if (file !== undefined) runs.push({ kind: 'script', path: file });
      continue;
    }
    if (arg.startsWith('--')) continue; // --norc, --posix, --login...: no argument
    if (!/^[-+]/.test(arg)) break;
    const letters = arg.slice(1);
    if (letters.includes('c')) inline = true;
    if (letters.includes('s')) stdin = true;
    // `-o errexit`, `-eo pipefail`, `+O extglob`: each o or O takes the next word
    i += [...letters].filter((l) => l === 'o' || l === 'O').length;
  }
  const operand = argv[i];
  if (inline) return [...runs, ...(operand !== undefined ? shellText(operand, depth) : [])];
  if (stdin || operand === undefined) return runs;
  return [...runs, { kind: 'script', path: operand }];
}

/** The script a python, perl, ruby... reads, or nothing when the program text is inline. */
function interpreterOperands(argv: readonly string[], it: { inline: readonly string[]; withArg: readonly string[] }): Runs[] {
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (it.inline.includes(arg)) return (argv[i + 1] !== undefined ? pathWords(argv[i + 1]!) : []).map((path) => ({ kind: 'mentioned', path }));
    if (it.withArg.includes(arg)) i++;
    else if (arg === '--') return argv[i + 1] !== undefined ? [{ kind: 'script', path: argv[i + 1]! }] : [];
    else if (!arg.startsWith('-')) return [{ kind: 'script', path: arg }];
  }
  return [];
}

/**
 * A shell's program text: each simple command judged as a command line (its leading reserved
 * words and VAR=value assignments skipped), and every path word in it that names a file. A
 * command or script whose name is an expansion (`$X`, `$(...)`) cannot be judged: refused.
 */
export function shellText(text: string, depth = 0): Runs[] {
  const runs: Runs[] = [];
  let moved: string | undefined;
  for (const words of simpleCommands(text)) {
    let i = 0;
    while (i < words.length && !words[i]!.expands && (RESERVED.has(words[i]!.text) || /^[A-Za-z_]\w*=/.test(words[i]!.text))) i++;
    const rest = words.slice(i);
    if (rest.length === 0 || NOT_A_COMMAND.has(rest[0]!.text) || /^\w+\(\)$/.test(rest[0]!.text)) continue;
    const unknown = unjudged(rest);
    if (unknown) {
      runs.push({ kind: 'unknown', why: `${JSON.stringify(unknown)} in ${JSON.stringify(text)} is only known when the shell runs` });
      continue;
    }
    const found = whatRuns(rest.map((w) => w.text), depth + 1);
    runs.push(...(moved ? relativeUnknown(found, moved) : found));
    if (['cd', 'pushd', 'popd'].includes(rest[0]!.text)) moved ??= rest[0]!.text;
  }
  const paths = pathWords(text).map((path): Runs => ({ kind: 'mentioned', path }));
  return [...runs, ...(moved ? relativeUnknown(paths, moved) : paths)];
}

/** The first word of a simple command that names what runs but is an expansion; undefined when none. */
function unjudged(words: readonly ShellWord[]): string | undefined {
  const argv = words.map((w) => w.text);
  // what whatRuns would take as programs and scripts: find them, and whether any of them expands
  const named = new Set(whatRuns(argv.map((a, i) => (words[i]!.expands ? `\0${i}` : a))).flatMap((r) => (r.kind === 'program' ? [r.name] : r.kind === 'script' ? [r.path] : [])));
  const at = [...named].find((n) => n.startsWith('\0'));
  return at === undefined ? undefined : words[Number(at.slice(1))]!.text;
}
