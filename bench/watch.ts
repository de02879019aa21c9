// The `zonerw watch` part of `npm run bench` (BENCH_ONLY=watch): real NSD primary and secondary
// on loopback, the built binary as `zonerw watch` with the README's values ([watch] interval 2s,
// [check] timeout 2s, attempts 1, fail_after "4s"), and a main web server that hangs (accepts,
// never answers) at a random moment of the probe cycle.
// - failover: from "main hangs" to "the secondary answers the backup", over `trials` trials
//   (min / median / p99), each followed by a failback (recover_after "5s" here, to keep trials short);
// - blips shorter than fail_after (2.5 s): how many moved the zone (must be none);
// - the shipped timer, computed: a failure lands uniformly within the 2-minute OnUnitActiveSec
//   (plus up to AccuracySec 10 s), then a one-shot run with the shipped [check] (5 s × 2 attempts),
//   measured here, then the same transfer;
// - a steady watch: CPU share of one core and RSS over `steadyS` seconds (from /proc/PID/stat);
// - memory over a long fast run: a second watch with interval "10ms" against a main that answers,
//   RSS sampled every tenth of `fastCycles` cycles (from its heartbeat and /proc).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { freePort, labPath, queryA, startNsd } from '../test/lab/lab.js';

export interface WatchBenchPlan {
  trials: number;
  blips: number;
  steadyS: number;
  fastCycles: number;
}

export interface WatchBenchResult {
  failoverMs: { n: number; min: number; median: number; p99: number; all: number[] };
  blips: { tried: number; moved: number };
  timerComputedMs: { min: number; median: number; p99: number; oneShotRunMs: number };
  steady: { seconds: number; cpuSharePercent: number; rssMB: number };
  fast: { cycles: number; rssMB: number[] };
}

const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const ZONE = 'watch.bench.test';
const TICK_S = 100; // USER_HZ: /proc/PID/stat counts CPU in 1/100 s

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function hangable(): Promise<{ url: string; hang(on: boolean): void; close(): void }> {
  let hanging = false;
  const held: ServerResponse[] = [];
  const server = createServer((_q, res) => (hanging ? held.push(res) : res.writeHead(200, { connection: 'close' }).end('ok\n')));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    hang(on) {
      hanging = on;
      if (!on) for (const r of held.splice(0)) r.destroy();
    },
    close() {
      for (const r of held.splice(0)) r.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

function site(dir: string, o: { url: string; primary: number; secondary: number; control: string[]; interval?: string; shippedCheck?: boolean; kind?: 'nsd' | 'none'; name?: string }): string {
  for (const d of ['base', 'zones', 'state']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'base', `${ZONE}.base`), `$TTL 60\n@ IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 60 )\n@ IN NS ns1.${ZONE}.\nns1 IN A 127.0.0.1\nwww IN A @IP@\n`);
  const check = o.shippedCheck ? 'timeout = "5s"\nattempts = 2\nfail_after = 1\nrecover_after = 1\n' : 'timeout = "2s"\nattempts = 1\nfail_after = "4s"\nrecover_after = "5s"\n';
  const conf = join(dir, o.name ?? 'zonerw.toml');
  const ns = o.kind === 'none' ? '[nameserver]\nkind = "none"\n\n' : `secondaries = ["127.0.0.1:${o.secondary}"]\nsecondary_wait = "2s"\n\n[nameserver]\nkind = "nsd"\ncontrol = ${JSON.stringify(o.control)}\naddress = "127.0.0.1:${o.primary}"\n\n`;
  writeFileSync(
    conf,
    `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n${ns}${o.interval ? `[watch]\ninterval = "${o.interval}"\n\n` : ''}[check]\n${check}\n[[server]]\nname = "main"\naddress = "${MAIN}"\ncheck = "${o.url}"\n\n[[server]]\nname = "backup"\naddress = "${BACKUP}"\n`,
  );
  return conf;
}

async function answers(port: number, want: string, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await queryA(port, `www.${ZONE}`, 100);
    const t = performance.timeOrigin + performance.now();
    if (got.length === 1 && got[0] === want) return t;
    if (Date.now() > deadline) throw new Error(`the secondary never answered www.${ZONE} = ${want}`);
    await sleep(5);
  }
}

function procStat(pid: number): { cpuTicks: number; rssMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuTicks: Number(f[11]) + Number(f[12]), rssMB: Math.round(rssKB / 102.4) / 10 };
}

function startWatch(zonerw: string, conf: string): ChildProcess {
  const child = spawn(process.execPath, [zonerw, '--config', conf, 'watch'], { env: { PATH: labPath() }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function stopWatch(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

export async function watchBench(work: string, zonerw: string, plan: WatchBenchPlan, progress: (msg: string) => void): Promise<WatchBenchResult> {
  const main = await hangable();
  const [primaryPort, secondaryPort] = [await freePort(), await freePort()];
  const dir = join(work, 'watch');
  const primary = await startNsd({ dir: join(dir, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(dir, 'site', 'zones'), peerPort: secondaryPort });
  await startNsd({ dir: join(dir, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
  const ports = { primary: primaryPort, secondary: secondaryPort, control: primary.control };
  const conf = site(join(dir, 'site'), { url: main.url, ...ports });
  const watchers: ChildProcess[] = [];
  try {
    const w = startWatch(zonerw, conf);
    watchers.push(w);
    await answers(secondaryPort, MAIN);
    const all: number[] = [];
    for (let i = 0; i < plan.trials; i++) {
      await sleep(Math.random() * 2000); // a random moment of the 2 s cycle
      main.hang(true);
      const hungAt = performance.timeOrigin + performance.now();
      all.push(Math.round((await answers(secondaryPort, BACKUP)) - hungAt));
      progress(`watch: trial ${i + 1}/${plan.trials}: ${all.at(-1)} ms`);
      main.hang(false);
      await answers(secondaryPort, MAIN);
      await sleep(1000);
    }
    let moved = 0;
    for (let i = 0; i < plan.blips; i++) {
      main.hang(true);
      await sleep(2500);
      main.hang(false);
      const until = Date.now() + 9000; // fail_after and two cycles more
      while (Date.now() < until) if ((await queryA(secondaryPort, `www.${ZONE}`, 100)).includes(BACKUP)) moved++, await answers(secondaryPort, MAIN);
    }
    progress(`watch: steady for ${plan.steadyS} s`);
    const a = procStat(w.pid!);
    await sleep(plan.steadyS * 1000);
    const b = procStat(w.pid!);
    const steady = { seconds: plan.steadyS, cpuSharePercent: Math.round(((b.cpuTicks - a.cpuTicks) / TICK_S / plan.steadyS) * 10_000) / 100, rssMB: b.rssMB };
    await stopWatch(w);
    const timer = await timerComputed(zonerw, join(dir, 'site'), main, ports);
    const fast = await fastRun(zonerw, join(dir, 'fast'), main.url, ports, plan.fastCycles, progress);
    return { failoverMs: { n: all.length, min: Math.min(...all), median: pct(all, 50), p99: pct(all, 99), all }, blips: { tried: plan.blips, moved }, timerComputedMs: timer, steady, fast };
  } finally {
    for (const c of watchers) if (c.exitCode === null) c.kill('SIGKILL');
    main.close();
  }
}

/** The shipped timer: a uniform wait in 0..120 s plus AccuracySec's 0..10 s, then a measured one-shot run against the hung main. */
async function timerComputed(zonerw: string, dir: string, main: Awaited<ReturnType<typeof hangable>>, ports: { primary: number; secondary: number; control: string[] }) {
  // the watch's own site (the folders the primary loads), with the shipped [check]
  const conf = site(dir, { url: main.url, ...ports, shippedCheck: true, name: 'shipped.toml' });
  const run = () => new Promise<number>((ok) => {
    const t0 = performance.now();
    spawn(process.execPath, [zonerw, '--config', conf], { env: { PATH: labPath() }, stdio: 'ignore' }).once('exit', () => ok(performance.now() - t0));
  });
  main.hang(true);
  const oneShotRunMs = Math.round(await run());
  main.hang(false);
  await run(); // back to main for what follows
  // the distribution of wait + run, by its quantiles (the wait is the sum of two uniforms)
  const samples = Array.from({ length: 10_000 }, (_, i) => ((i % 100) / 100) * 120_000 + (Math.floor(i / 100) / 100) * 10_000 + oneShotRunMs);
  return { min: oneShotRunMs, median: Math.round(pct(samples, 50)), p99: Math.round(pct(samples, 99)), oneShotRunMs };
}

/** A steady watch (kind "none": no nameserver to wait for) at interval 10ms for `cycles` cycles: its RSS at every tenth. */
async function fastRun(zonerw: string, dir: string, url: string, ports: { primary: number; secondary: number; control: string[] }, cycles: number, progress: (msg: string) => void) {
  const conf = site(dir, { url, ...ports, interval: '10ms', kind: 'none' });
  const w = startWatch(zonerw, conf);
  const beat = join(dir, 'state', 'watch.json');
  const cyclesNow = () => {
    try {
      return (JSON.parse(readFileSync(beat, 'utf8')) as { cycles: number }).cycles;
    } catch {
      return 0;
    }
  };
  const rssMB: number[] = [];
  try {
    for (let next = cycles / 10; next <= cycles; next += cycles / 10) {
      while (cyclesNow() < next) await sleep(200);
      rssMB.push(procStat(w.pid!).rssMB);
      progress(`watch: fast run, ${next} cycles, RSS ${rssMB.at(-1)} MB`);
    }
  } finally {
    await stopWatch(w);
  }
  return { cycles, rssMB };
}

/** The lines results.md carries for the watch. */
export function watchMarkdown(r: WatchBenchResult): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    '## zonerw watch: main hung → the secondary answers the backup',
    '',
    `Real NSD primary and secondary on loopback; \`zonerw watch\` with [watch] interval 2s, [check] timeout 2s, attempts 1, fail_after "4s"; the main hangs at a random moment of the cycle.`,
    '',
    '| | n | min | median | p99 | goal |',
    '|---|---|---|---|---|---|',
    `| zonerw watch (measured) | ${r.failoverMs.n} | ${s(r.failoverMs.min)} | ${s(r.failoverMs.median)} | ${s(r.failoverMs.p99)} | p99 ≤ 10 s: ${r.failoverMs.p99 <= 10_000 ? 'PASS' : 'MISS'} |`,
    `| zonerw.timer (computed: 2 min + AccuracySec 10 s, then a measured run of ${s(r.timerComputedMs.oneShotRunMs)}) | | ${s(r.timerComputedMs.min)} | ${s(r.timerComputedMs.median)} | ${s(r.timerComputedMs.p99)} | |`,
    '',
    `Blips of 2.5 s (shorter than fail_after): ${r.blips.moved} of ${r.blips.tried} moved the zone (goal: none: ${r.blips.moved === 0 ? 'PASS' : 'MISS'}).`,
    `A steady watch over ${r.steady.seconds} s: ${r.steady.cpuSharePercent} % of one core (goal < 0.5 %: ${r.steady.cpuSharePercent < 0.5 ? 'PASS' : 'MISS'}), RSS ${r.steady.rssMB} MB (goal < 60 MB: ${r.steady.rssMB < 60 ? 'PASS' : 'MISS'}).`,
    `A fast watch (interval 10ms), RSS at each tenth of ${r.fast.cycles} cycles: ${r.fast.rssMB.join(', ')} MB.`,
    '',
  ];
}
