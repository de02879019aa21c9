// Whom zonerw trusts: a file it runs or reads as instructions, and every folder above it, must be
// owned by root or by the user zonerw runs as, and writable by no one else, as sudo does for
// sudoers, cron for crontabs and sshd's StrictModes for keys. Pure: the facts of one path come
// in (owner, group, mode, kind), a verdict goes out; the walk over the folders is the adapter's.

/** The user zonerw runs as (its effective uid and primary gid), and its name when it has one. */
export interface Runner {
  uid: number;
  gid: number;
  name?: string;
}

/** What lstat says of one path, with the owner's and group's names when the system has them. */
export interface PathFacts {
  path: string;
  uid: number;
  gid: number;
  /** st_mode: the permission bits and the file type bits */
  mode: number;
  kind: 'file' | 'folder' | 'link' | 'other';
  owner?: string;
  group?: string;
}

/** `target`: the file (or folder) itself; `above`: a folder on the way to it, whose writers could rename or replace what is below. */
export type Place = 'target' | 'above';

/**
 * Besides root and zonerw's own user, the nameserver's user and group (nsd, bind, knot) may own
 * and write zone_dir, the folders above it and the files it includes: they are its files (BIND
 * writes journals and inline-signed files beside the zone files; Debian's /var/lib/nsd is nsd's).
 */
export interface Also {
  /** its name, for messages */
  name: string;
  uid?: number;
  gid?: number;
}

const S_ISVTX = 0o1000;
const GROUP_WRITE = 0o020;
const OTHER_WRITE = 0o002;

/** Why this path cannot be trusted, with the fix; undefined when it can. */
export function untrusted(f: PathFacts, place: Place, who: Runner, also?: Also): { why: string; fix: string } | undefined {
  if (f.uid !== 0 && f.uid !== who.uid && f.uid !== also?.uid) {
    const owners = ['root', ...(who.uid === 0 ? [] : [runnerName(who)]), ...(also ? [also.name] : [])];
    return { why: `is owned by another user than ${owners.join(' or ')}`, fix: `chown root ${shellWord(f.path)}` };
  }
  // A symbolic link's own mode means nothing (always 0777); its folder and its target are judged.
  if (f.kind === 'link') return undefined;
  // A sticky folder lets each user rename or remove only its own entries (like /tmp): what is
  // below it is safe when it is root's or zonerw's own, which the walk checks entry by entry.
  const sticky = f.kind === 'folder' && place === 'above' && (f.mode & S_ISVTX) !== 0;
  if (f.mode & OTHER_WRITE && !sticky) return { why: 'is writable by every user', fix: `chmod go-w ${shellWord(f.path)}` };
  const trustedGroup = f.gid === 0 || f.gid === who.gid || f.gid === also?.gid;
  if (f.mode & GROUP_WRITE && !trustedGroup && !sticky) {
    const groups = ['root', runnerName(who), ...(also ? [also.name] : [])].filter((g, i, all) => all.indexOf(g) === i);
    return { why: `is writable by the group ${named(f.group, 'gid', f.gid)}, which is not ${groups.map((g) => `${g}'s`).join(' or ')} group`, fix: `chmod g-w ${shellWord(f.path)}` };
  }
  return undefined;
}

/**
 * One line for a path that cannot be trusted: what it is, why, its owner and mode, and the fix.
 * `what`: what zonerw would do with it ("the config file", "hook[0].run"); `below`: the file it
 * leads to, when the path is a folder above it or a link to it.
 */
export function describeUntrusted(f: PathFacts, place: Place, who: Runner, what: string, opts: { below?: string; also?: Also } = {}): string | undefined {
  const verdict = untrusted(f, place, who, opts.also);
  if (!verdict) return undefined;
  const { below } = opts;
  const role = below === undefined ? what : f.kind === 'link' ? `${what} (${below}) is reached through this link, which` : `${what} (${below}) is below this folder, which`;
  return `${f.path}: ${role} ${verdict.why} (owner ${named(f.owner, 'uid', f.uid)}, group ${named(f.group, 'gid', f.gid)}, mode ${modeString(f.mode)}); zonerw runs and reads nothing another user could change: ${verdict.fix}`;
}

/** "0644", "1777": the permission bits as chmod takes them. */
export function modeString(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function named(name: string | undefined, kind: 'uid' | 'gid', id: number): string {
  return name !== undefined ? `${name} (${kind} ${id})` : `${kind} ${id}`;
}

function runnerName(who: Runner): string {
  return who.name ?? `uid ${who.uid}`;
}

/** A path as one shell word: quoted when it holds anything but the plain characters. */
function shellWord(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/**
 * The PATH a hook runs with, and its program is looked up on (then the sbin folders): the
 * system's folders, whatever PATH zonerw was started with.
 */
export const HOOK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
