// `npm run bench`: how fast zonerw is, each figure beside its baseline, measured in the same run.
//
// Writes bench/results.json (every raw run, the medians, the machine) and bench/results.md (the
// tables, each target with PASS or MISS, and where the time goes). Progress goes to stderr.
// Everything it creates lives in bench/work/ (gitignored), which is emptied at the start.
//
// Method, in short (results.md says it again beside the numbers):
// - Every command is the real thing, spawned asynchronously from this process (the "main server"
//   is a node:http server in this process, test/lab/lab.ts's startHttp, so a spawnSync would freeze
//   it): `node bin/zonerw.js --config FILE`, `node -e 0`, `sh bench/baseline.sh SETTINGS`.
// - Commands of one comparison are interleaved (a, b, c, a, b, c, ...) after warm-up rounds, so
//   whatever else the machine does hits every column alike; medians and p90 (nearest rank).
// - Wall time: performance.now() from spawn() to the child's exit event. Peak RSS: GNU time's
//   %M (`/usr/bin/time -f %M`, which wraps every measured command alike, so it adds the same
//   fork+exec to all) when /usr/bin/time exists; otherwise every node command (zonerw and
//   `node -e 0` alike) runs with dist/bench/rss-hook.cjs preloaded (--require, a few lines), which
//   writes process.resourceUsage().maxRSS at exit, and the shell baseline's RSS is not measured.
// - The failover latency runs against real NSD (and BIND) primaries and secondaries on loopback
//   (test/lab/lab.ts), with dist/bench/trace-hook.js preloaded into zonerw to timestamp its phases.
//
// BENCH_QUICK=1 runs a small version (fewer repeats, no 10,000 zones) to try the bench out;
// BENCH_ONLY=steady,groups,status,profiles,transition,failover,imports,watch runs only those parts (the
// results files then say so); BENCH_NO_GNU_TIME=1 measures RSS as if GNU time were missing.
// If bin/ or dist/src/ change while it runs (someone rebuilt), results.md says so and the exit
// code is 1.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import {
  binaryPath,
  freePort,
  labPath,
  queryA,
  querySoaSerial,
  startBind,
  startHttp,
  startNsd,
  stopAll,
  type HttpTarget,
  type NsInstance,
} from '../test/lab/lab.js';
import { watchBench, watchMarkdown } from './watch.js';

// ------------------------------------------------------------------------------ settings

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_DIR = join(repoRoot, 'bench');
const WORK = join(BENCH_DIR, 'work');
const ZONERW = join(repoRoot, 'bin', 'zonerw.js');
const BASELINE = join(BENCH_DIR, 'baseline.sh');
const TRACE_HOOK = join(repoRoot, 'dist', 'bench', 'trace-hook.js');
const RSS_HOOK = join(repoRoot, 'dist', 'bench', 'rss-hook.cjs');
const IMPORT_COST = join(repoRoot, 'dist', 'bench', 'import-cost.js');
const NODE = process.execPath;
/** GNU time for peak RSS; BENCH_NO_GNU_TIME=1 tries the fallback (the preloaded hook) */
const TIME_BIN = existsSync('/usr/bin/time') && process.env.BENCH_NO_GNU_TIME !== '1' ? '/usr/bin/time' : undefined;
const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const RECORDS_PER_ZONE = 50;
/** pause between a failback and the next measured failover */
const SETTLE_MS = 1000;

const QUICK = process.env.BENCH_QUICK === '1';
/** rounds (measured) and warm-up rounds of each interleaved comparison */
const PLAN = QUICK
  ? {
      steady: { 1: [5, 1], 100: [3, 1], 1000: [3, 1] } as Record<number, [number, number]>,
      transition: { 1: [3, 1], 100: [3, 1], 1000: [1, 1] } as Record<number, [number, number]>,
      status: [3, 1] as [number, number],
      failover: 2,
      hang: 1,
      profiles: 2,
      imports: 3,
      watch: { trials: 3, blips: 1, steadyS: 10, fastCycles: 2000 },
    }
  : {
      // 10,000 zones: the seed run (which reads every file) is the warm-up
      steady: { 1: [15, 2], 100: [11, 1], 1000: [9, 1], 10000: [3, 0] } as Record<number, [number, number]>,
      // 100 and 1,000 zones: the seed run is the warm-up; a round at 1,000 is ~45 s on 2 cores
      transition: { 1: [11, 1], 100: [5, 0], 1000: [3, 0] } as Record<number, [number, number]>,
      status: [7, 1] as [number, number],
      failover: 5,
      hang: 1,
      profiles: 3,
      imports: 5,
      // 100,000 fast cycles at 10 ms: about 20 minutes
      watch: { trials: 20, blips: 5, steadyS: 60, fastCycles: 100_000 },
    };
const PARTS = ['steady', 'groups', 'status', 'profiles', 'transition', 'failover', 'imports', 'watch'] as const;
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').map((x) => x.trim()).filter(Boolean);
for (const o of ONLY) if (!(PARTS as readonly string[]).includes(o)) throw new Error(`BENCH_ONLY: unknown part ${o}; known: ${PARTS.join(', ')}`);
const wanted = (part: (typeof PARTS)[number]) => ONLY.length === 0 || ONLY.includes(part) || (part === 'steady' && (ONLY.includes('status') || ONLY.includes('profiles')));
const STEADY_SIZES = Object.keys(PLAN.steady).map(Number);
/** service groups in the steady runs of scenario 1b: the default group alone, and it with 9 [[group]] tables */
const GROUP_COUNTS = [1, 10];
const TRANSITION_SIZES = Object.keys(PLAN.transition).map(Number);

const started = performance.now();
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
function progress(msg: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

// ------------------------------------------------------------------------------ statistics

interface Stats {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

function stats(xs: readonly number[]): Stats | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const p90 = s[Math.max(0, Math.ceil(0.9 * s.length) - 1)]!;
  return { n: s.length, median, p90, min: s[0]!, max: s[s.length - 1]! };
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const round2 = (x: number) => Math.round(x * 100) / 100;

// ------------------------------------------------------------------------------ running commands

interface Sample {
  wallMs: number;
  rssKB: number | null;
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** epoch ms (this process's clock): spawn() called, exit seen */
  spawnedAt: number;
  exitedAt: number;
  trace?: Trace;
}

interface Trace {
  events: { t: number; ev: string; what?: string }[];
  totals: { fsyncCount: number; fsyncMs: number; dnsQueries?: number };
  maxRssKB: number;
}

const baseEnv: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: labPath() };
  delete env.ZONERW_CONFIG;
  delete env.ZONERW_NOW;
  delete env.NODE_OPTIONS;
  return env;
})();

let execCounter = 0;

/**
 * Runs argv to completion, asynchronously. `trace` preloads bench/trace-hook into a node
 * command. Wall time is spawn() to the exit event; RSS as described at the top of the file.
 */
async function exec(
  argv: readonly string[],
  o: { trace?: boolean; timeoutMs?: number; env?: NodeJS.ProcessEnv; onStdout?: (soFar: string) => void } = {},
): Promise<Sample> {
  const id = ++execCounter;
  const tmp = join(WORK, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const rssFile = join(tmp, `rss-${id}`);
  const traceFile = join(tmp, `trace-${id}.json`);
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...o.env };
  let full = [...argv];
  const isNode = argv[0] === NODE;
  const hook = isNode && !!o.trace;
  const rssHook = isNode && !hook && TIME_BIN === undefined;
  if (hook) {
    full = [NODE, '--import', TRACE_HOOK, ...argv.slice(1)];
    env.ZONERW_BENCH_TRACE = traceFile;
  } else if (rssHook) {
    full = [NODE, '--require', RSS_HOOK, ...argv.slice(1)];
    env.ZONERW_BENCH_RSS = rssFile;
  }
  if (TIME_BIN) full = [TIME_BIN, '-f', '%M', '-o', rssFile, ...full];

  return new Promise<Sample>((done, fail) => {
    let stdout = '';
    let stderr = '';
    let exitedAt = 0;
    const spawnedAt = now();
    const child = spawn(full[0]!, full.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      o.onStdout?.(stdout);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 180_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('exit', () => (exitedAt = now()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (exitedAt === 0) exitedAt = now();
      let rssKB: number | null = null;
      let trace: Trace | undefined;
      if (TIME_BIN || rssHook) {
        try {
          const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
          const v = Number(lines[lines.length - 1]);
          rssKB = Number.isFinite(v) && v > 0 ? v : null;
        } catch {
          // no RSS: the process died before writing it
        }
        rmSync(rssFile, { force: true });
      }
      if (hook) {
        try {
          trace = JSON.parse(readFileSync(traceFile, 'utf8')) as Trace;
          if (rssKB === null) rssKB = trace.maxRssKB;
        } catch {
          // no trace: the process died before its exit handler
        }
        rmSync(traceFile, { force: true });
      }
      const s: Sample = { wallMs: exitedAt - spawnedAt, rssKB, code, signal, stdout, stderr, spawnedAt, exitedAt };
      if (trace) s.trace = trace;
      done(s);
    });
  });
}

function shown(s: Sample): string {
  return `exit ${s.code}${s.signal ? ` (${s.signal})` : ''}\n--- stdout:\n${s.stdout.slice(0, 2000)}\n--- stderr:\n${s.stderr.slice(0, 2000)}`;
}

// ------------------------------------------------------------------------------ interleaved series

interface SeriesResult {
  id: string;
  label: string;
  command: string;
  runs: { wallMs: number; rssKB: number | null }[];
  wall: Stats;
  rss: Stats | null;
}

interface Item {
  id: string;
  label: string;
  argv: readonly string[];
  /** preload dist/bench/trace-hook.js (to measure what the hook itself costs) */
  trace?: boolean;
  /** e.g. set the main server's status so that this run is a transition */
  before?: () => void | Promise<void>;
  /** undefined when the run did what it must, else why not (the bench stops: no bogus numbers) */
  verify: (s: Sample) => string | undefined;
  after?: (s: Sample) => void;
}

const allSeries: Record<string, SeriesResult> = {};

async function interleave(title: string, items: Item[], rounds: number, warmup: number): Promise<Record<string, SeriesResult>> {
  const kept = new Map<string, Sample[]>(items.map((i) => [i.id, []]));
  for (let r = 0; r < warmup + rounds; r++) {
    const wu = r < warmup;
    progress(`${title}: ${wu ? `warm-up ${r + 1}/${warmup}` : `round ${r - warmup + 1}/${rounds}`}`);
    for (const item of items) {
      await item.before?.();
      const s = await exec(item.argv, { trace: !!item.trace });
      const problem = item.verify(s);
      if (problem !== undefined) throw new Error(`${item.label}: ${problem}\n$ ${item.argv.join(' ')}\n${shown(s)}`);
      item.after?.(s);
      if (!wu) kept.get(item.id)!.push(s);
    }
  }
  const out: Record<string, SeriesResult> = {};
  for (const item of items) {
    const samples = kept.get(item.id)!;
    const rss = samples.map((s) => s.rssKB).filter((v): v is number => v !== null);
    const res: SeriesResult = {
      id: item.id,
      label: item.label,
      command: item.argv.map((a) => (a.startsWith(repoRoot) ? relative(repoRoot, a) : a)).join(' '),
      runs: samples.map((s) => ({ wallMs: round2(s.wallMs), rssKB: s.rssKB })),
      wall: stats(samples.map((s) => s.wallMs))!,
      rss: stats(rss),
    };
    out[item.id] = res;
    allSeries[item.id] = res;
    progress(`  ${item.label}: median ${res.wall.median.toFixed(1)} ms, p90 ${res.wall.p90.toFixed(1)} ms${res.rss ? `, peak RSS ${(res.rss.max / 1024).toFixed(1)} MB` : ''}`);
  }
  return out;
}

// ------------------------------------------------------------------------------ zones and sites

const zoneName = (i: number) => `z${String(i).padStart(5, '0')}.bench.test`;

/** A base zone of exactly RECORDS_PER_ZONE records, value-form markers (what sed can do too). */
function baseZone(zone: string, i: number): string {
  const lines = [
    '$TTL 300',
    `@        IN SOA   ns1.${zone}. hostmaster.${zone}. ( @serial number@ 300 60 1209600 300 )`,
    `@        IN NS    ns1.${zone}.`,
    `@        IN NS    ns2.${zone}.`,
    `@        IN MX    10 mail.${zone}.`,
    '@        IN TXT   "v=spf1 a mx -all"',
    '@        IN A     @IP@',
    'www      IN A     @IP@',
    'mail     IN A     @IP@',
    'api      IN A     @IP@',
    'shop     IN A     @IP@',
    'ns1      IN A     198.51.100.53',
    'ns2      IN A     203.0.113.53',
    'ftp      IN CNAME www',
    '@        IN AAAA  2001:db8::1',
  ];
  let h = 0;
  while (lines.length - 1 < RECORDS_PER_ZONE) {
    h++;
    lines.push(`host${String(h).padStart(2, '0')}   IN A     203.0.${113 + (i % 2)}.${(h % 250) + 1}`);
  }
  return `${lines.join('\n')}\n`;
}

/** bench/work/zones-N/base with N base files (shared by every site of that size: zonerw never writes base files). */
function generateBases(n: number): string {
  const dir = join(WORK, `zones-${n}`, 'base');
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= n; i++) {
    const zone = zoneName(i);
    writeFileSync(join(dir, `${zone}.base`), baseZone(zone, i));
  }
  return dir;
}

interface ZonerwSite {
  dir: string;
  conf: string;
  zones: number;
  favoured: 'main' | 'backup';
}

let hysteresisKeys = ''; // `fail_after = 1` / `recover_after = 1`, when this zonerw knows them

function zonerwToml(o: {
  baseDir: string;
  zoneDir: string;
  stateDir: string;
  kind: 'nsd' | 'bind' | 'none';
  control?: string[];
  checkzone: 'always' | 'never' | 'auto';
  url: string;
  host: string;
  timeout?: string;
  attempts?: number;
  /** [nameserver] address: where the primary answers (false: not asked; control /bin/true loads nothing) */
  address?: string | false;
}): string {
  const q = JSON.stringify;
  const address = o.kind === 'none' || o.address === undefined ? '' : `address   = ${o.address === false ? 'false' : q(o.address)}\n`;
  return `# written by bench/bench.ts
base_dir  = ${q(o.baseDir)}
zone_dir  = ${q(o.zoneDir)}
state_dir = ${q(o.stateDir)}
timezone  = "UTC"

[nameserver]
kind      = ${q(o.kind)}
${o.control ? `control   = ${q(o.control)}\n` : ''}${address}checkzone = ${q(o.checkzone)}
timeout   = "10s"

[check]
timeout  = ${q(o.timeout ?? '5s')}
attempts = ${o.attempts ?? 2}
${hysteresisKeys}
[[server]]
name    = "main"
address = "${MAIN}"
check   = { url = ${q(o.url)}, host = ${q(o.host)} }

[[server]]
name    = "backup"
address = "${BACKUP}"
`;
}

const todaySerial = () => `${new Date().toISOString().slice(0, 10).replace(/-/g, '')}00`;

/**
 * A zonerw site: its own zone_dir and state_dir, the shared base_dir, seeded while the main
 * server is up (unmeasured): the bench writes each zone file as it is rendered for the main
 * address with today's serial (what a first publish would write), and one zonerw run (kind
 * "none", no validation) adopts them ("already up to date") and writes its state, or publishes
 * them if it does not recognise them. Writing 10,000 files with fsync would take zonerw ~20 s.
 * Then the site gets the measured config.
 */
async function zonerwSite(name: string, n: number, baseDir: string, http: HttpTarget, measured: { kind: 'nsd' | 'none'; control?: string[]; checkzone: 'always' | 'never'; address?: string | false }): Promise<ZonerwSite> {
  const dir = join(WORK, name);
  for (const d of ['zones', 'state']) mkdirSync(join(dir, d), { recursive: true });
  const common = { baseDir, zoneDir: join(dir, 'zones'), stateDir: join(dir, 'state'), url: http.url, host: 'www.bench.test' };
  const serial = todaySerial();
  for (const f of readdirSync(baseDir)) {
    const text = readFileSync(join(baseDir, f), 'latin1').replaceAll('@IP@', MAIN).replace('@serial number@', serial);
    writeFileSync(join(common.zoneDir, f.slice(0, -'.base'.length)), text, 'latin1');
  }
  const seedConf = join(dir, 'seed.toml');
  writeFileSync(seedConf, zonerwToml({ ...common, kind: 'none', checkzone: 'never' }));
  http.setStatus(200);
  const seed = await exec([NODE, ZONERW, '--config', seedConf]);
  const published = (seed.stdout.match(/^\S+: serial \d+/gm) ?? []).length;
  if (seed.code !== 0 || (published !== 0 && published !== n)) throw new Error(`seeding ${name}: expected ${n} zones adopted or published\n${shown(seed)}`);
  const conf = join(dir, 'zonerw.toml');
  writeFileSync(conf, zonerwToml({ ...common, ...measured }));
  return { dir, conf, zones: n, favoured: 'main' };
}

interface ShellSite {
  dir: string;
  settings: string;
  favoured: 'main' | 'backup';
}

/** A baseline site: settings for baseline.sh, and the state file it would have after a run with main up. */
function shellSite(name: string, baseDir: string, http: HttpTarget, o: { checkzone: boolean; control: string }): ShellSite {
  const dir = join(WORK, name);
  mkdirSync(join(dir, 'zones'), { recursive: true });
  const settings = join(dir, 'baseline.conf');
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    settings,
    [
      `CHECK_URL=${q(http.url)}`,
      `CHECK_HOST=www.bench.test`,
      `CHECK_TIMEOUT=5`,
      `MAIN_IP=${MAIN}`,
      `BACKUP_IP=${BACKUP}`,
      `BASE_DIR=${q(baseDir)}`,
      `ZONE_DIR=${q(join(dir, 'zones'))}`,
      `STATE_FILE=${q(join(dir, 'state'))}`,
      `CHECKZONE=${o.checkzone ? 'yes' : 'no'}`,
      `CONTROL=${q(o.control)}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'state'), `${MAIN} ${todaySerial()}\n`);
  return { dir, settings, favoured: 'main' };
}

// ------------------------------------------------------------------------------ verifications

const silentOk = (s: Sample) => (s.code === 0 && s.stdout === '' && s.stderr === '' ? undefined : 'a steady run must exit 0 and print nothing');
const exitOk = (s: Sample) => (s.code === 0 ? undefined : 'expected exit 0');
/** Traced steady runs: DNS questions sent, over all of them (must stay 0). */
let steadyDnsQueries = 0;
/** DNS questions the stand-in primary received during the steady rounds (every steady run of every size) */
let steadyStubQuestions = 0;
let steadyTracedRuns = 0;
const silentNoDns = (s: Sample) => {
  steadyTracedRuns++;
  steadyDnsQueries += s.trace?.totals.dnsQueries ?? 0;
  return silentOk(s) ?? ((s.trace?.totals.dnsQueries ?? 0) > 0 ? `a steady run sent ${s.trace!.totals.dnsQueries} DNS queries` : undefined);
};

function zonerwTransition(site: ZonerwSite, http: HttpTarget): Pick<Item, 'before' | 'verify' | 'after'> {
  return {
    before: () => http.setStatus(site.favoured === 'main' ? 503 : 200),
    verify: (s) => {
      const to = site.favoured === 'main' ? 'backup' : 'main';
      if (s.code !== 0) return 'expected exit 0';
      if (!s.stdout.includes(`favouring ${to}`)) return `expected a transition to ${to}`;
      const published = (s.stdout.match(/^\S+: serial \d+/gm) ?? []).length;
      return published === site.zones ? undefined : `expected ${site.zones} zones published, saw ${published}`;
    },
    after: () => (site.favoured = site.favoured === 'main' ? 'backup' : 'main'),
  };
}

function shellTransition(site: ShellSite, http: HttpTarget): Pick<Item, 'before' | 'verify' | 'after'> {
  return {
    before: () => http.setStatus(site.favoured === 'main' ? 503 : 200),
    verify: (s) => {
      const to = site.favoured === 'main' ? BACKUP : MAIN;
      if (s.code !== 0) return 'expected exit 0';
      return s.stdout.includes(`favouring ${to}`) ? undefined : `expected a transition to ${to}`;
    },
    after: () => (site.favoured = site.favoured === 'main' ? 'backup' : 'main'),
  };
}

// ------------------------------------------------------------------------------ scenarios 1-4

const zonerwArgv = (conf: string, ...more: string[]) => [NODE, ZONERW, '--config', conf, ...more];
const shellArgv = (site: ShellSite) => ['/bin/sh', BASELINE, site.settings];
const nodeZero = [NODE, '-e', '0'];

async function steady(http: HttpTarget, bases: Map<number, string>): Promise<Map<number, ZonerwSite>> {
  const sites = new Map<number, ZonerwSite>();
  for (const n of STEADY_SIZES) {
    progress(`steady ${n} zone(s): seeding`);
    // the stand-in primary: a steady run must not ask it (the traced run counts the questions); status does
    const site = await zonerwSite(`steady-${n}`, n, bases.get(n)!, http, { kind: 'nsd', control: ['/bin/true'], checkzone: 'always', address: `127.0.0.1:${stubPort}` });
    sites.set(n, site);
    const shell = shellSite(`steady-shell-${n}`, bases.get(n)!, http, { checkzone: true, control: '/bin/true' });
    const up = () => http.setStatus(200);
    const [rounds, warmup] = PLAN.steady[n]!;
    const asked = stubQuestions;
    await interleave(
      `steady ${n} zone(s)`,
      [
        { id: `steady.${n}.node`, label: `node -e 0 (steady ${n})`, argv: nodeZero, before: up, verify: exitOk },
        { id: `steady.${n}.zonerw`, label: `zonerw steady, ${n} zone(s)`, argv: zonerwArgv(site.conf), before: up, verify: silentOk },
        { id: `steady.${n}.shell`, label: `baseline.sh steady, ${n} zone(s)`, argv: shellArgv(shell), before: up, verify: silentOk },
        // what the failover scenario's trace hook adds to a run
        ...(n === 1 ? [{ id: 'steady.1.zonerw.traced', label: 'zonerw steady, 1 zone, trace hook preloaded', argv: zonerwArgv(site.conf), trace: true, before: up, verify: silentNoDns }] : []),
      ],
      rounds,
      warmup,
    );
    steadyStubQuestions += stubQuestions - asked;
  }
  return sites;
}

// ------------------------------------------------------------------------------ scenario 1b: service groups

const GROUPS_ZONE = 'groups.bench.test';

/** One zone naming every group: www the default group's @IP@, svcN group gN's @IP:gN@. */
function groupsBase(groups: number): string {
  const lines = ['$TTL 300', `@    IN SOA ns1.${GROUPS_ZONE}. hostmaster.${GROUPS_ZONE}. ( @serial number@ 300 60 1209600 300 )`, `@    IN NS  ns1.${GROUPS_ZONE}.`, 'ns1  IN A   198.51.100.53', 'www  IN A   @IP@'];
  for (let g = 1; g < groups; g++) lines.push(`svc${g} IN A   @IP:g${g}@`);
  return `${lines.join('\n')}\n`;
}

/** groups - 1 [[group]] tables beside the default group, each with a main checked over HTTP (the bench's server) and a backup. */
function groupTables(groups: number, url: string): string {
  let toml = '';
  for (let g = 1; g < groups; g++) {
    toml += `\n[[group]]\nname = "g${g}"\n\n[[group.server]]\nname    = "g${g}-main"\naddress = "192.0.2.${10 + g}"\ncheck   = { url = ${JSON.stringify(url)}, host = "svc${g}.${GROUPS_ZONE}" }\n`;
    toml += `\n[[group.server]]\nname    = "g${g}-backup"\naddress = "198.51.100.${10 + g}"\n`;
  }
  return toml;
}

/** A site whose one zone uses `groups` groups, published by a seed run (kind "none"), then given the measured config. */
async function groupsSite(groups: number, http: HttpTarget): Promise<string> {
  const dir = join(WORK, `groups-${groups}`);
  for (const d of ['base', 'zones', 'state']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'base', `${GROUPS_ZONE}.base`), groupsBase(groups));
  const common = { baseDir: join(dir, 'base'), zoneDir: join(dir, 'zones'), stateDir: join(dir, 'state'), url: http.url, host: `www.${GROUPS_ZONE}` };
  const seedConf = join(dir, 'seed.toml');
  writeFileSync(seedConf, zonerwToml({ ...common, kind: 'none', checkzone: 'never' }) + groupTables(groups, http.url));
  http.setStatus(200);
  const seed = await exec([NODE, ZONERW, '--config', seedConf]);
  if (seed.code !== 0 || !seed.stdout.startsWith(`${GROUPS_ZONE}: serial `)) throw new Error(`seeding groups-${groups}: expected the zone published\n${shown(seed)}`);
  const conf = join(dir, 'zonerw.toml');
  writeFileSync(conf, zonerwToml({ ...common, kind: 'nsd', control: ['/bin/true'], checkzone: 'always' }) + groupTables(groups, http.url));
  return conf;
}

/** Steady runs of one zone with 1 and with 10 groups (1 and 10 HTTP checks, 1 and 10 decisions), interleaved with `node -e 0`. */
async function groupRuns(http: HttpTarget): Promise<void> {
  const confs = new Map<number, string>();
  for (const g of GROUP_COUNTS) {
    progress(`steady with ${g} service group(s): seeding`);
    confs.set(g, await groupsSite(g, http));
  }
  const up = () => http.setStatus(200);
  const [rounds, warmup] = PLAN.steady[1]!;
  const runs = GROUP_COUNTS.map((g): Item => ({ id: `groups.${g}.zonerw`, label: `zonerw steady, 1 zone, ${g} group(s)`, argv: zonerwArgv(confs.get(g)!), before: up, verify: silentOk }));
  await interleave('steady, service groups', [{ id: 'groups.node', label: 'node -e 0 (groups)', argv: nodeZero, before: up, verify: exitOk }, ...runs], rounds, warmup);
}

interface Breakdown {
  label: string;
  zones: number;
  wallMs: number;
  phases: { phase: string; ms: number; how: string }[];
  counts: { what: string; count: number; summedMs: number }[];
}

/**
 * One traced transition (trace-hook preloaded): the run cut at the boundaries every run has,
 * in order, so the phases add up to the wall time.
 */
function breakdownOf(label: string, zones: number, s: Sample, zoneDir: string): Breakdown {
  const ev = s.trace?.events ?? [];
  const times = (e: string, f: (what: string) => boolean = () => true) => ev.filter((x) => x.ev === e && f(x.what ?? '')).map((x) => x.t);
  const first = (xs: number[], dflt: number) => (xs.length ? Math.min(...xs) : dflt);
  const last = (xs: number[], dflt: number) => (xs.length ? Math.max(...xs) : dflt);
  const isControl = (w: string) => / (reload|notify)$/.test(w);
  const b0 = s.spawnedAt;
  const b1 = first(times('http-start'), b0);
  const b2 = last(times('http-end'), b1);
  const b3 = first(times('rename', (w) => w.endsWith('state.json')), b2);
  const b4 = last(times('rename', (w) => w.startsWith(zoneDir)), b3);
  const b5 = last(times('exit', isControl), b4);
  const b6 = s.exitedAt;
  const busy = (what: (w: string) => boolean) => {
    const sp = times('spawn', what);
    const ex = times('exit', what);
    return { count: ex.length, summedMs: round1(ex.reduce((a, b) => a + b, 0) - sp.slice(0, ex.length).reduce((a, b) => a + b, 0)) };
  };
  const programs = [...new Set(ev.filter((e) => e.ev === 'spawn').map((e) => e.what ?? ''))];
  return {
    label,
    zones,
    wallMs: round1(s.wallMs),
    phases: [
      { phase: 'start-up', ms: round1(b1 - b0), how: 'spawn to the first check request: node, module load, config, lock, state' },
      { phase: 'check', ms: round1(b2 - b1), how: 'first check request to the last one closed' },
      { phase: 'load, plan, render, write temps, validate', ms: round1(b3 - b2), how: 'to the intents saved in state.json: base and zone files read (or skipped when unchanged), each changed zone rendered, written to a temp file and checked' },
      { phase: 'install', ms: round1(b4 - b3), how: 'to the last zone file renamed into place (and the folder fsynced)' },
      { phase: 'reload + notify', ms: round1(b5 - b4), how: 'to the last control command (reload, notify) exited' },
      { phase: 'finish', ms: round1(b6 - b5), how: 'state.json saved, lock released, exit' },
    ],
    counts: [
      ...programs.map((p) => ({ what: `${p} processes`, ...busy((w) => w === p) })),
      { what: 'fsync calls', count: s.trace?.totals.fsyncCount ?? 0, summedMs: round1(s.trace?.totals.fsyncMs ?? 0) },
    ],
  };
}

const breakdowns: Breakdown[] = [];

async function transitions(http: HttpTarget, bases: Map<number, string>): Promise<void> {
  const largest = Math.max(...TRANSITION_SIZES);
  for (const n of TRANSITION_SIZES) {
    progress(`transition ${n} zone(s): seeding`);
    // /bin/true loads nothing: no primary to ask (address = false)
    const zOn = await zonerwSite(`transition-${n}-validate`, n, bases.get(n)!, http, { kind: 'nsd', control: ['/bin/true'], checkzone: 'always', address: false });
    const zOff = await zonerwSite(`transition-${n}-novalidate`, n, bases.get(n)!, http, { kind: 'nsd', control: ['/bin/true'], checkzone: 'never', address: false });
    const sOn = shellSite(`transition-shell-${n}-validate`, bases.get(n)!, http, { checkzone: true, control: '/bin/true' });
    const sOff = shellSite(`transition-shell-${n}-novalidate`, bases.get(n)!, http, { checkzone: false, control: '/bin/true' });
    const [rounds, warmup] = PLAN.transition[n]!;
    const traced: Sample[] = [];
    await interleave(
      `transition ${n} zone(s)`,
      [
        // at the largest size every run is traced (the hook adds ~15 ms to ~15 s) and the median run is cut into phases
        {
          id: `transition.${n}.validate.zonerw`,
          label: `zonerw transition, ${n} zone(s), validation on`,
          argv: zonerwArgv(zOn.conf),
          trace: n === largest,
          ...zonerwTransition(zOn, http),
          after: (s) => {
            zOn.favoured = zOn.favoured === 'main' ? 'backup' : 'main';
            if (n === largest) traced.push(s);
          },
        },
        { id: `transition.${n}.validate.shell`, label: `baseline.sh transition, ${n} zone(s), validation on`, argv: shellArgv(sOn), ...shellTransition(sOn, http) },
        { id: `transition.${n}.novalidate.zonerw`, label: `zonerw transition, ${n} zone(s), validation off`, argv: zonerwArgv(zOff.conf), ...zonerwTransition(zOff, http) },
        { id: `transition.${n}.novalidate.shell`, label: `baseline.sh transition, ${n} zone(s), validation off`, argv: shellArgv(sOff), ...shellTransition(sOff, http) },
      ],
      rounds,
      warmup,
    );
    if (n === largest) {
      const measured = traced.slice(warmup).sort((a, b) => a.wallMs - b.wallMs);
      const mid = measured[Math.floor((measured.length - 1) / 2)];
      if (mid) breakdowns.push(breakdownOf(`zonerw transition, ${n} zones, validation on (the median run of ${measured.length})`, n, mid, join(zOn.dir, 'zones')));
    }
  }
}

async function statusLatency(http: HttpTarget, sites: Map<number, ZonerwSite>): Promise<void> {
  const big = Math.max(...[...sites.keys()].filter((n) => n <= 1000));
  const s1 = sites.get(1)!;
  const sBig = sites.get(big)!;
  const up = () => http.setStatus(200);
  const [rounds, warmup] = PLAN.status;
  await interleave(
    'status',
    [
      { id: 'status.node', label: 'node -e 0 (status)', argv: nodeZero, verify: exitOk },
      { id: 'status.version', label: 'zonerw --version (start-up floor)', argv: zonerwArgv(s1.conf, '--version'), verify: exitOk },
      { id: 'status.1', label: 'zonerw status, 1 zone', argv: zonerwArgv(s1.conf, 'status'), before: up, verify: exitOk },
      { id: 'status.1.json', label: 'zonerw status --json, 1 zone', argv: zonerwArgv(s1.conf, 'status', '--json'), verify: exitOk },
      { id: `status.${big}`, label: `zonerw status, ${big} zones`, argv: zonerwArgv(sBig.conf, 'status'), verify: exitOk },
    ],
    rounds,
    warmup,
  );
}

// ------------------------------------------------------------------------------ 5. failover latency

interface FailoverRun {
  variant: string;
  /** ms, see FAILOVER_PHASES */
  phases: Record<string, number>;
  zonerwWallMs: number;
  rssKB: number | null;
  /** fsync calls in the run and their summed time (inside decide, install and the final state save) */
  fsync: { count: number; ms: number };
  /** DNS questions zonerw sent: the primary's serial before the publish, then its SOA and @IP@ names after the reload */
  dnsQueries: number;
  clockCheck: { hookAfterSpawnMs: number; exitBeforeExitEventMs: number };
}

const FAILOVER_PHASES = [
  ['startup', 'start-up: spawn to the first check request (node, module load, config, lock, state)'],
  ['check', 'check: first HTTP request made to last one closed (refused x attempts, or the timeout; with a refused connection most of it is the first use of node:http in the process, a refused connect on loopback itself takes well under 1 ms)'],
  ['decide', 'decide + render: check done to the checker started (zones listed and read, plan, render, temp file written)'],
  ['validate', 'validate: the checker process (nsd-checkzone / named-checkzone), spawn to exit; 0 when zonerw validated the same content (serial aside) before, as on every failover after the first'],
  ['install', 'install: checker exit to reload started (state.json intents, rename into place, fsyncs)'],
  ['reload', 'reload: `nsd-control reload` / `rndc reload`, spawn to exit, or to the secondary answering if that came first (rndc can still be exiting when the secondary already has the zone)'],
  ['primary', 'primary check: reload exited to the NOTIFY command started: zonerw asks the primary (SOA, then the @IP@ names) until it serves the new serial and addresses; the secondary may answer meanwhile (the primary NOTIFYs by itself), so it overlaps propagation'],
  ['propagation', 'propagation: reload returned to the secondary answering the new address (primary loads, NOTIFY, transfer, secondary loads; polled every 3 ms)'],
  ['total', 'total: main server stopped to the secondary answering the backup address'],
  ['own', "zonerw's own share: start-up + decide + validate + install + reload + primary check (decide includes the SOA question to the primary before the publish)"],
] as const;

/** Names whose A record is @IP@ in baseZone: any of them answering `want` means the new zone is live. */
const IP_NAMES = ['www', 'mail', 'api', 'shop', '@'];

/**
 * Polls the secondary every 3 ms until it answers `want`, and returns when (this process's
 * clock). The query rotates over the five @IP@ names: NSD's response rate limiting (on by
 * default, 200 answers/s for one name to one /24) would otherwise start dropping the bench's
 * queries, and the wait would measure the rate limiter.
 */
async function pollAnswer(port: number, zone: string, want: string, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; ; i++) {
    const label = IP_NAMES[i % IP_NAMES.length]!;
    const name = label === '@' ? zone : `${label}.${zone}`;
    const got = await queryA(port, name, 100);
    const t = now();
    if (got.length === 1 && got[0] === want) return t;
    if (Date.now() > deadline) throw new Error(`the secondary on :${port} never answered ${name} = ${want} (last: ${got.join(',') || 'nothing'})`);
    await sleep(3);
  }
}

function phasesOf(s: Sample, tStop: number, tAnswer: number, checker: string, control: string): FailoverRun['phases'] {
  const ev = s.trace?.events ?? [];
  const at = (e: string, what?: string, last = false) => {
    const hits = ev.filter((x) => x.ev === e && (what === undefined || x.what === what));
    const hit = last ? hits[hits.length - 1] : hits[0];
    if (!hit) throw new Error(`trace: no ${e} ${what ?? ''} event\n${JSON.stringify(ev)}\n${shown(s)}`);
    return hit.t;
  };
  const httpStart = at('http-start', undefined);
  const httpEnd = at('http-end', undefined, true);
  // zonerw does not run the checker for a content it validated before (serial aside): then
  // validation takes no time, and deciding ends at the first rename (the intents in state.json).
  const validated = ev.some((x) => x.ev === 'spawn' && x.what === checker);
  const chkSpawn = validated ? at('spawn', checker) : at('rename');
  const chkExit = validated ? at('exit', checker) : chkSpawn;
  const relSpawn = at('spawn', `${control} reload`);
  const relExit = at('exit', `${control} reload`);
  const notified = at('spawn', `${control} notify`);
  const reloaded = Math.min(relExit, tAnswer);
  const phases = {
    startup: httpStart - s.spawnedAt,
    check: httpEnd - httpStart,
    decide: chkSpawn - httpEnd,
    validate: chkExit - chkSpawn,
    install: relSpawn - chkExit,
    reload: reloaded - relSpawn,
    primary: Math.max(0, notified - relExit),
    propagation: tAnswer - reloaded,
    total: tAnswer - tStop,
    own: 0,
  };
  phases.own = phases.startup + phases.decide + phases.validate + phases.install + phases.reload + phases.primary;
  return phases;
}

interface FailoverResult {
  server: 'nsd' | 'bind';
  zone: string;
  records: number;
  runs: FailoverRun[];
  phases: Record<string, Stats>;
  hang: FailoverRun[];
  hangPhases: Record<string, Stats> | null;
  /** times the secondary logged "ratelimit block" for the bench's polling (should be 0) */
  rateLimited: number;
  note: string;
}

/** A silent main server: accepts connections and never answers (a hung web server). */
async function hangServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const srv = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const a = srv.address();
  const port = a && typeof a === 'object' ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        for (const s of sockets) s.destroy();
        srv.close(() => ok());
      }),
  };
}

async function failover(kind: 'nsd' | 'bind'): Promise<FailoverResult> {
  const dir = join(WORK, `failover-${kind}`);
  const zone = 'failover.bench.test';
  const base = join(dir, 'base');
  const site = join(dir, 'site');
  for (const d of [base, join(site, 'zones'), join(site, 'state')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(base, `${zone}.base`), baseZone(zone, 0));
  const http = await startHttp(200);
  const hang = await hangServer();
  const pPort = await freePort();
  const sPort = await freePort();
  const start = kind === 'nsd' ? startNsd : startBind;
  progress(`failover ${kind}: starting the ${kind} primary on :${pPort} and secondary on :${sPort}`);
  const primary: NsInstance = await start({ dir: join(dir, 'primary'), role: 'primary', port: pPort, zones: [zone], zoneDir: join(site, 'zones'), peerPort: sPort });
  const secondary: NsInstance = await start({ dir: join(dir, 'secondary'), role: 'secondary', port: sPort, zones: [zone], peerPort: pPort });
  const common = { baseDir: base, zoneDir: join(site, 'zones'), stateDir: join(site, 'state'), kind, control: primary.control, checkzone: 'always' as const, host: zone, address: `127.0.0.1:${pPort}` };
  const conf = join(site, 'zonerw.toml');
  writeFileSync(conf, zonerwToml({ ...common, url: http.url }));
  const hangConf = join(site, 'hang.toml');
  writeFileSync(hangConf, zonerwToml({ ...common, url: hang.url, timeout: '1s', attempts: 1 }));
  const checker = kind === 'nsd' ? 'nsd-checkzone' : 'named-checkzone';
  const control = primary.control[0]!.split('/').pop()!;

  /** Runs zonerw (with main up) until the secondary answers the main address again. */
  const failBack = async () => {
    await http.start();
    http.setStatus(200);
    for (let i = 0; i < 4; i++) {
      const r = await exec(zonerwArgv(conf));
      if (r.code !== 0) throw new Error(`failback run failed\n${shown(r)}`);
      if (/favouring main/.test(r.stdout)) break;
      if (i === 3) throw new Error(`no failback after 4 runs (recover_after?)\n${shown(r)}`);
    }
    await pollAnswer(sPort, zone, MAIN);
    // Let the servers settle, as between two cron runs: BIND delays the NOTIFY of a reload that
    // follows the previous one within a fraction of a second.
    await sleep(SETTLE_MS);
  };

  const oneFailover = async (variant: string, argvConf: string): Promise<FailoverRun> => {
    await http.stop(); // the main server dies: connections are refused from now on
    const tStop = now();
    // Poll the secondary from the moment zonerw prints its decision (before it renders,
    // validates and reloads, so no answer is missed), not during its start-up: on 2 cores the
    // polling would compete with it.
    let answer: Promise<number> | undefined;
    const s = await exec(zonerwArgv(argvConf), {
      trace: true,
      onStdout: (soFar) => {
        if (answer === undefined && soFar.includes('favouring')) answer = pollAnswer(sPort, zone, BACKUP);
      },
    });
    if (answer === undefined) throw new Error(`failover run printed no transition\n${shown(s)}`);
    const tAnswer = await answer;
    if (s.code !== 0 || !/favouring backup/.test(s.stdout)) throw new Error(`failover run did not fail over\n${shown(s)}`);
    const phases = phasesOf(s, tStop, tAnswer, checker, control);
    const ev = s.trace!.events;
    return {
      variant,
      phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, round2(v)])),
      zonerwWallMs: round1(s.wallMs),
      rssKB: s.rssKB,
      fsync: { count: s.trace!.totals.fsyncCount, ms: round2(s.trace!.totals.fsyncMs) },
      dnsQueries: s.trace!.totals.dnsQueries ?? 0,
      clockCheck: {
        hookAfterSpawnMs: round1(ev.find((e) => e.ev === 'hook-loaded')!.t - s.spawnedAt),
        exitBeforeExitEventMs: round1(s.exitedAt - ev.find((e) => e.ev === 'process-exit')!.t),
      },
    };
  };

  try {
    // first run with main up: publish, wait until the secondary has it
    const first = await exec(zonerwArgv(conf));
    if (first.code !== 0) throw new Error(`first ${kind} run failed\n${shown(first)}`);
    await pollAnswer(sPort, zone, MAIN);
    await sleep(SETTLE_MS);
    const runs: FailoverRun[] = [];
    for (let i = 0; i < PLAN.failover; i++) {
      progress(`failover ${kind}: run ${i + 1}/${PLAN.failover}`);
      runs.push(await oneFailover('refused', conf));
      await failBack();
    }
    const hangs: FailoverRun[] = [];
    for (let i = 0; i < PLAN.hang; i++) {
      progress(`failover ${kind}: main hangs (timeout 1s, 1 attempt), run ${i + 1}/${PLAN.hang}`);
      // the hang config checks the silent server; http is stopped by oneFailover as usual
      hangs.push(await oneFailover('hang', hangConf));
      await failBack();
    }
    const serial = await querySoaSerial(sPort, zone);
    progress(`failover ${kind}: done, the secondary serves serial ${serial}`);
    const limited = (secondary.log().match(/ratelimit block/g) ?? []).length;
    if (limited > 0) progress(`failover ${kind}: WARNING: the secondary rate-limited the bench's queries ${limited} time(s); propagation figures include that`);
    const phaseStats = (rs: FailoverRun[]) =>
      rs.length === 0 ? null : Object.fromEntries(FAILOVER_PHASES.map(([k]) => [k, stats(rs.map((r) => r.phases[k]!))!]));
    return {
      server: kind,
      zone,
      records: RECORDS_PER_ZONE,
      runs,
      phases: phaseStats(runs)!,
      hang: hangs,
      hangPhases: phaseStats(hangs),
      rateLimited: limited,
      note: `${kind} primary + ${kind} secondary on 127.0.0.1, zonerw with checkzone = "always", control = ${kind === 'nsd' ? 'nsd-control -c CONF' : 'rndc -c CONF'}, [check] timeout 5s, attempts 2 (the README defaults)`,
    };
  } finally {
    await hang.close();
    await primary.stop();
    await secondary.stop();
    await http.stop();
  }
}

// ------------------------------------------------------------------------------ where the time goes

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function groupOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : '(native)';
  if (url.startsWith('node:internal/')) {
    const rest = url.slice('node:internal/'.length).split('/');
    return `node:internal/${rest.length > 1 ? rest.slice(0, 2).join('/') : rest[0]!.replace(/\.js$/, '')}`;
  }
  if (url.startsWith('node:')) return url;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  const root = `file://${repoRoot}`;
  if (url.startsWith(root)) return `zonerw:${url.slice(root.length)}`;
  return url;
}

interface ProfileSummary {
  scenario: string;
  profiles: number;
  meanProfiledMs: number;
  byGroup: { group: string; selfMs: number }[];
  byFunction: { fn: string; selfMs: number }[];
}

function summariseProfiles(scenario: string, files: string[]): ProfileSummary {
  const byGroup = new Map<string, number>();
  const byFn = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const p = JSON.parse(readFileSync(f, 'utf8')) as CpuProfile;
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    total += (p.endTime - p.startTime) / 1000;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = (p.timeDeltas[i + 1] ?? 0) / 1000; // time until the next sample belongs to this one
      const n = nodes.get(p.samples[i]!)!;
      const { functionName, url, lineNumber } = n.callFrame;
      const g = groupOf(url, functionName);
      byGroup.set(g, (byGroup.get(g) ?? 0) + dt);
      const shortUrl = g.startsWith('zonerw:') || g.startsWith('npm:') || g.startsWith('node:') ? `${g.replace(/^zonerw:/, '')}:${lineNumber + 1}` : g;
      const key = url === '' ? functionName : `${functionName || '(anonymous)'} ${shortUrl}`;
      byFn.set(key, (byFn.get(key) ?? 0) + dt);
    }
  }
  const k = files.length;
  const top = (m: Map<string, number>, n: number, keyName: 'group' | 'fn') =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, v]) => ({ [keyName]: key, selfMs: round1(v / k) }) as { group: string; selfMs: number } & { fn: string; selfMs: number });
  return { scenario, profiles: k, meanProfiledMs: round1(total / k), byGroup: top(byGroup, 14, 'group'), byFunction: top(byFn, 16, 'fn') };
}

async function profiles(http: HttpTarget, sites: Map<number, ZonerwSite>): Promise<ProfileSummary[]> {
  const out: ProfileSummary[] = [];
  for (const n of [1, 1000]) {
    const site = sites.get(n);
    if (!site) continue;
    const dir = join(WORK, 'profiles', `steady-${n}`);
    mkdirSync(dir, { recursive: true });
    http.setStatus(200);
    progress(`cpu profiles: steady ${n} zone(s), ${PLAN.profiles} runs`);
    for (let i = 0; i < PLAN.profiles; i++) {
      const s = await exec([NODE, '--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '250', ZONERW, '--config', site.conf]);
      const problem = silentOk(s);
      if (problem) throw new Error(`profile run: ${problem}\n${shown(s)}`);
    }
    out.push(summariseProfiles(`steady, ${n} zone(s)`, readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f))));
  }
  return out;
}

interface ImportCost {
  spec: string;
  ms: Stats;
}

/** The cost of importing each dependency (and zonerw's own modules) in a fresh process. */
async function importCosts(): Promise<ImportCost[]> {
  const specs = [
    'commander',
    'smol-toml',
    'got',
    'node:http',
    'node:child_process',
    'node:crypto',
    './dist/src/errors.js',
    './dist/src/config.js',
    './dist/src/cli.js',
    './dist/src/run.js',
    './dist/src/status.js',
    './dist/src/adapters/http-check.js',
    './dist/src/adapters/lock.js',
  ];
  progress(`import costs: ${specs.length} modules x ${PLAN.imports} fresh processes`);
  const out: ImportCost[] = [];
  for (const spec of specs) {
    const ms: number[] = [];
    for (let i = 0; i < PLAN.imports; i++) {
      const s = await exec([NODE, IMPORT_COST, spec]);
      if (s.code !== 0) {
        ms.length = 0;
        break;
      }
      ms.push((JSON.parse(s.stdout) as { ms: number }).ms);
    }
    if (ms.length > 0) out.push({ spec, ms: stats(ms)! });
  }
  return out;
}

// ------------------------------------------------------------------------------ the machine

/**
 * A hash of the zonerw that runs (bin/ and dist/src/): other people build in this checkout too,
 * and a rebuild during the bench would mix two versions in one table.
 */
function zonerwFingerprint(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${relative(repoRoot, p)}\0`).update(readFileSync(p));
    }
  };
  for (const d of ['bin', join('dist', 'src')]) if (existsSync(join(repoRoot, d))) walk(join(repoRoot, d));
  return h.digest('hex').slice(0, 16);
}

async function capture(argv: string[]): Promise<string> {
  try {
    const s = await exec(argv, { timeoutMs: 10_000 });
    return `${s.stdout}${s.stderr}`.trim();
  } catch {
    return '';
  }
}

async function machine(): Promise<Record<string, unknown>> {
  const c = cpus();
  const git = await capture(['git', '-C', repoRoot, 'rev-parse', 'HEAD']);
  const dirty = (await capture(['git', '-C', repoRoot, 'status', '--porcelain', '--', 'src', 'bin', 'package.json']))
    .split('\n')
    .filter(Boolean).length;
  const nsd = (await capture(['nsd', '-v'])).split('\n')[0] ?? '';
  const named = ((await capture(['named', '-v'])).split('\n')[0] ?? '').replace(/\s*\(.*$/, '').replace(/\s*<id:.*$/, '');
  const curl = ((await capture(['curl', '--version'])).split('\n')[0] ?? '').split(' ').slice(0, 2).join(' ');
  let os = '';
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    // not Linux-like
  }
  return {
    date: new Date().toISOString(),
    cpus: c.length,
    availableParallelism: availableParallelism(),
    cpuModel: c[0]?.model ?? '',
    memoryGB: round1(totalmem() / 2 ** 30),
    node: process.version,
    os: os || `${process.platform} ${release()}`,
    kernel: release(),
    arch: arch(),
    loadavgAtStart: loadavg().map(round1),
    gitCommit: git,
    zonerwFingerprint: zonerwFingerprint(),
    gitDirtyFilesInSrc: dirty,
    nsd,
    named,
    curl,
    rssMethod: TIME_BIN
      ? '/usr/bin/time -f %M (GNU time: peak RSS of the process and its waited-for children, KB), which wraps every measured command alike'
      : 'GNU time is not installed (apt-get install time): process.resourceUsage().maxRSS written at exit by dist/bench/rss-hook.cjs, preloaded with --require into every measured node command alike (zonerw and node -e 0); the shell baseline\'s RSS is not measured',
    quick: QUICK,
    only: ONLY.length > 0 ? ONLY : null,
  };
}

// ------------------------------------------------------------------------------ report

interface Target {
  id: string;
  what: string;
  measured: string;
  limit: string;
  pass: boolean | null;
}

const ms = (x: number | undefined) => (x === undefined ? 'n/a' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 1 : 0)} ms`);
const mb = (kb: number | undefined | null) => (kb === undefined || kb === null ? 'n/a' : `${(kb / 1024).toFixed(1)} MB`);
const mp = (s: Stats | undefined | null) => (s ? `${ms(s.median)} (p90 ${ms(s.p90)})` : 'n/a');
const verdict = (p: boolean | null) => (p === null ? 'n/a' : p ? '**PASS**' : '**MISS**');

function targets(fo: FailoverResult[]): Target[] {
  const t: Target[] = [];
  const S = allSeries;
  const ratio = (a?: SeriesResult, b?: SeriesResult) => (a && b ? a.wall.median / b.wall.median : undefined);
  const r1 = ratio(S['steady.1.zonerw'], S['steady.1.node']);
  t.push({ id: 'steady-1', what: 'Steady run, 1 zone: zonerw / node -e 0', measured: r1 === undefined ? 'n/a' : `${r1.toFixed(2)}x (${ms(S['steady.1.zonerw']?.wall.median)} vs ${ms(S['steady.1.node']?.wall.median)})`, limit: '<= 2x', pass: r1 === undefined ? null : r1 <= 2 });
  const r1000 = ratio(S['steady.1000.zonerw'], S['steady.1000.node']);
  t.push({ id: 'steady-1000', what: 'Steady run, 1,000 zones: zonerw / node -e 0', measured: r1000 === undefined ? 'n/a' : `${r1000.toFixed(2)}x (${ms(S['steady.1000.zonerw']?.wall.median)} vs ${ms(S['steady.1000.node']?.wall.median)})`, limit: '<= 3x', pass: r1000 === undefined ? null : r1000 <= 3 });
  for (const g of GROUP_COUNTS) {
    const rg = ratio(S[`groups.${g}.zonerw`], S['groups.node']);
    const what = `Steady run, 1 zone using ${g} service group${g === 1 ? '' : 's'} (${g} HTTP check${g === 1 ? '' : 's'}): zonerw / node -e 0`;
    t.push({ id: `steady-groups-${g}`, what, measured: rg === undefined ? 'n/a' : `${rg.toFixed(2)}x (${ms(S[`groups.${g}.zonerw`]?.wall.median)} vs ${ms(S['groups.node']?.wall.median)})`, limit: '<= 2x', pass: rg === undefined ? null : rg <= 2 });
  }
  const s10k = S['steady.10000.zonerw'];
  t.push({ id: 'steady-10000', what: 'Steady run, 10,000 zones', measured: s10k ? mp(s10k.wall) : 'not run (BENCH_QUICK)', limit: '< 2 s', pass: s10k ? s10k.wall.median < 2000 : null });
  const tz = S['transition.1000.validate.zonerw'];
  const ts = S['transition.1000.validate.shell'];
  const sp = tz && ts ? ts.wall.median / tz.wall.median : undefined;
  t.push({ id: 'transition-1000', what: 'Transition, 1,000 zones, validation on: baseline.sh / zonerw', measured: sp === undefined ? 'n/a' : `${sp.toFixed(2)}x faster (${ms(tz!.wall.median)} vs ${ms(ts!.wall.median)})`, limit: '>= 3x', pass: sp === undefined ? null : sp >= 3 });
  for (const f of fo) {
    const own = f.phases.own!;
    t.push({ id: `failover-${f.server}`, what: `Failover, 1 zone, ${f.server.toUpperCase()}: zonerw's own share`, measured: mp(own), limit: '< 150 ms', pass: own.median < 150 });
  }
  const rss1000 = Object.values(S)
    .filter((s) => /^(steady|transition)\.1000\..*zonerw$/.test(s.id))
    .map((s) => s.rss?.max)
    .filter((v): v is number => v !== undefined);
  t.push({
    id: 'steady-dns',
    what: 'DNS queries sent by steady runs ([nameserver] address set)',
    measured: steadyTracedRuns === 0 ? 'n/a' : `${steadyDnsQueries} sent by ${steadyTracedRuns} traced 1-zone runs; ${steadyStubQuestions} received by the primary over all steady rounds`,
    limit: '0',
    pass: steadyTracedRuns === 0 ? null : steadyDnsQueries === 0 && steadyStubQuestions === 0,
  });
  const worst = rss1000.length ? Math.max(...rss1000) : undefined;
  t.push({ id: 'rss-1000', what: 'Peak RSS of zonerw at 1,000 zones (worst run, steady and transitions)', measured: mb(worst), limit: '< 100 MB', pass: worst === undefined ? null : worst < 100 * 1024 });
  return t;
}

function markdown(m: Record<string, unknown>, tg: Target[], fo: FailoverResult[], prof: ProfileSummary[], imports: ImportCost[], durationS: number): string {
  const S = allSeries;
  const L: string[] = [];
  const row = (...cells: (string | number)[]) => L.push(`| ${cells.join(' | ')} |`);
  L.push('# zonerw benchmark', '');
  L.push(`Written by \`npm run bench\` (bench/bench.ts) on ${m.date}, in ${Math.round(durationS)} s.${QUICK ? ' **BENCH_QUICK=1: reduced repeats, no 10,000 zones; not for comparison.**' : ''}${ONLY.length ? ` **BENCH_ONLY=${ONLY.join(',')}: partial run.**` : ''}`, '');
  if (m.mixedVersions) {
    L.push(`**WARNING: zonerw was rebuilt while the bench ran (bin/ + dist/src/ fingerprint ${m.zonerwFingerprint} at the start, ${m.zonerwFingerprintAtEnd} at the end; commit ${m.gitCommit} then ${m.gitCommitAtEnd}). These results mix two versions: run the bench again.**`, '');
  }
  L.push(`Machine: ${m.cpus} CPU(s) (${m.cpuModel}), ${m.memoryGB} GB, ${m.os}, kernel ${m.kernel}; Node ${m.node}; ${m.nsd}; ${m.named}; ${m.curl}.`);
  L.push(`Commit ${m.gitCommit} (bin/ + dist/src/ fingerprint ${m.zonerwFingerprint})${Number(m.gitDirtyFilesInSrc) > 0 ? ` with ${m.gitDirtyFilesInSrc} uncommitted file(s) in src/ bin/ package.json (others were editing; the built dist/ is what ran)` : ''}. Load average at start: ${(m.loadavgAtStart as number[]).join(', ')}; at end: ${(m.loadavgAtEnd as number[]).join(', ')}.`, '');

  L.push('## Targets', '');
  row('target', 'measured', 'limit', 'result');
  row('---', '---', '---', '---');
  for (const t of tg) row(t.what, t.measured, t.limit, verdict(t.pass));
  L.push('');

  L.push('## 1-2. Steady run (main up, nothing changed)', '');
  L.push('Wall time median (p90); peak RSS is the worst run. Ratio = zonerw median / `node -e 0` median of the same interleaved rounds.', '');
  row('zones', 'zonerw', '`node -e 0`', 'ratio', 'baseline.sh', 'zonerw RSS', '`node -e 0` RSS', 'baseline.sh RSS', 'target');
  row('---:', '---', '---', '---:', '---', '---:', '---:', '---:', '---');
  for (const n of STEADY_SIZES) {
    const z = S[`steady.${n}.zonerw`];
    const nd = S[`steady.${n}.node`];
    const sh = S[`steady.${n}.shell`];
    if (!z || !nd) continue;
    const ratio = z.wall.median / nd.wall.median;
    const target = n === 1 ? `<= 2x: ${verdict(ratio <= 2)}` : n === 1000 ? `<= 3x: ${verdict(ratio <= 3)}` : n === 10000 ? `< 2 s: ${verdict(z.wall.median < 2000)}` : '';
    row(n.toLocaleString('en'), mp(z.wall), mp(nd.wall), `${ratio.toFixed(2)}x`, sh ? mp(sh.wall) : 'n/a', mb(z.rss?.max), mb(nd.rss?.max), mb(sh?.rss?.max), target);
  }
  L.push('');
  const grow = STEADY_SIZES.filter((n) => S[`steady.${n}.zonerw`] && S[`steady.${n}.node`]).map((n) => {
    const extra = S[`steady.${n}.zonerw`]!.wall.median - S[`steady.${n}.node`]!.wall.median;
    return `${n.toLocaleString('en')}: ${ms(extra)}`;
  });
  L.push(`zonerw's cost above \`node -e 0\` by zone count: ${grow.join('; ')}. baseline.sh's steady run reads only its state file, so its cost does not grow with the zone count.`, '');

  if (S['groups.node']) {
    L.push('## 1b. Steady run with service groups', '');
    L.push(`One zone (\`${GROUPS_ZONE}\`) whose base file names every group: \`www IN A @IP@\` for the default group and \`svcN IN A @IP:gN@\` for each of the other groups; each group's first server is checked over HTTP against the bench's server (so N groups make N checks per run, in parallel), its second has no check. Interleaved with \`node -e 0\`, rounds as for 1 zone in section 1-2.`, '');
    row('groups', 'zonerw', '`node -e 0`', 'ratio', 'zonerw RSS', 'target');
    row('---:', '---', '---', '---:', '---:', '---');
    for (const g of GROUP_COUNTS) {
      const z = S[`groups.${g}.zonerw`];
      const nd = S['groups.node']!;
      if (!z) continue;
      const ratio = z.wall.median / nd.wall.median;
      row(g, mp(z.wall), mp(nd.wall), `${ratio.toFixed(2)}x`, mb(z.rss?.max), `<= 2x: ${verdict(ratio <= 2)}`);
    }
    L.push('');
  }

  L.push('## 3. Transition run (the favoured server changes on every measured run)', '');
  L.push('The main server\'s status flips (200 / 503) before each run, so every measured run of every column publishes every zone. Reload and notify go to `/bin/true` on both sides (zonerw: `kind = "nsd"`, `control = ["/bin/true"]`; baseline.sh: `CONTROL=/bin/true`, an external no-op forked like nsd-control would be), so no nameserver work is in these figures, only the per-zone command cost. Validation on = zonerw `checkzone = "always"` (nsd-checkzone) / baseline.sh `CHECKZONE=yes` (nsd-checkzone); off = `"never"` / `no`.', '');
  row('zones', 'validation', 'zonerw', 'baseline.sh', 'speed-up (baseline / zonerw; above 1: zonerw faster)', 'zonerw RSS', 'baseline.sh RSS', 'target');
  row('---:', '---', '---', '---', '---:', '---:', '---:', '---');
  for (const n of TRANSITION_SIZES) {
    for (const v of ['validate', 'novalidate'] as const) {
      const z = S[`transition.${n}.${v}.zonerw`];
      const sh = S[`transition.${n}.${v}.shell`];
      if (!z || !sh) continue;
      const sp = sh.wall.median / z.wall.median;
      row(n.toLocaleString('en'), v === 'validate' ? 'on' : 'off', mp(z.wall), mp(sh.wall), `${sp.toFixed(2)}x`, mb(z.rss?.max), mb(sh.rss?.max), n === 1000 && v === 'validate' ? `>= 3x: ${verdict(sp >= 3)}` : '');
    }
  }
  L.push('');

  for (const b of breakdowns) {
    L.push(`### Where a transition's time goes: ${b.label}, ${ms(b.wallMs)}`, '');
    L.push('Cut at boundaries every run has, in order (timestamps from dist/bench/trace-hook.js, see section 5), so the phases add up to the wall time:', '');
    row('phase', 'time', 'share', 'what');
    row('---', '---:', '---:', '---');
    for (const p of b.phases) row(p.phase, ms(p.ms), `${Math.round((100 * p.ms) / b.wallMs)}%`, p.how);
    L.push('');
    row('counted', 'calls', 'summed time (parallel calls overlap)');
    row('---', '---:', '---:');
    for (const c of b.counts) row(c.what, c.count, ms(c.summedMs));
    L.push('');
  }

  L.push('## 4. `zonerw status` latency', '');
  row('command', 'wall', 'vs `node -e 0`', 'peak RSS');
  row('---', '---', '---:', '---:');
  const nodeS = S['status.node'];
  for (const id of Object.keys(S).filter((k) => k.startsWith('status.'))) {
    const s = S[id]!;
    row(s.label, mp(s.wall), nodeS ? `${(s.wall.median / nodeS.wall.median).toFixed(2)}x` : '', mb(s.rss?.max));
  }
  L.push('');

  L.push('## 5. Failover latency against real nameservers', '');
  if (fo.length === 0) L.push('Not run: nsd/bind not installed.', '');
  for (const f of fo) {
    L.push(`### ${f.server.toUpperCase()}: ${f.runs.length} failovers, 1 zone of ${f.records} records`, '');
    L.push(`${f.note}. Before each run zonerw failed back to main and the servers were left alone for ${SETTLE_MS} ms (as between two cron runs). Each run: the main HTTP server is stopped (connections refused), zonerw is spawned at once (a cron tick right after the failure), and the secondary is polled until it answers the backup address. "main hangs": the check goes to a TCP server that accepts and never answers, with [check] timeout 1s and 1 attempt. Median (p90):${f.rateLimited ? ` **The secondary rate-limited the bench's polling ${f.rateLimited} time(s): propagation includes that.**` : ''}`, '');
    row('phase', 'main refused', ...(f.hangPhases ? ['main hangs (timeout 1s x 1 attempt)'] : []), 'how it is measured');
    row('---', '---', ...(f.hangPhases ? ['---'] : []), '---');
    for (const [k, desc] of FAILOVER_PHASES) {
      const [name, how] = desc.split(': ');
      row(k === 'own' ? `**${name}**` : name!, k === 'own' ? `**${mp(f.phases[k])}**` : mp(f.phases[k]), ...(f.hangPhases ? [mp(f.hangPhases[k])] : []), how!);
    }
    const fs = (rs: FailoverRun[]) => (rs.length ? `${stats(rs.map((r) => r.fsync.count))!.median} calls, ${mp(stats(rs.map((r) => r.fsync.ms)))}` : '');
    row('(fsync, summed)', fs(f.runs), ...(f.hangPhases ? [fs(f.hang)] : []), 'FileHandle.sync calls of the whole run and their summed time (temp files, state.json, folders)');
    const dns = (rs: FailoverRun[]) => (rs.length ? `${stats(rs.map((r) => r.dnsQueries))!.median} queries` : '');
    row('(DNS questions)', dns(f.runs), ...(f.hangPhases ? [dns(f.hang)] : []), "UDP questions zonerw sent to the primary: its SOA before the publish, then its SOA and the @IP@ names until it serves the new zone (each answered in well under 1 ms on loopback)");
    const wall = (rs: FailoverRun[]) => mp(stats(rs.map((r) => r.zonerwWallMs)));
    row('(zonerw wall time)', wall(f.runs), ...(f.hangPhases ? [wall(f.hang)] : []), 'spawn to exit of the zonerw process; after the reload it still sends NOTIFY and saves the state, off the critical path');
    L.push('');
  }
  const hooked = S['steady.1.zonerw.traced'];
  const plain = S['steady.1.zonerw'];
  L.push(
    `Phase boundaries come from \`dist/bench/trace-hook.js\`, preloaded into zonerw for these runs only (\`node --import\`): it wraps \`http.request\`, \`child_process.spawn\`, \`fs/promises.rename\`, \`FileHandle.sync\` and \`dgram\` sends and stamps each call with \`performance.timeOrigin + performance.now()\`, the clock the bench uses for "main stopped" and "secondary answered". zonerw's \`-v\` output has no timestamps. ${hooked && plain ? `The hook itself costs ${ms(hooked.wall.median - plain.wall.median)} (steady 1-zone run with it, ${ms(hooked.wall.median)}, against without, ${ms(plain.wall.median)}, same rounds), which lands in start-up and is not subtracted. ` : ''}The bench polls the secondary only from the moment zonerw prints its decision, so its polling does not compete with zonerw's start-up for the 2 cores. NOTIFY (\`nsd-control notify\` / \`rndc notify\`) runs after the reload and is not on the critical path: both servers send NOTIFY by themselves after a reload that raised the serial.`,
    '',
  );

  L.push('## Where the time goes', '');
  for (const p of prof) {
    L.push(`### CPU profile: ${p.scenario} (\`node --cpu-prof\`, ${p.profiles} runs, mean profiled ${ms(p.meanProfiledMs)} per run)`, '');
    L.push('Self time by module (mean per run):', '');
    row('module', 'self');
    row('---', '---:');
    for (const g of p.byGroup) row(`\`${g.group}\``, ms(g.selfMs));
    L.push('', 'Top functions by self time:', '');
    row('function', 'self');
    row('---', '---:');
    for (const g of p.byFunction) row(`\`${g.fn}\``, ms(g.selfMs));
    L.push('');
  }
  if (imports.length > 0) {
    L.push('### Import cost in a fresh process (`dist/bench/import-cost.js`: `performance.now()` around `await import(spec)`)', '');
    row('module', 'median', 'p90');
    row('---', '---:', '---:');
    for (const i of imports) row(`\`${i.spec}\``, ms(i.ms.median), ms(i.ms.p90));
    L.push('', 'A zonerw module\'s figure includes everything it imports statically (dist/src/cli.js includes commander and config.js). `got` is listed in package.json but not imported by zonerw (see the README\'s decisions).', '');
  }

  L.push('## Method', '');
  L.push(
    `- Every measured command is spawned asynchronously from the bench process (which also serves the "main server" over node:http, test/lab/lab.ts's startHttp), with stdout/stderr piped and checked: a steady run must print nothing and exit 0, a transition must print the transition and one line per zone. A run that does not behave stops the bench.`,
    `- Commands of one table are interleaved round by round after warm-up rounds; medians and p90 (nearest rank). Rounds: steady ${STEADY_SIZES.map((n) => `${n}: ${PLAN.steady[n]![0]}`).join(', ')}; transition ${TRANSITION_SIZES.map((n) => `${n}: ${PLAN.transition[n]![0]}`).join(', ')}; status ${PLAN.status[0]}; failover ${PLAN.failover} per server.`,
    `- Wall time: from spawn() to the child's exit, performance.now() in the bench. Peak RSS: ${m.rssMethod}.`,
    `- Zones: N base files of ${RECORDS_PER_ZONE} records each (SOA, 2 NS, MX, TXT, AAAA, CNAME, 5 A records with \`@IP@\`, the rest fixed A records), value-form markers so that sed can do the same job; zonerw reads them as \`*.base\` from base_dir (no \`zones\` list).`,
    '- zonerw sites are seeded (unmeasured) with the zone files as a publish for the main address would write them, adopted by one zonerw run that writes its state; baseline.sh sites start from a state file with the main address (its steady run reads nothing else). Where a size has no warm-up round, the seed run is the warm-up.',
    `- The zonerw transition at ${Math.max(...TRANSITION_SIZES).toLocaleString('en')} zones with validation runs with dist/bench/trace-hook.js preloaded (a cost of ${S['steady.1.zonerw.traced'] && S['steady.1.zonerw'] ? ms(S['steady.1.zonerw.traced'].wall.median - S['steady.1.zonerw'].wall.median) : 'a few ms'} per run, measured in section 1's rounds, against runs of seconds), so that its median run can be cut into phases; the failover runs too; nothing else.`,
    '- zonerw fsyncs each zone file, the folder and state.json; baseline.sh, like the original, does not. Both write to a temp file and rename.',
    `- zonerw config: [check] timeout 5s, attempts 2${hysteresisKeys ? ', fail_after = 1 and recover_after = 1 (so that every run is a transition)' : ''}; baseline.sh: curl --max-time 5, one try.`,
  );
  L.push('');
  return `${L.join('\n')}\n`;
}

// ------------------------------------------------------------------------------ main

/** Whether this zonerw knows fail_after/recover_after: set them to 1 so every flip is a transition. */
async function detectHysteresis(http: HttpTarget): Promise<void> {
  const dir = join(WORK, 'probe');
  for (const d of ['base', 'zones', 'state']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'base', 'probe.bench.test.base'), baseZone('probe.bench.test', 0));
  hysteresisKeys = 'fail_after = 1\nrecover_after = 1\n';
  const conf = join(dir, 'zonerw.toml');
  writeFileSync(conf, zonerwToml({ baseDir: join(dir, 'base'), zoneDir: join(dir, 'zones'), stateDir: join(dir, 'state'), kind: 'none', checkzone: 'never', url: http.url, host: 'probe' }));
  const r = await exec(zonerwArgv(conf, 'status'));
  if (r.code === 78) {
    hysteresisKeys = '';
    progress('this zonerw has no fail_after/recover_after keys: every check result takes effect at once');
  } else if (r.code !== 0) {
    throw new Error(`zonerw status on a probe config failed\n${shown(r)}`);
  }
}

/**
 * A stand-in primary for the steady and status sites (whose control command is /bin/true): a
 * UDP socket on loopback that answers every DNS question at once with REFUSED and counts them.
 * A steady run must send it nothing; status asks it live, as it asks a real primary.
 */
let stubQuestions = 0;
async function refusingDns(): Promise<{ port: number; close(): void }> {
  const s = createSocket('udp4');
  s.on('message', (msg, from) => {
    stubQuestions++;
    if (msg.length < 12) return;
    const reply = Buffer.from(msg);
    reply[2] = 0x84 | (msg[2]! & 0x01); // QR, AA, keep RD
    reply[3] = 5; // REFUSED
    s.send(reply, from.port, from.address);
  });
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', ok));
  return { port: s.address().port, close: () => s.close() };
}
let stubPort = 9;

async function main(): Promise<void> {
  for (const f of [ZONERW, TRACE_HOOK, RSS_HOOK, IMPORT_COST]) if (!existsSync(f)) throw new Error(`${f} is missing: run npm run build first`);
  for (const b of ['curl', 'nsd-checkzone']) if (!binaryPath(b)) throw new Error(`${b} is not installed (apt-get install -y curl nsd)`);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const m = await machine();
  progress(`machine: ${m.cpus} CPU(s), Node ${m.node}, ${m.os}${QUICK ? ' (BENCH_QUICK)' : ''}`);

  const http = await startHttp(200);
  const stub = await refusingDns();
  stubPort = stub.port;
  try {
    await detectHysteresis(http);
    const bases = new Map<number, string>();
    const sizes = [...(wanted('steady') ? STEADY_SIZES : []), ...(wanted('transition') ? TRANSITION_SIZES : [])];
    for (const n of [...new Set(sizes)].sort((a, b) => a - b)) {
      progress(`generating ${n} base zone(s) of ${RECORDS_PER_ZONE} records`);
      bases.set(n, generateBases(n));
    }
    const sites = wanted('steady') ? await steady(http, bases) : new Map<number, ZonerwSite>();
    if (wanted('groups')) await groupRuns(http);
    if (wanted('status')) await statusLatency(http, sites);
    const prof = wanted('profiles') ? await profiles(http, sites) : [];
    if (wanted('transition')) await transitions(http, bases);
    const fo: FailoverResult[] = [];
    for (const kind of wanted('failover') ? (['nsd', 'bind'] as const) : []) {
      const need = kind === 'nsd' ? ['nsd', 'nsd-control', 'nsd-checkzone'] : ['named', 'rndc', 'rndc-confgen', 'named-checkzone'];
      const missing = need.filter((b) => !binaryPath(b));
      if (missing.length > 0) {
        progress(`failover ${kind}: skipped, not installed: ${missing.join(', ')}`);
        continue;
      }
      fo.push(await failover(kind));
    }
    const imports = wanted('imports') ? await importCosts() : [];
    const watch = wanted('watch') ? await watchBench(WORK, ZONERW, PLAN.watch, progress) : undefined;
    m.loadavgAtEnd = loadavg().map(round1);
    m.zonerwFingerprintAtEnd = zonerwFingerprint();
    m.gitCommitAtEnd = await capture(['git', '-C', repoRoot, 'rev-parse', 'HEAD']);
    const mixed = m.zonerwFingerprintAtEnd !== m.zonerwFingerprint;
    m.mixedVersions = mixed;
    if (mixed) {
      progress('WARNING: bin/ or dist/src/ changed during the bench (someone rebuilt zonerw): the results mix two versions; run it again');
      process.exitCode = 1;
    }
    const durationS = (performance.now() - started) / 1000;
    const tg = targets(fo);
    const results = {
      machine: m,
      durationS: round1(durationS),
      plan: PLAN,
      recordsPerZone: RECORDS_PER_ZONE,
      targets: tg,
      series: allSeries,
      failover: fo,
      transitionBreakdown: breakdowns,
      profiles: prof,
      importCosts: imports,
      ...(watch ? { watch } : {}),
    };
    writeFileSync(join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(BENCH_DIR, 'results.md'), markdown(m, tg, fo, prof, imports, durationS) + (watch ? `\n${watchMarkdown(watch).join('\n')}` : ''));
    progress(`wrote bench/results.md and bench/results.json`);
    for (const t of tg) process.stderr.write(`  ${t.pass === null ? 'n/a ' : t.pass ? 'PASS' : 'MISS'}  ${t.what}: ${t.measured} (target ${t.limit})\n`);
  } finally {
    stub.close();
    await http.stop();
    await stopAll();
    rmSync(join(WORK, 'tmp'), { recursive: true, force: true });
  }
}

main().catch(async (e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await stopAll().catch(() => {});
  process.exitCode = 1;
});
