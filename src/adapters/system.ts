// What `zonerw check` asks of the machine besides DNS: which nameserver daemons run (/proc), what
// the systemd unit lets a run write (its unit file and drop-ins), and whether the nameserver's
// user can read the zone files (/etc/passwd, /etc/group, the mode bits). Reads only.
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { System, UnitSandbox } from '../run/ports.js';

const DAEMONS = new Set(['nsd', 'named', 'knotd']);
const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];

async function runningNameservers(): Promise<{ name: string; uid: number; system: boolean }[]> {
  const found = new Map<string, { name: string; uid: number; system: boolean }>();
  const pids = await readdir('/proc').catch(() => [] as string[]);
  await Promise.all(pids.filter((p) => /^\d+$/.test(p)).map(async (pid) => {
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
    if (!DAEMONS.has(comm)) return;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const uid = /^Uid:\s+\d+\s+(\d+)/m.exec(status)?.[1];
    // started by the system (systemd, or a daemon that detached), not by a user's shell or a test
    const system = /^PPid:\s+1$/m.test(status);
    const key = `${comm} ${uid} ${system}`;
    if (uid !== undefined) found.set(key, { name: comm, uid: Number(uid), system });
  }));
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.uid - b.uid);
}

/** The unit file (the first found, as systemd looks) and its drop-ins, in order; `ReadWritePaths=` empty resets the list. */
async function unitSandbox(unit: string): Promise<UnitSandbox | undefined> {
  let main: string | undefined;
  for (const dir of UNIT_DIRS) {
    const text = await readFile(join(dir, unit), 'utf8').catch(() => undefined);
    if (text !== undefined) {
      main = join(dir, unit);
      break;
    }
  }
  if (!main) return undefined;
  const dropIns: string[] = [];
  for (const dir of [...UNIT_DIRS].reverse()) {
    const names = await readdir(join(dir, `${unit}.d`)).catch(() => [] as string[]);
    dropIns.push(...names.filter((n) => n.endsWith('.conf')).sort().map((n) => join(dir, `${unit}.d`, n)));
  }
  const sandbox: UnitSandbox = { files: [main, ...dropIns], readWritePaths: [] };
  for (const file of sandbox.files) {
    const text = await readFile(file, 'utf8').catch(() => '');
    let section = '';
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line.startsWith('[')) section = line;
      if (section !== '[Service]') continue;
      const m = /^(ProtectSystem|ReadWritePaths)\s*=\s*(.*)$/.exec(line);
      if (!m) continue;
      if (m[1] === 'ProtectSystem') sandbox.protectSystem = m[2]!;
      else if (m[2] === '') sandbox.readWritePaths = [];
      else sandbox.readWritePaths.push(...m[2]!.split(/\s+/).map((p) => p.replace(/^[-+]/, '')));
    }
  }
  return sandbox;
}

interface Account {
  name: string;
  uid: number;
  gids: Set<number>;
}

async function account(uid: number): Promise<Account> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const entry = passwd.split('\n').map((l) => l.split(':')).find((f) => f[2] === String(uid));
  if (!entry) return { name: `uid ${uid}`, uid, gids: new Set() };
  const name = entry[0]!;
  const gids = new Set([Number(entry[3])]);
  const group = await readFile('/etc/group', 'utf8').catch(() => '');
  for (const f of group.split('\n').map((l) => l.split(':'))) if ((f[3] ?? '').split(',').includes(name)) gids.add(Number(f[2]));
  return { name, uid, gids };
}

/** The permission bits `a` gets on a file: owner, group, else other. */
function bits(a: Account, s: { uid: number; gid: number; mode: number }): number {
  if (a.uid === 0) return 7;
  if (s.uid === a.uid) return (s.mode >> 6) & 7;
  if (a.gids.has(s.gid)) return (s.mode >> 3) & 7;
  return s.mode & 7;
}

/** Why the user `uid` cannot read `path`: every folder above needs x, a folder r and x, a file r. Undefined when it can. */
async function cannotRead(uid: number, path: string): Promise<string | undefined> {
  const a = await account(uid);
  const user = a.name;
  const full = resolve(path);
  const chain: string[] = [];
  for (let p = dirname(full); ; p = dirname(p)) {
    chain.unshift(p);
    if (p === dirname(p)) break;
  }
  for (const dir of chain) {
    const s = await stat(dir).catch(() => undefined);
    if (s && !(bits(a, s) & 1)) return `${user} cannot enter ${dir} (mode ${(s.mode & 0o777).toString(8)})`;
  }
  const s = await stat(full).catch(() => undefined);
  if (!s) return undefined;
  const need = s.isDirectory() ? 5 : 4;
  if ((bits(a, s) & need) !== need) return `${user} cannot ${s.isDirectory() ? 'list' : 'read'} ${full} (mode ${(s.mode & 0o777).toString(8)}, owner uid ${s.uid}, group gid ${s.gid})`;
  return undefined;
}

export const systemView: System = {
  runningNameservers,
  unitSandbox,
  cannotRead,
  underSystemd: (env) => env.INVOCATION_ID !== undefined,
};
