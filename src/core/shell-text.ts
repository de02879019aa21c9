// A shell's program text (`sh -c '...'`, `eval ...`) read as far as trust needs it: the simple
// commands in it, each as its words, and every word that looks like a path. Not a shell: quotes,
// backslashes, the command separators and redirections are understood; expansions are not done,
// only noticed (a word holding `$` or a backquote is marked, so that the caller can refuse to
// guess what it names).

/** One word of a simple command: its text without quotes; `expands` when it holds `$` or a backquote. */
export interface ShellWord {
  text: string;
  expands: boolean;
}

/** Ends a simple command (POSIX 2.9: lists, pipelines, subshells, command substitution). */
const SEPARATORS = ['&&', '||', ';;', '$(', ';', '&', '|', '\n', '(', ')', '`'];
/** Redirections: the word after one is a file name (or a here-document's delimiter), not a command. */
const REDIRECTS = ['<<-', '<<<', '<<', '>>', '<&', '>&', '<>', '>|', '<', '>'];

type Token = { op: string } | ShellWord;

/** The simple commands of `text`, each as its words (assignments and reserved words included). */
export function simpleCommands(text: string): ShellWord[][] {
  const commands: ShellWord[][] = [[]];
  let redirected = false;
  for (const t of tokens(text)) {
    if ('op' in t) {
      if (REDIRECTS.includes(t.op)) redirected = true;
      else if (commands.at(-1)!.length > 0) commands.push([]);
      continue;
    }
    if (redirected) redirected = false;
    else commands.at(-1)!.push(t);
  }
  return commands.filter((c) => c.length > 0);
}

/**
 * Every word in `text` that names a path: absolute, or relative from `./` or `../`; also the part
 * after `=` (`--file=/x`, `X=/x`). Words that expand or glob are left out: their path is not known.
 */
export function pathWords(text: string): string[] {
  const found: string[] = [];
  for (const t of tokens(text)) {
    if ('op' in t || t.expands) continue;
    for (const part of [t.text, ...t.text.split('=').slice(1)]) {
      if (/^(\/|\.\.?\/)/.test(part) && !/[*?[]/.test(part) && !found.includes(part)) found.push(part);
    }
  }
  return found;
}

function tokens(text: string): Token[] {
  const out: Token[] = [];
  let word: ShellWord | undefined;
  const end = () => {
    if (word) out.push(word);
    word = undefined;
  };
  const add = (s: string, expands = false) => {
    word ??= { text: '', expands: false };
    word.text += s;
    word.expands ||= expands;
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '#' && word === undefined) {
      i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
      continue;
    }
    const op = [...SEPARATORS, ...REDIRECTS].find((o) => text.startsWith(o, i));
    if (op) {
      end();
      out.push({ op });
      i += op.length;
    } else if (c === ' ' || c === '\t') {
      end();
      i++;
    } else if (c === '\\') {
      if (text[i + 1] !== '\n') add(text[i + 1] ?? '');
      i += 2;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const stop = close < 0 ? text.length : close;
      add(text.slice(i + 1, stop));
      i = stop + 1;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) s += text[++j];
        else s += text[j];
      }
      add(s, /[$`]/.test(s));
      i = j + 1;
    } else {
      add(c, c === '$');
      i++;
    }
  }
  end();
  return out;
}
