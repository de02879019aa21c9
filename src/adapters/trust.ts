// The file-system side of trust (core/trust.ts decides): lstat every folder from / down to a
// path, the link targets too (realpath), and find a program as a run will find it. One Trust per
// command: what it has looked at once it does not look at again (/, /etc, /usr/bin recur).
import { lstatSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { whatRuns } from '../core/runs.js';
import { describeUntrusted, untrusted, type Also, type PathFacts, type Place, type Runner } from '../core/trust.js';
import type { Trust } from '../run/ports.js';
import { resolveProgram, searchFolders } from './command.js';

/** The effective user, and its primary group: what a file may belong to besides root. */
export function runner(): Runner {
  const uid = process.geteuid?.() ?? -1;
  const gid = process.getegid?.() ?? -1;
  try {
    return { uid, gid, name: userInfo().username };
  } catch {
    return { uid, gid }; // a uid without a passwd entry
  }
}

export function createTrust(who: Runner = runner()): Trust {
  const facts = new Map<string, Promise<PathFacts | undefined>>();
  const look = (path: string) => {
    let f = facts.get(path);
    if (!f) facts.set(path, (f = factsOf(path)));
    return f;
  };
  const names = lazyNames();

  /** Problems with one entry, in the words of core/trust.ts, owner and group named. */
  async function judge(f: PathFacts, place: Place, what: string, opts: { below?: string; also?: Also }): Promise<string | undefined> {
    if (!untrusted(f, place, who, opts.also)) return undefined;
    const { owner, group } = await names.of(f.uid, f.gid);
    return describeUntrusted({ ...f, ...(owner ? { owner } : {}), ...(group ? { group } : {}) }, place, who, what, opts);
  }

  /** `path` and every folder above it, as written and as resolved: none may be changed by another user. */
  async function path(p: string, what: string, opts: { nameserver?: string } = {}): Promise<string[]> {
    const target = resolve(p);
    const also = opts.nameserver !== undefined ? await names.ids(opts.nameserver) : undefined;
    const problems: string[] = [];
    let linked = false;
    const walk = async (full: string) => {
      for (const prefix of prefixes(full)) {
        const f = await look(prefix);
        if (!f) return; // missing: what exists above was judged; the steps after say it is missing
        if (f.kind === 'link') linked = true;
        const last = prefix === full;
        const problem = await judge(f, last ? 'target' : 'above', what, { ...(last ? {} : { below: target }), ...(also ? { also } : {}) });
        if (problem && !problems.includes(problem)) problems.push(problem);
      }
    };
    await walk(target);
    // the resolved path is another one only when a link was met on the way (saves a realpath per base file)
    const real = linked ? await realpath(target).catch(() => undefined) : undefined;
    if (real !== undefined && real !== target) await walk(real);
    return problems;
  }

  /** One entry of a folder judged already: the entry itself, unless it is a link (then all of path()). */
  async function entry(p: string, what: string): Promise<string[]> {
    const f = await look(resolve(p));
    if (!f) return [];
    if (f.kind === 'link') return path(p, what);
    const problem = await judge(f, 'target', what, {});
    return problem ? [problem] : [];
  }

  const walker: Walker = { look, path };
  return { path, entry, program: (argv, what, opts) => judgeProgram(walker, argv, what, opts) };
}

/** What judging a program needs of createTrust's walk: the facts of a path, and a path judged with the folders above it. */
interface Walker {
  look(path: string): Promise<PathFacts | undefined>;
  path(p: string, what: string, opts?: { nameserver?: string }): Promise<string[]>;
}

/**
 * The program of `argv` as a run finds it (a bare name on `searchPath`, then the sbin folders;
 * a relative path from `cwd`), and everything it runs in turn (core/runs.ts: the program an
 * exec wrapper runs, the script a shell reads, the commands and paths of `sh -c`): each must
 * be trusted, and so must every folder searched before the one a program is found in (a
 * program of the same name put there would run instead). `file` undefined: argv[0] not found
 * (said elsewhere).
 */
async function judgeProgram(w: Walker, argv: readonly string[], what: string, opts: { searchPath: string; cwd: string }): Promise<{ file?: string; problems: string[] }> {
  const problems: string[] = [];
  let file: string | undefined;
  const judged = new Set<string>();
  for (const [i, run] of whatRuns(argv).entries()) {
    if (run.kind === 'unknown') {
      problems.push(`${what}: zonerw cannot tell what it runs: ${run.why}; zonerw runs nothing it has not judged: name the program or script by its path in the config (or in a script of root's)`);
    } else if (run.kind === 'program') {
      const found = await judgeProgramFile(w, run.name, i === 0 ? what : `${what}: the program ${run.name}`, opts);
      if (i === 0) file = found.file;
      problems.push(...found.problems);
    } else {
      const at = resolve(opts.cwd, run.path);
      if (judged.has(at)) continue; // `. /x/h.sh` is a script and a path mentioned: said once
      judged.add(at);
      const isFile = run.kind === 'script' ? (await w.look(at)) !== undefined : (await stat(at).catch(() => undefined))?.isFile() === true;
      if (isFile) problems.push(...(await w.path(at, `${what}: the ${run.kind === 'script' ? 'script' : 'file'} ${run.path}`)));
    }
  }
  return { ...(file !== undefined ? { file } : {}), problems };
}

/** One program found as a run finds it, with the folders searched before it. */
async function judgeProgramFile(w: Walker, name: string, what: string, opts: { searchPath: string; cwd: string }): Promise<{ file?: string; problems: string[] }> {
  const given = name.includes('/') ? resolve(opts.cwd, name) : name;
  const file = await resolveProgram(given, opts.searchPath);
  if (file === undefined) return { problems: [] };
  const problems = await w.path(file, what);
  if (!name.includes('/')) {
    for (const dir of searchFolders(opts.searchPath)) {
      if (dir === dirname(file)) break;
      problems.push(...(await w.path(dir, `${what}: a folder searched before ${file}`)));
    }
  }
  return { file, problems };
}

/** "/", "/etc", "/etc/zonerw", "/etc/zonerw/zonerw.toml" */
function prefixes(full: string): string[] {
  const parts = full.split(sep).filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

async function factsOf(path: string): Promise<PathFacts | undefined> {
  try {
    // sync: a steady run of 1,000 zones looks at 1,000 base files, and an lstat through the
    // thread pool and a promise costs ten times the syscall (measured: 63 ms against 6)
    const s = lstatSync(path);
    const kind = s.isSymbolicLink() ? 'link' : s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
    return { path, uid: s.uid, gid: s.gid, mode: s.mode, kind };
  } catch {
    return undefined;
  }
}

interface Names {
  /** the names of a uid and a gid, for messages */
  of(uid: number, gid: number): Promise<{ owner?: string; group?: string }>;
  /** the uid of a user and its primary group (nsd, bind, knot) */
  ids(name: string): Promise<Also>;
}

/** Users and groups from /etc/passwd and /etc/group, read only when needed. */
function lazyNames(): Names {
  type Entry = { name: string; id: number; gid: number };
  let tables: Promise<{ users: Entry[]; groups: Entry[] }> | undefined;
  const table = async (file: string): Promise<Entry[]> => {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text.split('\n').flatMap((l) => {
      const [name, , id, gid] = l.split(':');
      return name && id && /^\d+$/.test(id) ? [{ name, id: Number(id), gid: Number(gid) }] : [];
    });
  };
  const load = () => (tables ??= Promise.all([table('/etc/passwd'), table('/etc/group')]).then(([users, groups]) => ({ users, groups })));
  return {
    async of(uid, gid) {
      const { users, groups } = await load();
      const owner = users.find((u) => u.id === uid)?.name;
      const group = groups.find((g) => g.id === gid)?.name;
      return { ...(owner !== undefined ? { owner } : {}), ...(group !== undefined ? { group } : {}) };
    },
    async ids(name) {
      const { users, groups } = await load();
      const user = users.find((u) => u.name === name);
      // its primary group (nsd's is nsd, bind's bind), else a group of its name
      const gid = user && Number.isInteger(user.gid) ? user.gid : groups.find((g) => g.name === name)?.id;
      return { name, ...(user ? { uid: user.id } : {}), ...(gid !== undefined ? { gid } : {}) };
    },
  };
}
