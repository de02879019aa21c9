// The loopback lab: real NSD, BIND and Knot primaries and secondaries on 127.0.0.1, a node:http
// "main server", and DNS queries over UDP, for the e2e tests and the demo.
//
// Facts this relies on are in /work/shared/dnslab.md. In short: every server runs in the
// foreground in its own folder (NSD `-d`, BIND `-g`, knotd by default), on its own free port,
// IPv4 loopback only; nsd-control and knotc talk over a unix socket in that folder, rndc over a
// TCP port with a key made by rndc-confgen. Readiness is proved by a DNS answer plus a working
// control command, never by sleeping. A primary starts fine without its zone file (NSD and BIND
// log "does not exist"/"file not found", Knot 3.2 "failed to parse zone file (not exists)"; all
// answer SERVFAIL, and load the file on a later `reload <zone>` / `zone-reload <zone>`), which
// is what zonerw's first run relies on.
//
// Every process is started in its own process group (NSD forks an xfrd and a server child),
// registered by pid, and killed by that group: by stop()/stopAll(), and synchronously with
// SIGKILL when this process exits or is interrupted, so nothing outlives a failed test.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as NetServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { delimiter, join, resolve } from 'node:path';
import { dnsQuery, type DnsResponse } from '../../src/adapters/dns-query.js';

const HOST = '127.0.0.1';
const SBIN_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin'];
/** The Debian packages the lab's servers and tools come from (as in .ci/run). */
const INSTALL = 'nsd bind9 bind9-dnsutils knot';

// ---------------------------------------------------------------------------------- ports

const handedOut = new Set<number>();

function bindUdp(port: number): Promise<number | undefined> {
  return new Promise((done) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      done(undefined);
    });
    s.bind(port, HOST, () => {
      const p = s.address().port;
      s.close(() => done(p));
    });
  });
}

function bindTcp(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createTcpServer();
    s.once('error', () => done(false));
    s.listen(port, HOST, () => s.close(() => done(true)));
  });
}

/** A port that is free on 127.0.0.1 for both UDP and TCP (and not handed out before by this process). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = await bindUdp(0);
    if (port === undefined || handedOut.has(port)) continue;
    if (!(await bindTcp(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: no port free for both UDP and TCP on 127.0.0.1 after 100 tries');
}

// ------------------------------------------------------------------------------- binaries

/** The absolute path of an executable found on PATH or in the sbin folders, else undefined. */
export function binaryPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return resolve(p);
    } catch {
      // next
    }
  }
  return undefined;
}

/** PATH with the sbin folders appended, for children that look nameserver tools up by name. */
export function labPath(path = process.env.PATH ?? ''): string {
  const have = path.split(delimiter).filter(Boolean);
  return [...have, ...SBIN_DIRS.filter((d) => !have.includes(d))].join(delimiter);
}

/**
 * true when `name` is installed. When it is not: under CI (process.env.CI set) throw, since CI
 * must install it; elsewhere false, so the caller can skip with a message.
 */
export function needBinary(name: string): boolean {
  if (binaryPath(name) !== undefined) return true;
  if (process.env.CI) {
    throw new Error(`${name} is not installed; CI must install it (apt-get install ${INSTALL})`);
  }
  return false;
}

function mustBinary(name: string): string {
  const p = binaryPath(name);
  if (p === undefined) throw new Error(`${name} is not installed (apt-get install ${INSTALL})`);
  return p;
}

// ------------------------------------------------------------------------- process registry

interface Tracked {
  pid: number;
  child: ChildProcess;
  what: string;
}

const running = new Map<number, Tracked>();
const httpServers = new Set<HttpTarget>();
const tcpServers = new Set<TcpTarget>();
let hooksInstalled = false;

function killGroupSync(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already; fall back to the pid itself
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

function killEverythingSync(): void {
  for (const t of running.values()) killGroupSync(t.pid, 'SIGKILL');
  running.clear();
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killEverythingSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killEverythingSync();
      // with our listener gone, the default action applies again: die of the same signal
      process.kill(process.pid, sig);
    });
  }
}

/**
 * The live processes of process group `pgid` (a stopped server's group). Zombies do not count:
 * they are dead and only wait for init to reap them, which can take a second in a container.
 */
export function liveGroupMembers(pgid: number): number[] {
  try {
    process.kill(-pgid, 0);
  } catch {
    return [];
  }
  if (!existsSync('/proc/self/stat')) return [pgid]; // no /proc: cannot tell zombies apart
  const live: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(rest[2]) === pgid && rest[0] !== 'Z') live.push(Number(e));
  }
  return live;
}

const groupAlive = (pgid: number) => liveGroupMembers(pgid).length > 0;

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM the process group, SIGKILL it after graceMs, and resolve once the pid and its group are gone. */
async function stopTracked(t: Tracked, graceMs = 5000): Promise<void> {
  if (!exited(t.child) || groupAlive(t.pid)) killGroupSync(t.pid, 'SIGTERM');
  const start = Date.now();
  let killed = false;
  for (;;) {
    if (exited(t.child) && !groupAlive(t.pid)) break;
    const waited = Date.now() - start;
    if (!killed && waited > graceMs) {
      killGroupSync(t.pid, 'SIGKILL');
      killed = true;
    }
    if (waited > graceMs + 5000) {
      running.delete(t.pid);
      throw new Error(`${t.what} (pid ${t.pid}) did not go away after SIGTERM and SIGKILL`);
    }
    await sleep(25);
  }
  running.delete(t.pid);
}

function launch(what: string, argv: string[], cwd: string, logFile: string): Tracked {
  installHooks();
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  if (child.pid === undefined) throw new Error(`${what}: could not start ${argv.join(' ')}`);
  child.on('error', () => {}); // reported through exitCode / the readiness check
  child.unref(); // a forgotten server must not keep the test process alive: the exit hook kills it
  const t: Tracked = { pid: child.pid, child, what };
  running.set(t.pid, t);
  return t;
}

/**
 * Stops every server this process started and has not stopped yet: nameservers by pid (SIGTERM,
 * then SIGKILL after 5 s), and the HTTP targets.
 */
export async function stopAll(): Promise<void> {
  const all = [...running.values()];
  const results = await Promise.allSettled([...all.map((t) => stopTracked(t)), ...[...httpServers, ...tcpServers].map((h) => h.stop())]);
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new Error(failed.map((f) => String(f.reason)).join('\n'));
}

// ------------------------------------------------------------------------------- DNS queries

type Response = DnsResponse;

/** One UDP query to 127.0.0.1:port; the decoded response, or undefined when nothing answered in time. */
export async function query(port: number, name: string, type: 'SOA' | 'A' | 'AAAA' | 'NS', timeoutMs = 1000): Promise<Response | undefined> {
  const r = await dnsQuery(HOST, port, name, type, timeoutMs);
  return 'response' in r ? r.response : undefined;
}

const sameName = (a: string, b: string) => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/** The zone's SOA serial as served on 127.0.0.1:port; undefined on no answer, SERVFAIL, REFUSED, or no SOA. */
export async function querySoaSerial(port: number, zone: string, timeoutMs = 1000): Promise<number | undefined> {
  const r = await query(port, zone, 'SOA', timeoutMs);
  if (!r || (r.rcode !== undefined && r.rcode !== 'NOERROR')) return undefined;
  for (const a of r.answers ?? []) {
    if (a.type === 'SOA' && sameName(a.name, zone)) return a.data.serial;
  }
  return undefined;
}

/** The A (or AAAA) records of `name` on 127.0.0.1:port, sorted; [] on no answer or an error rcode. */
export async function queryA(port: number, name: string, timeoutMs = 1000, type: 'A' | 'AAAA' = 'A'): Promise<string[]> {
  const r = await query(port, name, type, timeoutMs);
  if (!r || (r.rcode !== undefined && r.rcode !== 'NOERROR')) return [];
  return (r.answers ?? [])
    .flatMap((a) => (a.type === type && sameName(a.name, name) ? [String(a.data)] : []))
    .sort();
}

/** Polls `probe` until it returns something other than undefined; throws `timed out waiting for ${what}`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'a condition' } = opts;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out waiting for ${what} after ${timeoutMs} ms${why}`);
    }
    await sleep(intervalMs);
  }
}

// ----------------------------------------------------------------------------- nameservers

export interface NsOptions {
  /** the instance's own folder: config, pid file, logs, and (secondary) transferred zones */
  dir: string;
  role: 'primary' | 'secondary';
  port: number;
  zones: string[];
  /** primary: where the zone files live (zonerw's zone_dir); default: dir */
  zoneDir?: string;
  /** primary: the secondary's port (for NOTIFY); secondary: the primary's port */
  peerPort: number;
  /** NSD: its zonesdir, the folder it reads a relative path from ($INCLUDE among them); default: dir */
  workDir?: string;
  /**
   * primary, BIND or Knot: the nameserver signs the zones it loads from zonerw's unsigned files,
   * with keys it makes in DIR/keys (BIND) or its KASP database in DIR/db (Knot); see
   * signingBind and signingKnot, the snippets the README shows.
   */
  sign?: boolean;
  /**
   * Knot with `sign`: how it loads zonerw's file. `difference-no-serial` (the default, what the
   * README recommends) or `whole` (with `journal-content: none`, the unsigned setting), which
   * needs zonerw to number above the serial Knot serves.
   */
  knotLoad?: 'difference-no-serial' | 'whole';
  /** NSD only: the user it drops to after start (its `username:`), as Debian's nsd.conf says
   *  `nsd`; the instance folder is given to it. NSD then gives its control socket to that
   *  user's group, mode 0660. Default: stay root. */
  user?: string;
}

export interface NsInstance {
  kind: 'nsd' | 'bind' | 'knot';
  role: 'primary' | 'secondary';
  port: number;
  dir: string;
  pid: number;
  /** the argv prefix zonerw is configured with; append e.g. ['reload', zone] */
  control: string[];
  /** the server's log file (control commands received, zones loaded) */
  logFile: string;
  /** the log so far */
  log(): string;
  stop(): Promise<void>;
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function untilReady(t: Tracked, inst: NsInstance, probeZone: string): Promise<void> {
  try {
    await waitFor(
      async () => {
        if (exited(t.child)) {
          throw new Error(`${t.what} exited (${t.child.exitCode ?? t.child.signalCode}) while starting`);
        }
        // any answer at all, SERVFAIL included (a primary without its zone file yet)
        if ((await query(inst.port, probeZone, 'SOA', 300)) === undefined) return undefined;
        const r = spawnSync(inst.control[0]!, [...inst.control.slice(1), 'status'], { encoding: 'utf8', timeout: 5000 });
        return r.status === 0 ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 30, what: `${t.what} to answer on 127.0.0.1:${inst.port}` },
    );
  } catch (e) {
    if (exited(t.child)) running.delete(t.pid);
    else await stopTracked(t).catch(() => {});
    throw new Error(`${(e as Error).message}\n--- ${inst.logFile}:\n${tail(inst.logFile)}`);
  }
}

function instance(kind: NsInstance['kind'], o: NsOptions, t: Tracked, control: string[], logFile: string): NsInstance {
  return {
    kind,
    role: o.role,
    port: o.port,
    dir: o.dir,
    pid: t.pid,
    control,
    logFile,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    stop: () => stopTracked(t),
  };
}

function checkOptions(o: NsOptions): { dir: string; zoneDir: string } {
  if (o.zones.length === 0) throw new Error('at least one zone is needed');
  const dir = resolve(o.dir);
  const zoneDir = resolve(o.zoneDir ?? dir);
  mkdirSync(dir, { recursive: true });
  mkdirSync(zoneDir, { recursive: true });
  return { dir, zoneDir };
}

/**
 * NSD 4.x in the foreground (`nsd -d`). Starting a second time in the same folder (a restart)
 * is fine: the config is rewritten the same way, the state files are kept.
 */
export async function startNsd(o: NsOptions): Promise<NsInstance> {
  const nsd = mustBinary('nsd');
  const nsdControl = mustBinary('nsd-control');
  const { dir, zoneDir } = checkOptions(o);
  const q = (s: string) => JSON.stringify(s);
  const zones = o.zones.map((z) =>
    o.role === 'primary'
      ? `zone:\n    name: ${z}\n    zonefile: ${q(join(zoneDir, z))}\n` +
        `    notify: ${HOST}@${o.peerPort} NOKEY\n    provide-xfr: ${HOST} NOKEY\n`
      : `zone:\n    name: ${z}\n    zonefile: ${q(join(dir, `${z}.zone`))}\n` +
        `    allow-notify: ${HOST} NOKEY\n    request-xfr: ${HOST}@${o.peerPort} NOKEY\n`,
  );
  const conf = join(dir, 'nsd.conf');
  const logFile = join(dir, 'nsd.log');
  if (o.user) {
    const r = spawnSync('chown', ['-R', `${o.user}:`, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chown -R ${o.user}: ${dir}: ${r.stderr}`);
  }
  writeFileSync(
    conf,
    `# written by test/lab/lab.ts: NSD ${o.role} on ${HOST}@${o.port}
server:
    ip-address: ${HOST}@${o.port}
    do-ip6: no
    server-count: 1
    username: ${o.user ?? '""'}
    chroot: ""
    zonesdir: ${q(resolve(o.workDir ?? dir))}
    database: ""
    zonelistfile: ${q(join(dir, 'zone.list'))}
    xfrdfile: ${q(join(dir, 'xfrd.state'))}
    xfrdir: ${q(dir)}
    pidfile: ${q(join(dir, 'nsd.pid'))}
    logfile: ${q(logFile)}
    xfrd-reload-timeout: 0
    verbosity: 1
remote-control:
    control-enable: yes
    control-interface: ${q(join(dir, 'nsd.ctl'))}
${zones.join('')}`,
  );
  const t = launch(`nsd ${o.role} :${o.port}`, [nsd, '-d', '-c', conf], dir, join(dir, 'nsd.out'));
  const inst = instance('nsd', o, t, [nsdControl, '-c', conf], logFile);
  await untilReady(t, inst, o.zones[0]!);
  return inst;
}

/**
 * BIND 9.18 signs a zone it loads from zonerw's unsigned file (inline signing): the zone
 * statement's lines, as the README shows them. BIND keeps the signed zone in FILE.signed and
 * FILE.jnl beside the file, so the zone file's folder must be writable by named, and so must
 * the key directory; it serves max(zonerw's serial, its last signed serial + 1).
 */
export function signingBind(keyDir: string): string {
  return `  dnssec-policy default;\n  inline-signing yes;\n  key-directory ${JSON.stringify(keyDir)};\n`;
}

/**
 * Knot 3.2 signs a zone it loads from zonerw's unsigned file: the zone's lines, as the README
 * shows them. `difference-no-serial` + `journal-content: all`: Knot applies what changed in the
 * file to the zone it serves and numbers the result itself (serial-policy increment, from its
 * own last serial), so neither its re-signing nor zonerw's serials can make a change invisible
 * to the secondaries. `zonefile-sync: -1`: Knot never writes zonerw's file.
 */
export function signingKnot(policy: string, load: NsOptions['knotLoad'] = 'difference-no-serial'): string {
  const loading = load === 'whole' ? '    zonefile-load: whole\n    journal-content: none\n' : '    zonefile-load: difference-no-serial\n    journal-content: all\n';
  return `    dnssec-signing: on\n    dnssec-policy: ${policy}\n    zonefile-sync: -1\n${loading}    serial-policy: increment\n`;
}

/** A Knot signing policy (keys in its KASP database under `database: storage`), as the README shows it. */
export function knotPolicy(id: string): string {
  return `policy:\n  - id: ${id}\n    algorithm: ecdsap256sha256\n    single-type-signing: on\n`;
}

/**
 * BIND 9 in the foreground (`named -4 -g`), its log on stderr into DIR/named.log; rndc through
 * DIR/rndc.conf (its own key and a free control port). Restartable in the same folder.
 */
export async function startBind(o: NsOptions): Promise<NsInstance> {
  const named = mustBinary('named');
  const rndc = mustBinary('rndc');
  const { dir, zoneDir } = checkOptions(o);
  const keyFile = join(dir, 'rndc.key');
  if (!existsSync(keyFile)) {
    const r = spawnSync(mustBinary('rndc-confgen'), ['-a', '-k', 'lab', '-c', keyFile], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rndc-confgen failed: ${r.stderr}`);
  }
  const controlPort = await freePort();
  const q = (s: string) => JSON.stringify(s);
  if (o.sign) mkdirSync(join(dir, 'keys'), { recursive: true });
  const signing = o.sign ? signingBind(join(dir, 'keys')) : '';
  const zones = o.zones.map((z) =>
    o.role === 'primary'
      ? `zone ${q(z)} {\n  type primary;\n  file ${q(join(zoneDir, z))};\n  notify explicit;\n` +
        `  also-notify { ${HOST} port ${o.peerPort}; };\n  allow-transfer { ${HOST}; };\n  notify-delay 0;\n${signing}};\n`
      : `zone ${q(z)} {\n  type secondary;\n  file ${q(join(dir, `${z}.zone`))};\n  masterfile-format text;\n` +
        `  primaries { ${HOST} port ${o.peerPort}; };\n  allow-notify { ${HOST}; };\n  notify no;\n};\n`,
  );
  const conf = join(dir, 'named.conf');
  const rndcConf = join(dir, 'rndc.conf');
  const logFile = join(dir, 'named.log');
  writeFileSync(
    conf,
    `// written by test/lab/lab.ts: BIND ${o.role} on ${HOST} port ${o.port}
include ${q(keyFile)};
options {
  directory ${q(dir)};
  pid-file ${q(join(dir, 'named.pid'))};
  lock-file ${q(join(dir, 'named.lock'))};
  session-keyfile ${q(join(dir, 'session.key'))};
  managed-keys-directory ${q(dir)};
  dump-file ${q(join(dir, 'named_dump.db'))};
  statistics-file ${q(join(dir, 'named.stats'))};
  listen-on port ${o.port} { ${HOST}; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify-source ${HOST};
  transfer-source ${HOST};
};
controls { inet ${HOST} port ${controlPort} allow { ${HOST}; } keys { "lab"; }; };
${zones.join('')}`,
  );
  writeFileSync(
    rndcConf,
    `include ${q(keyFile)};\noptions { default-key "lab"; default-server ${HOST}; default-port ${controlPort}; };\n`,
  );
  const t = launch(`named ${o.role} :${o.port}`, [named, '-4', '-g', '-c', conf], dir, logFile);
  const inst = instance('bind', o, t, [rndc, '-c', rndcConf], logFile);
  await untilReady(t, inst, o.zones[0]!);
  return inst;
}

/**
 * Knot DNS 3.x, `knotd -c CONF` (foreground is knotd's default), its log on stderr into
 * DIR/knotd.log; knotc through the control socket DIR/knot.sock. Restartable in the same folder.
 *
 * - No `user:`: Knot's default is root:root, so knotd keeps the user that started it (Debian's
 *   own /etc/knot/knot.conf says `user: knot:knot`, which would need knot to own these folders).
 * - `database: storage` (timers, journal) is DIR/db, not zone_dir: zone_dir holds only the zone
 *   files zonerw writes. The zone's `storage`/`file` point at zone_dir/<zone> for a primary.
 * - Primary: `zonefile-sync: -1` (never write zonerw's file back), `zonefile-load: whole` and
 *   `journal-content: none` (the file is the whole truth; no journal that could hold a serial
 *   the file contradicts); NOTIFY to the peer, transfers allowed from 127.0.0.1.
 * - Secondary: `master:` the peer (Knot 3.2's word), NOTIFY allowed from 127.0.0.1.
 */
export async function startKnot(o: NsOptions): Promise<NsInstance> {
  const knotd = mustBinary('knotd');
  const knotc = mustBinary('knotc');
  const { dir, zoneDir } = checkOptions(o);
  const storage = join(dir, 'db');
  mkdirSync(storage, { recursive: true }); // knotd does not create it (and warns on every knotc call)
  const q = (s: string) => JSON.stringify(s);
  const primary = o.role === 'primary';
  const zones = o.zones.map((z) =>
    primary
      ? `  - domain: ${z}\n    storage: ${q(zoneDir)}\n    file: ${q(join(zoneDir, z))}\n    notify: peer\n    acl: peer\n` +
        (o.sign ? signingKnot('lab', o.knotLoad) : `    zonefile-sync: -1\n    zonefile-load: whole\n    journal-content: none\n`)
      : `  - domain: ${z}\n    storage: ${q(dir)}\n    file: ${q(join(dir, `${z}.zone`))}\n    master: peer\n    acl: peer\n`,
  );
  const conf = join(dir, 'knot.conf');
  const logFile = join(dir, 'knotd.log');
  writeFileSync(
    conf,
    `# written by test/lab/lab.ts: Knot ${o.role} on ${HOST}@${o.port}
server:
    rundir: ${q(dir)}
    pidfile: ${q(join(dir, 'knot.pid'))}
    listen: ${HOST}@${o.port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
control:
    listen: ${q(join(dir, 'knot.sock'))}
log:
  - target: stderr
    any: info
database:
    storage: ${q(storage)}
remote:
  - id: peer
    address: ${HOST}@${o.peerPort}
acl:
  - id: peer
    address: ${HOST}
    action: ${primary ? 'transfer' : 'notify'}
${primary && o.sign ? knotPolicy('lab') : ''}zone:
${zones.join('')}`,
  );
  const t = launch(`knotd ${o.role} :${o.port}`, [knotd, '-c', conf], dir, logFile);
  const inst = instance('knot', o, t, [knotc, '-c', conf], logFile);
  await untilReady(t, inst, o.zones[0]!);
  return inst;
}

// -------------------------------------------------------------------------- the "main server"

export interface HttpTarget {
  port: number;
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** the status every request gets from now on */
  setStatus(code: number): void;
  /** what was asked so far (Host header and path), oldest first */
  requests: { host: string | undefined; path: string | undefined }[];
  /** close the listener and every open connection: connections are refused from now on */
  stop(): Promise<void>;
  /** listen again on the SAME port */
  start(): Promise<void>;
}

/**
 * A listener on 127.0.0.1 that can be stopped (connections refused from then on) and started
 * again on the SAME port: the servers a test turns off and on. `close` ends its open connections.
 */
async function restartable(make: () => NetServer, close: (s: NetServer) => void): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void> }> {
  let server: NetServer | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((ok, fail) => {
      const s = make();
      s.once('error', fail);
      s.listen(port, HOST, () => {
        const a = s.address();
        if (a && typeof a === 'object') port = a.port;
        server = s;
        ok();
      });
    });
  await listen();
  return {
    port,
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      await new Promise<void>((ok) => {
        s.close(() => ok());
        close(s);
      });
    },
    async start() {
      if (!server) await listen();
    },
  };
}

/** A node:http server on 127.0.0.1 answering every request with `status` (default 200). */
export async function startHttp(status = 200): Promise<HttpTarget> {
  let code = status;
  const requests: HttpTarget['requests'] = [];
  const listener = await restartable(
    () =>
      createServer((req, res) => {
        requests.push({ host: req.headers.host, path: req.url });
        res.writeHead(code, { 'content-type': 'text/plain', connection: 'close' });
        res.end(`lab main server: ${code}\n`);
      }),
    (s) => (s as Server).closeAllConnections(),
  );
  const target: HttpTarget = {
    ...listener,
    url: `http://${HOST}:${listener.port}/`,
    requests,
    setStatus(c) {
      code = c;
    },
  };
  httpServers.add(target);
  return target;
}


// ------------------------------------------------------------------- a TCP service (a mail host)

export interface TcpTarget {
  port: number;
  /** 127.0.0.1:PORT, as a tcp check names it */
  address: string;
  /** how many connections it took so far */
  connections(): number;
  /** close the listener and every open connection: connections are refused from now on */
  stop(): Promise<void>;
  /** listen again on the SAME port */
  start(): Promise<void>;
}

/** A node:net server on 127.0.0.1 that greets every connection with `banner` (an SMTP "220 ..." line) and closes it. */
export async function startTcp(banner: string): Promise<TcpTarget> {
  let count = 0;
  const sockets = new Set<Socket>();
  const listener = await restartable(
    () =>
      createTcpServer((socket) => {
        count++;
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
        socket.end(banner);
      }),
    () => {
      for (const socket of sockets) socket.destroy();
    },
  );
  const target: TcpTarget = { ...listener, address: `${HOST}:${listener.port}`, connections: () => count };
  tcpServers.add(target);
  return target;
}
