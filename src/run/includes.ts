// Follow a zone's `$INCLUDE`s as its nameserver will: read every included file, nested ones
// too, from where the nameserver reads it (core/nameserver.ts, the profile's includesFrom), so that the
// plan counts what is loaded, markers there are reported, and an edit there is a change of the
// zone. Reads only, through deps.files; problems are returned, each naming a file and line.
import { dirname, isAbsolute, resolve } from 'node:path';
import { findIncludes } from '../core/includes.js';
import { presignedProblems } from '../core/dnssec.js';
import { formatProblem, includedFileProblems } from '../core/markers.js';
import type { IncludedFile } from '../core/run-plan.js';
import type { Files } from './ports.js';

/** NSD's limit: it skips an `$INCLUDE` nested deeper than 10. */
export const MAX_INCLUDE_DEPTH = 10;
/** A bound on the `$INCLUDE`s one zone may follow (a file included twice counts twice). */
export const MAX_INCLUDES = 1000;

export interface IncludeOptions {
  files: Pick<Files, 'read' | 'size' | 'identity'>;
  /** the folder a relative path is read from (NSD, BIND), and the top-level one for Knot */
  folder: string;
  /** Knot: a nested relative path is read from the including file's folder */
  fromIncludingFile: boolean;
  /** the largest file read, as for base files */
  maxBytes: number;
  encoding: BufferEncoding;
  /** a path as the user recognises it */
  show(path: string): string;
  /** texts already read, by path: a file included twice, or by the installed file too, is read once */
  cache?: Map<string, string>;
}

export interface Includes {
  included: IncludedFile[];
  /** each included file's identity, taken before it was read, by path */
  identities: Record<string, string>;
  problems: string[];
}

/** Every file `text` (shown as `shown`) includes, nested ones too, in the order the nameserver reads them. */
export async function readIncludes(text: string, shown: string, o: IncludeOptions): Promise<Includes> {
  const found: Includes = { included: [], identities: {}, problems: [] };
  const walk = { o: { ...o, cache: o.cache ?? new Map<string, string>() }, found };
  await follow(walk, text, { shown, folder: o.folder, chain: [] });
  return found;
}

interface Walk {
  o: IncludeOptions & { cache: Map<string, string> };
  found: Includes;
}

/** One file's includes, depth first; `chain` holds the paths of the files that led here. */
async function follow(w: Walk, text: string, from: { shown: string; folder: string; chain: string[] }): Promise<void> {
  for (const ref of findIncludes(text)) {
    const at = `${from.shown}:${ref.line}: $INCLUDE ${ref.path}`;
    if (w.found.included.length >= MAX_INCLUDES) return void w.found.problems.push(`${at}: more than ${MAX_INCLUDES} $INCLUDEs in one zone`);
    const path = isAbsolute(ref.path) ? ref.path : resolve(from.folder, ref.path);
    const shown = w.o.show(path);
    if (from.chain.includes(path)) return void w.found.problems.push(`${at}: ${shown} includes itself (through ${from.chain.map(w.o.show).join(', ')})`);
    if (from.chain.length >= MAX_INCLUDE_DEPTH) return void w.found.problems.push(`${at}: included files nested more than ${MAX_INCLUDE_DEPTH} deep (NSD's limit)`);
    const read = await readOne(w, path, shown);
    if ('problem' in read) {
      w.found.problems.push(`${at}: ${read.problem}`);
      continue;
    }
    // Markers there are never rendered, and signatures there break with every change zonerw makes
    // (a DNSKEY for a signing nameserver is fine): each one is an error of its own file and line.
    if (read.fresh) w.found.problems.push(...[...includedFileProblems(read.text, shown), ...presignedProblems(read.text, shown)].map(formatProblem));
    w.found.included.push({ path, shown, text: read.text });
    const folder = w.o.fromIncludingFile ? dirname(path) : w.o.folder;
    await follow(w, read.text, { shown, folder, chain: [...from.chain, path] });
  }
}

/** An included file's text (its identity recorded first; `fresh` the first time), or why it cannot be included. */
async function readOne(w: Walk, path: string, shown: string): Promise<{ text: string; fresh: boolean } | { problem: string }> {
  const cached = w.o.cache.get(path);
  if (cached !== undefined) return { text: cached, fresh: false };
  const { files } = w.o;
  try {
    const identity = files.identity(path);
    if (identity === undefined) return { problem: `${shown} does not exist` };
    w.found.identities[path] = identity;
    const size = (await files.size(path)) ?? 0;
    if (size > w.o.maxBytes) return { problem: `${shown} is too large (${size} bytes; an included file may have at most ${w.o.maxBytes})` };
    const text = await files.read(path, w.o.encoding);
    if (text === undefined) return { problem: `${shown} does not exist` };
    w.o.cache.set(path, text);
    return { text, fresh: true };
  } catch (e) {
    return { problem: (e as Error).message.replace(`cannot read ${path}: `, `cannot read ${shown}: `) };
  }
}
