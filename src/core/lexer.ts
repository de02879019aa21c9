// A small tokenizer for zone file text, after RFC 1035 section 5.1. It keeps every token's
// offsets into the source, so callers can rewrite a token without disturbing a single byte
// around it. It never throws: whatever it cannot make sense of becomes a LexProblem.

export type TokenKind = 'word' | 'quoted' | 'comment' | 'open' | 'close' | 'newline';

/** `text` is always `source.slice(start, end)`: raw, escapes and quotes included. */
export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  line: number;
}

export interface LexProblem {
  line: number;
  message: string;
}

/** One entry of a zone file: a resource record or a `$` directive, parentheses joined. */
export interface ZoneEntry {
  /** Its tokens, newlines inside parentheses included, the ending newline excluded. */
  tokens: Token[];
  /** The owner as written, or undefined when the line starts with blank space (RFC 1035 5.1: the previous owner). */
  owner: string | undefined;
  /** `$TTL`, `$ORIGIN`, `$INCLUDE`, ...: not a record, so it neither has nor sets an owner. */
  directive: boolean;
}

/** A word or quoted string of an entry: what RFC 1035 calls its fields. */
export interface Field {
  kind: TokenKind;
  text: string;
}

// RFC 1035 5.1 names blank (space, tab) as the separator; '\r' joins them so that CRLF files
// read like LF ones. '(' ')' ';' '"' end a word wherever they appear, as in BIND and NSD.
function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r';
}

function endsWord(c: string): boolean {
  return isBlank(c) || c === '\n' || c === ';' || c === '(' || c === ')' || c === '"';
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Where a backslash escape starting at `i` ends: `\DDD` or `\X` (RFC 1035 5.1), never across a newline. */
export function skipEscape(text: string, i: number): number {
  if (isDigit(text[i + 1]) && isDigit(text[i + 2]) && isDigit(text[i + 3])) return i + 4;
  if (i + 1 < text.length && text[i + 1] !== '\n') return i + 2;
  return i + 1;
}

function scanWord(text: string, i: number): number {
  while (i < text.length && !endsWord(text[i]!)) i = text[i] === '\\' ? skipEscape(text, i) : i + 1;
  return i;
}

/** The end of a quoted string opened at `i`, and whether its closing quote was found. */
function scanQuoted(text: string, i: number): { end: number; closed: boolean } {
  let j = i + 1;
  while (j < text.length && text[j] !== '\n') {
    if (text[j] === '"') return { end: j + 1, closed: true };
    j = text[j] === '\\' ? skipEscape(text, j) : j + 1;
  }
  // BIND rejects a newline inside quotes, so the string (and the problem) stop at the line end.
  return { end: trimCR(text, i, j), closed: false };
}

/** The end of a comment starting at `i`: the end of the line, its '\r' left out. */
function scanComment(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return trimCR(text, i, nl === -1 ? text.length : nl);
}

function trimCR(text: string, start: number, end: number): number {
  return end > start + 1 && text[end - 1] === '\r' ? end - 1 : end;
}

export function tokenize(text: string): { tokens: Token[]; problems: LexProblem[] } {
  const tokens: Token[] = [];
  const problems: LexProblem[] = [];
  const openLines: number[] = []; // lines of the '(' still open, to name the unclosed one
  let line = 1;
  let i = 0;
  const push = (kind: TokenKind, end: number): void => {
    tokens.push({ kind, text: text.slice(i, end), start: i, end, line });
    i = end;
  };
  while (i < text.length) {
    const c = text[i]!;
    if (isBlank(c)) {
      i++;
    } else if (c === '\n') {
      push('newline', i + 1);
      line++;
    } else if (c === ';') {
      push('comment', scanComment(text, i));
    } else if (c === '"') {
      const q = scanQuoted(text, i);
      if (!q.closed) problems.push({ line, message: 'unterminated quoted string' });
      push('quoted', q.end);
    } else if (c === '(') {
      openLines.push(line);
      push('open', i + 1);
    } else if (c === ')') {
      if (openLines.pop() === undefined) problems.push({ line, message: "unbalanced parenthesis: ')' without '('" });
      push('close', i + 1);
    } else {
      push('word', scanWord(text, i));
    }
  }
  if (openLines.length > 0) problems.push({ line: openLines[0]!, message: "unbalanced parenthesis: '(' is never closed" });
  return { tokens, problems };
}

/**
 * Groups tokens into entries. RFC 1035 5.1: an entry ends at the end of a line unless
 * parentheses are open; a line that starts with blank space reuses the previous owner.
 * Comment-only and blank lines belong to no entry, unless they sit inside parentheses.
 */
export function splitEntries(tokens: readonly Token[]): ZoneEntry[] {
  const entries: ZoneEntry[] = [];
  let current: ZoneEntry | undefined;
  let depth = 0;
  let lineStart = 0; // offset where the current physical line begins
  for (const t of tokens) {
    if (t.kind === 'newline') {
      if (depth === 0) current = undefined;
      else current?.tokens.push(t);
      lineStart = t.end;
      continue;
    }
    if (current === undefined && t.kind !== 'comment') {
      const owner = t.start === lineStart && (t.kind === 'word' || t.kind === 'quoted') ? t.text : undefined;
      current = { tokens: [], owner, directive: owner !== undefined && owner.startsWith('$') };
      if (current.directive) current.owner = undefined;
      entries.push(current);
    }
    current?.tokens.push(t);
    if (t.kind === 'open') depth++;
    if (t.kind === 'close' && depth > 0) depth--;
  }
  return entries;
}

/**
 * The name of a directive entry, upper-cased (`$TTL`, `$ORIGIN`, `$INCLUDE`, `$GENERATE`), or
 * undefined for a record. BIND, NSD and Knot read directive names without regard to case.
 */
export function directiveName(entry: ZoneEntry): string | undefined {
  return entry.directive ? entry.tokens[0]!.text.toUpperCase() : undefined;
}

/** The words and quoted strings of an entry, in order. */
export function fieldsOf(entry: ZoneEntry): Token[] {
  return entry.tokens.filter((t) => t.kind === 'word' || t.kind === 'quoted');
}

const CLASSES = new Set(['IN', 'CS', 'CH', 'HS']);

// RFC 1035 5.1: <rr> is [<TTL>] [<class>] <type> <RDATA>, the TTL and class in either order.
// A TTL starts with a digit (BIND also takes units, as in 1h); no type does.
function isTtlOrClass(f: Field): boolean {
  if (f.kind !== 'word') return false;
  const upper = f.text.toUpperCase();
  return isDigit(f.text[0]) || CLASSES.has(upper) || /^CLASS\d+$/.test(upper);
}

/**
 * The index, in `fields`, of the SOA serial of a record: the 3rd RDATA field after the type
 * (RFC 1035 3.3.13: MNAME RNAME SERIAL ...). -1 when the record's type is not SOA. The index
 * may lie past the end when the record is cut short.
 */
export function soaSerialIndex(fields: readonly Field[], hasOwner: boolean): number {
  const i = typeIndex(fields, hasOwner);
  return i !== -1 && fields[i]!.text.toUpperCase() === 'SOA' ? i + 3 : -1;
}

/** The index of a record's type field (after the owner, TTL and class), or -1. */
export function typeIndex(fields: readonly Field[], hasOwner: boolean): number {
  let i = hasOwner ? 1 : 0;
  while (i < fields.length && i < (hasOwner ? 3 : 2) && isTtlOrClass(fields[i]!)) i++;
  const type = fields[i];
  return type === undefined || type.kind !== 'word' ? -1 : i;
}

/** A serial is an unsigned 32-bit number (RFC 1035 3.3.13), written in decimal. */
function parseSerial(text: string): number | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n : undefined;
}

export function readSoaSerial(text: string): number | undefined {
  for (const entry of splitEntries(tokenize(text).tokens)) {
    if (entry.directive) continue;
    const fields = fieldsOf(entry);
    const at = soaSerialIndex(fields, entry.owner !== undefined);
    if (at === -1) continue;
    const serial = fields[at];
    return serial !== undefined && serial.kind === 'word' ? parseSerial(serial.text) : undefined;
  }
  return undefined;
}
