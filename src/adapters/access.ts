// Permission errors, said so that a dedicated user's admin can act on them at once: every
// EACCES or EPERM names the path, the user zonerw runs as (name and uid), and the fix. Only
// read when something failed (os.userInfo is a passwd lookup).
import { describeFsError } from '../core/format.js';
import { userInfo } from 'node:os';

/** The effective user: its name when the passwd database has one. */
export interface RunningAs {
  uid: number;
  gid: number;
  name?: string;
}

export function runningAs(): RunningAs {
  const uid = process.geteuid?.() ?? -1;
  const gid = process.getegid?.() ?? -1;
  try {
    const { username } = userInfo();
    return { uid, gid, name: username };
  } catch {
    return { uid, gid }; // a uid without a passwd entry (a container's arbitrary uid)
  }
}

/** "zonerw, uid 999", or "uid 999" without a name */
export function describeUser(u: RunningAs = runningAs()): string {
  return u.name ? `${u.name}, uid ${u.uid}` : `uid ${u.uid}`;
}

/** How the user is named in a command line: its name, else its uid. */
const who = (u: RunningAs) => u.name ?? String(u.uid);

export function isAccessError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * EROFS on a folder zonerw writes: under systemd (INVOCATION_ID set) the unit's sandbox
 * (ProtectSystem=strict) leaves it read-only unless it is in ReadWritePaths; else a read-only mount.
 */
export function readOnlyFix(folder: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.INVOCATION_ID !== undefined
    ? `${folder} is read-only for this systemd unit (ProtectSystem=strict); add it with systemctl edit zonerw: [Service] ReadWritePaths=${folder}`
    : `${folder} is on a read-only file system (mount it read-write); when zonerw runs from zonerw.service, add it with systemctl edit zonerw: [Service] ReadWritePaths=${folder}`;
}

/** What the user lacks, to say how to give it. */
export type Need =
  /** create, rename and remove files in this folder */
  | { write: string }
  /** this folder, which zonerw would create where it may not */
  | { create: string }
  /** read this file */
  | { read: string }
  /** list this folder */
  | { list: string }
  /** own this file (zonerw replaces it keeping its owner, which only its owner or root can do) */
  | { own: string; gid?: number };

/** The fix for a missing right, as one clause: "give zonerw write access to /var/lib/zonerw (chown zonerw /var/lib/zonerw)". */
export function fixFor(need: Need, u: RunningAs = runningAs()): string {
  const name = who(u);
  if ('write' in need) return `give ${name} write access to ${need.write} (chown ${name} ${need.write})`;
  if ('create' in need) return `create ${need.create} for ${name} (install -d -o ${name} -m 0755 ${need.create})`;
  if ('list' in need) return `give ${name} read access to ${need.list} (chmod a+rx ${need.list})`;
  if ('read' in need) return `give ${name} read access to ${need.read} (chmod a+r ${need.read})`;
  // Keeping a group needs membership of it; else (or not knowing it) the user's own group will do.
  const inGroup = need.gid !== undefined && (need.gid === u.gid || (process.getgroups?.() ?? []).includes(need.gid));
  return `make ${name} its owner (chown ${name}${inGroup ? '' : ':'} ${need.own}), or run zonerw as root`;
}

/**
 * A file-system error for a message: `EACCES: permission denied (running as zonerw, uid 999):
 * give zonerw write access to /var/lib/zonerw (chown zonerw /var/lib/zonerw)` for a permission
 * error, the plain `ENOSPC: no space left on device` for any other.
 */
export function describeAccessError(err: unknown, need: Need): string {
  const words = describeFsError(err);
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EROFS' && 'write' in need) return `${words}: ${readOnlyFix(need.write)}`;
  if (!isAccessError(err)) return words;
  const u = runningAs();
  // Root is refused only by what no chown fixes (a read-only or immutable file, NFS root_squash, an LSM).
  if (u.uid === 0) return words;
  return `${words} (running as ${describeUser(u)}): ${fixFor(need, u)}`;
}
