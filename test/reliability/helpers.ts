// Shared by the reliability tests (test/reliability/*.test.ts): temp labs for the built binary,
// a seeded PRNG, a renderer for the base files these tests write (so expected zone files are
// computed independently of src/), RFC 1982 comparison, directory snapshots, a loopback
// "main server", and real mounts (tmpfs, read-only) where the machine allows them.
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { accessSync, constants, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';

/** A stack trace line in output: never acceptable in what zonerw prints. */
export const STACK = /\n\s+at |^\s+at .*:\d+:\d+\)?$/m;

export const MAIN = '192.0.2.1';
export const BACKUP = '198.51.100.7';
/** What a run says when the main server's check fails (attempts = 1). */
export const DOWN_LINE = `main ${MAIN} down (HTTP 503, 1 attempt); favouring backup ${BACKUP}`;

/** mulberry32: small, fast, seeded. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A test's seed: the environment variable `name` when set (to reproduce a failure), else the default. */
export function seedFrom(name: string, fallback: number): number {
  const s = process.env[name];
  return s !== undefined && s !== '' ? Number(s) >>> 0 : fallback;
}

// ------------------------------------------------------------------------- RFC 1982

const HALF = 0x8000_0000;
/** `a` is greater than `b` in RFC 1982 serial number arithmetic. Written here, not imported. */
export function serialGreater(a: number, b: number): boolean {
  return (a < b && b - a > HALF) || (a > b && a - b < HALF);
}

/** The SOA serial of the zone files these tests' base files render to. */
export function serialOf(text: string): number | undefined {
  const m = /IN SOA \S+ \S+ \( (\d+) /.exec(text);
  return m ? Number(m[1]) : undefined;
}

// ------------------------------------------------------------------ base files, renders

/**
 * A base file these tests can render themselves: `{SERIAL}` is `@serial number@`, `{IP}` is
 * `@IP@` in value form, and `{MAILIP}` is a comment-form slot (`192.0.2.1 ; @IP@`).
 */
export interface BaseSpec {
  zone: string;
  template: string;
}

export function baseSpec(zone: string, n: number, withIp = true): BaseSpec {
  const lines = [
    '$TTL 300',
    `@    IN SOA ns1.${zone}. hostmaster.${zone}. ( {SERIAL} 300 60 1209600 300 )`,
    `@    IN NS  ns1.${zone}.`,
    `ns1  IN A   ${BACKUP}`,
  ];
  if (withIp) lines.push('www  IN A   {IP}', 'mail IN A   {MAILIP} ; @IP@');
  for (let i = 0; i < n % 9; i++) lines.push(`h${i}   IN TXT  "record ${i} of ${zone}; padding ${'x'.repeat(40 + ((n * 7 + i) % 60))}"`);
  return { zone, template: `${lines.join('\n')}\n` };
}

export function baseText(spec: BaseSpec): string {
  return spec.template.replace('{SERIAL}', '@serial number@').replace('{IP}', '@IP@').replace('{MAILIP}', MAIN);
}

export function render(spec: BaseSpec, ip: string, serial: number): string {
  return spec.template.replace('{SERIAL}', String(serial)).replace('{IP}', ip).replace('{MAILIP}', ip);
}

/** The render with the serial left out: "the content" in the README's sense (Serials: "content changed"). */
export function contentOf(text: string): string {
  return text.replace(/(IN SOA \S+ \S+ \( )\d+ /, '$1- ');
}

// ------------------------------------------------------------------------------- labs

export interface BinLab {
  dir: string;
  conf: string;
  baseDir: string;
  zoneDir: string;
  stateDir: string;
  specs: BaseSpec[];
}

export interface LabOptions {
  /** TOML lines for [[server]] tables; default: main (checked at `checkUrl`) and backup */
  checkUrl?: string;
  /** extra TOML at the top level (before any table) */
  top?: string;
  /** the [nameserver] table's body; default kind none, checkzone never */
  nameserver?: string;
  zones?: BaseSpec[];
  /** create zone_dir (default true) */
  makeZoneDir?: boolean;
  /** [check] timeout (default "3s") */
  checkTimeout?: string;
}

/**
 * A fresh folder under the system temp folder; with `memory`, under /dev/shm when there is
 * one (a tmpfs: no fsync cost, for tests about processes dying, not machines losing power).
 */
export function tempRoot(prefix: string, o: { memory?: boolean } = {}): string {
  let parent = tmpdir();
  if (o.memory) {
    try {
      accessSync('/dev/shm', constants.W_OK);
      parent = '/dev/shm';
    } catch {
      // no /dev/shm: the ordinary temp folder
    }
  }
  return mkdtempSync(join(parent, `zonerw-rel-${prefix}-`));
}

export function serversToml(checkUrl?: string): string {
  const main = checkUrl
    ? `[[server]]\nname = "main"\naddress = "${MAIN}"\ncheck = "${checkUrl}"\n`
    : `[[server]]\nname = "main"\naddress = "${MAIN}"\n`;
  return `${main}[[server]]\nname = "backup"\naddress = "${BACKUP}"\n`;
}

export function makeBinLab(dir: string, o: LabOptions = {}): BinLab {
  const specs = o.zones ?? [baseSpec('example.com', 1)];
  const baseDir = join(dir, 'base');
  const zoneDir = join(dir, 'zones');
  const stateDir = join(dir, 'state');
  mkdirSync(baseDir, { recursive: true });
  if (o.makeZoneDir !== false) mkdirSync(zoneDir, { recursive: true });
  for (const s of specs) writeFileSync(join(baseDir, `${s.zone}.base`), baseText(s));
  const conf = join(dir, 'zonerw.toml');
  writeFileSync(
    conf,
    [
      'base_dir = "base"',
      'zone_dir = "zones"',
      'state_dir = "state"',
      o.top ?? '',
      '[nameserver]',
      o.nameserver ?? 'kind = "none"\ncheckzone = "never"',
      '[check]',
      `timeout = "${o.checkTimeout ?? '3s'}"`,
      'attempts = 1',
      'fail_after = 1',
      'recover_after = 1',
      serversToml(o.checkUrl),
    ].join('\n'),
  );
  return { dir, conf, baseDir, zoneDir, stateDir, specs };
}

/** Every regular entry of a folder, name -> bytes (folders are listed with an empty buffer). */
export function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    try {
      out.set(n, readFileSync(join(dir, n)));
    } catch {
      out.set(n, Buffer.alloc(0));
    }
  }
  return out;
}

export const TEMP = /^\..+\.zonerw-tmp-.+$/;
export function tempsIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => TEMP.test(n));
  } catch {
    return [];
  }
}

/** "line\n" * n -> ["line", ...]; an empty output is []. */
export function lines(s: string): string[] {
  return s === '' ? [] : s.replace(/\n$/, '').split('\n');
}

// ------------------------------------------------------------------- the "main server"

/** A loopback HTTP server standing for the main server: up (200), down (503), or holding. */
export class MainServer {
  mode: 'up' | 'down' | 'hold' = 'up';
  readonly held: ServerResponse[] = [];
  requests = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((_req, res) => {
      this.requests++;
      if (this.mode === 'hold') this.held.push(res);
      else {
        res.statusCode = this.mode === 'up' ? 200 : 503;
        res.end(this.mode);
      }
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Answers every held request with this status. */
  release(status: number): void {
    for (const res of this.held.splice(0)) {
      res.statusCode = status;
      res.end(String(status));
    }
  }

  async stop(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }
}

// ---------------------------------------------------------------------------- mounts

let mountable: boolean | undefined;

/** Whether this machine lets us mount a tmpfs (root on a VM or bare metal: yes; most containers: no). */
export function canMount(): boolean {
  if (mountable !== undefined) return mountable;
  const probe = mkdtempSync(join(tmpdir(), 'zonerw-rel-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    mountable = true;
  } catch {
    mountable = false;
  }
  rmSync(probe, { recursive: true, force: true });
  return mountable;
}

export function mountTmpfs(dir: string, sizeBytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
}

export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
}

/** Unmounts, lazily if busy; never throws (used in finally blocks). */
export function unmount(dir: string): void {
  const r = spawnSync('umount', [dir], { stdio: 'ignore' });
  if (r.status !== 0) spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
}

/**
 * Why zonerw cannot be run as nobody (65534) with `setpriv` here, or undefined when it can:
 * that needs root, and a checkout that nobody may read (not one under /root, say).
 */
export function cannotDropPrivileges(bin: string): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: setpriv cannot run zonerw as nobody';
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, bin, '--version'], { stdio: 'ignore' });
  return r.status === 0 ? undefined : `nobody cannot run ${bin} here (setpriv missing, or the checkout is not readable by others)`;
}

// ------------------------------------------------------------------------- whole trees

/** Every entry under `root`, relative path -> what it is (file bytes as latin1, `dir`, or `-> target`). */
export function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const p = rel ? join(root, rel) : root;
    let names: string[];
    try {
      names = readdirSync(p);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const r = rel ? `${rel}/${n}` : n;
      const full = join(root, r);
      const st = lstatSync(full);
      if (st.isSymbolicLink()) out.set(r, `-> ${readlinkSync(full)}`);
      else if (st.isDirectory()) {
        out.set(r, 'dir');
        walk(r);
      } else {
        let body: string;
        try {
          body = readFileSync(full, 'latin1');
        } catch (e) {
          body = `<unreadable: ${(e as NodeJS.ErrnoException).code}>`;
        }
        out.set(r, `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${body}`);
      }
    }
  };
  walk('');
  return out;
}

/** The paths that differ between two trees, outside the folders (relative paths) in `allowed`. */
export function changedOutside(before: Map<string, string>, after: Map<string, string>, allowed: readonly string[]): string[] {
  const inside = (p: string) => allowed.some((a) => p === a || p.startsWith(`${a}/`));
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => !inside(k) && before.get(k) !== after.get(k)).sort();
}
