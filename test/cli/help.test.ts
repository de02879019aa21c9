// --help and the man page zonerw(8) say the same thing: every command and every option (long
// and short) that `zonerw <command> --help` shows is documented in bin/zonerw.8, under the
// right command, and every command and option the man page documents exists. Each command's
// --help has a one-line description, its options (with their defaults) and an example.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CONFIG } from '../../src/config/load.js';
import { EXIT } from '../../src/errors.js';
import { zonerw } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

/** `--help` output cut into its blocks: "Usage: ..." first, then one per "Heading:". */
interface Help {
  usage: string;
  description: string[];
  sections: Map<string, string[]>;
}

function parseHelp(text: string): Help {
  const blocks = text.replace(/\r/g, '').split(/\n\s*\n/).map((b) => b.split('\n')).filter((b) => b.some((l) => l.trim() !== ''));
  const [usage, ...rest] = blocks;
  assert.ok(usage && /^Usage: zonerw\b/.test(usage[0]!), `no Usage line in:\n${text}`);
  const help: Help = { usage: usage[0]!, description: usage.slice(1), sections: new Map() };
  for (const block of rest) {
    const heading = /^(\S[^:]*):$/.exec(block[0]!);
    if (heading) help.sections.set(heading[1]!, block.slice(1));
    else if (help.sections.size === 0 && help.description.length === 0) help.description = block;
    else help.sections.set(`(text) ${block[0]}`, block);
  }
  return help;
}

/** An option table's entries: the flags of each, and its whole text (continuation lines too). */
function optionEntries(lines: readonly string[] | undefined): { flags: string[]; text: string }[] {
  const entries: { flags: string[]; text: string }[] = [];
  for (const line of lines ?? []) {
    const m = /^ {2}(-{1,2}[\w-]+(?:, -{1,2}[\w-]+)*)(.*)$/.exec(line);
    if (m) entries.push({ flags: m[1]!.split(', '), text: line.trim() });
    else if (entries.length > 0 && /^ {3,}\S/.test(line)) entries[entries.length - 1]!.text += ` ${line.trim()}`;
  }
  return entries;
}

const flagsOf = (lines: readonly string[] | undefined) => optionEntries(lines).flatMap((e) => e.flags);
const HELP_FLAGS = ['-h', '--help'];

/** The man page as (section, subsection, tag of a .TP or plain text) lines, fonts stripped. */
interface ManLine {
  section: string;
  sub: string;
  tag: boolean;
  text: string;
}

function roffArgs(rest: string): string[] {
  return [...rest.matchAll(/"((?:[^"]|"")*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function roffText(s: string): string {
  return s
    .replace(/\\f(?:[BIRP]|\(\w\w|\[\w*\])/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\\(dq/g, '"')
    .replace(/\\\((?:lq|rq)/g, '"')
    .replace(/\\\(mu/g, 'x')
    .replace(/\\&/g, '')
    .replace(/\\e/g, '\\');
}

function parseMan(src: string): { title: string; lines: ManLine[] } {
  let title = '';
  let section = '';
  let sub = '';
  let tagNext = false;
  const lines: ManLine[] = [];
  for (const raw of src.split('\n')) {
    if (raw.startsWith('.\\"') || raw.startsWith('\'\\"')) continue;
    const macro = /^\.(\w+)\s*(.*)$/.exec(raw);
    let text: string | undefined;
    if (!macro) text = raw;
    else {
      const [, name, rest] = macro as unknown as [string, string, string];
      if (name === 'TH') title = rest;
      else if (name === 'SH') {
        section = roffArgs(rest).join(' ');
        sub = '';
      } else if (name === 'SS') sub = roffArgs(rest).join(' ');
      else if (name === 'TP') tagNext = true;
      else if (name === 'B' || name === 'I') text = roffArgs(rest).join(' ');
      else if (/^(?:[BIR]){2}$/.test(name)) text = roffArgs(rest).join(''); // alternating fonts
      if (['SH', 'SS', 'PP', 'IP'].includes(name)) tagNext = false;
    }
    if (text === undefined || text.trim() === '') continue;
    lines.push({ section, sub, tag: tagNext, text: roffText(text) });
    tagNext = false;
  }
  return { title, lines };
}

const manFlags = (text: string) => text.split(/[\s,|[\]]+/).filter((w) => /^-{1,2}[a-zA-Z][\w-]*$/.test(w));

let programHelp: Help;
const commandHelp = new Map<string, Help>();
let commands: string[];
let man: { title: string; lines: ManLine[] };
let manSource: string;

before(async () => {
  const top = await zonerw(['--help']);
  assert.equal(top.code, 0, top.stderr);
  programHelp = parseHelp(top.stdout);
  commands = (programHelp.sections.get('Commands') ?? []).map((l) => /^ {2}([\w-]+)/.exec(l)?.[1]).filter((c): c is string => !!c);
  await Promise.all(
    commands.filter((c) => c !== 'help').map(async (c) => {
      const r = await zonerw([c, '--help']);
      assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
      commandHelp.set(c, parseHelp(r.stdout));
    }),
  );
  const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { man?: string | string[] };
  const manFiles = [pkg.man ?? []].flat();
  assert.deepEqual(manFiles.map((f) => f.replace(/^\.\//, '')), ['bin/zonerw.8'], 'package.json "man" ships bin/zonerw.8');
  manSource = await readFile(join(repoRoot, 'bin', 'zonerw.8'), 'utf8');
  man = parseMan(manSource);
});

test('--help lists the commands; each command has a one-line description, options and an example', () => {
  for (const c of ['run', 'status', 'check', 'pin']) assert.ok(commands.includes(c), `zonerw --help lists ${c}: ${commands.join(', ')}`);
  for (const [name, help] of [['zonerw', programHelp] as const, ...[...commandHelp].map(([c, h]) => [`zonerw ${c}`, h] as const)]) {
    assert.equal(help.description.length, 1, `${name} --help: a description of one line (at 80 columns), not:\n${help.description.join('\n')}`);
    assert.match(help.description[0]!, /^\S.{10,}/, `${name} --help: a description`);
    const options = flagsOf(help.sections.get('Options'));
    assert.ok(options.includes('--help'), `${name} --help: an Options section`);
    const example = [...help.sections].find(([h]) => /^Examples?\b/.test(h));
    assert.ok(example && example[1].some((l) => /^ {2}.*\bzonerw\b/.test(l)), `${name} --help: an Example(s) section with a zonerw command line`);
    if (name !== 'zonerw') assert.ok(help.sections.has('Global Options'), `${name} --help shows the global options (-c and its default)`);
  }
});

test('every option that takes a value shows its default, unless it has none', () => {
  const withoutDefault = new Set(['--reason']); // options whose absence means "none": nothing to show
  for (const [name, help] of [['zonerw', programHelp] as const, ...[...commandHelp].map(([c, h]) => [`zonerw ${c}`, h] as const)]) {
    for (const e of optionEntries(help.sections.get('Options'))) {
      if (!/<\w+>|\[\w+\]/.test(e.text) || e.flags.some((f) => withoutDefault.has(f))) continue;
      assert.match(e.text, /\(default: [^)]+\)/, `${name}: ${e.flags.join(', ')} takes a value: say its default, "(default: ...)"`);
    }
  }
  const config = optionEntries(programHelp.sections.get('Options')).find((e) => e.flags.includes('--config'));
  assert.ok(config, '--config in zonerw --help');
  assert.ok(config.text.includes('$ZONERW_CONFIG') && config.text.includes(DEFAULT_CONFIG), `--config default: ${config.text}`);
});

test('the program help lists every exit code, and the man page the same ones', () => {
  const codes = [...new Set(Object.values(EXIT))].sort((a, b) => a - b).map(String);
  const helpCodes = (programHelp.sections.get('Exit status') ?? []).map((l) => /^ {2}(\d+)\s/.exec(l)?.[1]).filter((c): c is string => !!c);
  assert.deepEqual(helpCodes, codes, 'zonerw --help "Exit status:" lists every EXIT code, in order');
  const manCodes = man.lines.filter((l) => l.section === 'EXIT STATUS' && l.tag).map((l) => l.text.trim());
  assert.deepEqual(manCodes, codes, 'zonerw(8) EXIT STATUS lists every EXIT code, in order');
});

test('the man page has the sections of zonerw(8)', () => {
  assert.match(man.title, /^ZONERW 8\b/);
  const sections = [...new Set(man.lines.map((l) => l.section))];
  const wanted = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'CONFIGURATION', 'FILES', 'EXIT STATUS', 'ENVIRONMENT', 'EXAMPLES', 'SEE ALSO'];
  assert.deepEqual(sections.filter((s) => wanted.includes(s)), wanted, `sections in this order: ${sections.join(', ')}`);
  const name = man.lines.find((l) => l.section === 'NAME');
  assert.match(name?.text ?? '', /^zonerw - \S/, 'NAME: "zonerw \\- what it does"');
  const env = man.lines.filter((l) => l.section === 'ENVIRONMENT' && l.tag).map((l) => l.text).join(' ');
  for (const v of ['ZONERW_CONFIG', 'ZONERW_NOW']) assert.ok(env.includes(v), `ENVIRONMENT documents ${v}`);
  // roff: an unescaped "-" in an option is a hyphen, not a minus, and man pages copy badly
  const bare = manSource.split('\n').filter((l) => !l.startsWith('.\\"') && /(?:^|[\s[(])--?[a-z]/.test(l));
  assert.deepEqual(bare, [], 'options in the man page are written \\-x, \\-\\-long');
});

test('every command in --help is in the man page, and every command there is in --help', () => {
  const manCommands = man.lines.filter((l) => l.section === 'COMMANDS' && l.tag).map((l) => l.text.split(/\s+/)[0]!);
  for (const c of commands) assert.ok(manCommands.includes(c), `zonerw(8) COMMANDS: document "${c}" (a .TP whose tag starts with \\fB${c}\\fR)`);
  for (const c of manCommands) assert.ok(commands.includes(c), `zonerw(8) COMMANDS documents "${c}", which zonerw --help does not list`);
});

test('every option in --help is in the man page under its command, and the man page documents no other', () => {
  const manOptions = new Map<string, Set<string>>(); // "Global options" | "Options of run" ... -> flags
  for (const l of man.lines.filter((x) => x.section === 'OPTIONS' && x.tag)) {
    const set = manOptions.get(l.sub) ?? new Set<string>();
    for (const f of manFlags(l.text)) set.add(f);
    manOptions.set(l.sub, set);
  }
  for (const sub of manOptions.keys()) {
    const cmd = /^Options of (\S+)$/.exec(sub)?.[1];
    assert.ok(sub === 'Global options' || (cmd && commandHelp.has(cmd)), `zonerw(8) OPTIONS: subsection "${sub}" is "Global options" or "Options of COMMAND" for a command of --help`);
  }
  const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

  // the program's options are the global ones, -h and -V included
  const global = sorted(flagsOf(programHelp.sections.get('Options')));
  assert.deepEqual(sorted(manOptions.get('Global options') ?? []), global, 'zonerw(8) "Global options" = the options of zonerw --help');

  for (const [c, help] of commandHelp) {
    const own = sorted(flagsOf(help.sections.get('Options')).filter((f) => !HELP_FLAGS.includes(f)));
    assert.deepEqual(sorted(manOptions.get(`Options of ${c}`) ?? []), own, `zonerw(8) "Options of ${c}" = the options of zonerw ${c} --help`);
    for (const f of flagsOf(help.sections.get('Global Options'))) assert.ok(global.includes(f), `zonerw ${c} --help: global option ${f} is in zonerw(8) "Global options"`);
  }

  // and nothing in SYNOPSIS or COMMANDS names an option that does not exist
  const known = new Set([...global, ...[...commandHelp.values()].flatMap((h) => flagsOf(h.sections.get('Options')))]);
  for (const l of man.lines.filter((x) => x.section === 'SYNOPSIS' || (x.section === 'COMMANDS' && x.tag))) {
    for (const f of manFlags(l.text)) assert.ok(known.has(f), `zonerw(8) ${l.section} names ${f}, which no --help shows: "${l.text}"`);
  }
});

test('the man page names the same option values (<file>, <duration>, <text>) as --help', () => {
  const manValue = new Map<string, string>();
  for (const l of man.lines.filter((x) => x.section === 'OPTIONS' && x.tag)) {
    const m = /(--[\w-]+) (\w+)$/.exec(l.text.trim());
    if (m) manValue.set(m[1]!, m[2]!);
  }
  for (const help of [programHelp, ...commandHelp.values()]) {
    for (const line of help.sections.get('Options') ?? []) {
      const m = /^ {2}(?:-\w, )?(--[\w-]+) <(\w+)>/.exec(line);
      if (m) assert.equal(manValue.get(m[1]!), m[2], `zonerw(8): ${m[1]} \\fI${m[2]}\\fR, as --help writes it`);
    }
  }
});
