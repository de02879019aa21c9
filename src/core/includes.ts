// `$INCLUDE` directives (RFC 1035 section 5.1: `$INCLUDE <file-name> [<domain-name>] [<comment>]`).
// zonerw renders only base files, but the nameserver loads what they include, so the caller
// reads each included file, counts its records and scans it for markers. This module only
// finds the directives: the caller reads the files (relative paths against the folder the
// nameserver resolves them from) and calls findIncludes again on each included text to follow
// nested includes.
import { directiveName, fieldsOf, splitEntries, tokenize, type Token } from './lexer.js';

export interface IncludeRef {
  /**
   * The file name as the nameserver reads it: a quoted name without its quotes, backslashes
   * kept as written (BIND 9.18 opens `"a\ b"` as `a\ b`; Knot resolves escapes; NSD 4.6
   * takes no quotes at all), so names with blanks, quotes or backslashes are best avoided.
   */
  path: string;
  /** The origin for the included file, as written (RFC 1035 5.1; NSD wants it absolute). */
  origin?: string;
  /** The line of the `$INCLUDE` directive in the text it was found in. */
  line: number;
}

/** Every `$INCLUDE` of a zone file text, in order; one without a file name is left to the checker. */
export function findIncludes(text: string): IncludeRef[] {
  const found: IncludeRef[] = [];
  for (const entry of splitEntries(tokenize(text).tokens)) {
    if (directiveName(entry) !== '$INCLUDE') continue;
    const [directive, file, origin] = fieldsOf(entry);
    if (file === undefined) continue;
    const ref: IncludeRef = { path: unquote(file), line: directive!.line };
    if (origin !== undefined) ref.origin = unquote(origin);
    found.push(ref);
  }
  return found;
}

function unquote(t: Token): string {
  return t.kind === 'quoted' && t.text.length >= 2 && t.text.endsWith('"') ? t.text.slice(1, -1) : t.text;
}
