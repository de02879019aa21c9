// `npm run demo`: the whole zonerw job on loopback, in a couple of seconds.
//
// A local "main server" (node:http), an NSD primary and an NSD secondary when NSD is installed
// (else kind = "none", and the demo shows the zone file instead of asking a secondary), and the
// built zonerw binary run three times as cron would: main up, main down (failover to the backup),
// main back (failback). Everything lives in demo/last/ in the repo (gitignored) and is stopped
// at the end. Exits non-zero when any step did not behave.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryPath, freePort, queryA, querySoaSerial, startHttp, startNsd, stopAll, waitFor, labPath, type NsInstance } from '../test/lab/lab.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const zonerwBin = join(repoRoot, 'bin', 'zonerw.js');
const ZONE = 'example.com';
const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const red = (s: string) => (tty ? `\x1b[31m${s}\x1b[0m` : s);
const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[0m` : s);
const indent = (s: string) => s.replace(/\n$/, '').split('\n').map((l) => `    ${l}`).join('\n');

const problems: string[] = [];
function expect(ok: boolean, what: string): void {
  console.log(ok ? green(`  ok: ${what}`) : red(`  NOT OK: ${what}`));
  if (!ok) problems.push(what);
}

// The bundled example: the quick start runs the main job on exactly this base file.
const BASE = readFileSync(join(repoRoot, 'zones.example', 'base', `${ZONE}.base`), 'utf8');

function config(kind: 'nsd' | 'none', control: string[], checkUrl: string, primaryPort = 53): string {
  const ns =
    kind === 'nsd'
      ? `kind      = "nsd"
control   = ${JSON.stringify(control)}   # argv prefix, no shell
checkzone = "always"                 # nsd-checkzone before installing
timeout   = "10s"
address   = "127.0.0.1:${primaryPort}"      # where the primary answers: asked after each reload`
      : `kind      = "none"                   # NSD is not installed here: only write the zone files
checkzone = "never"`;
  return `# zonerw demo configuration. Relative paths resolve against this file's folder.
base_dir  = "base"                   # <zone>.base files, hand-written
zone_dir  = "zones"                  # <zone> files, what the nameserver loads
state_dir = "state"                  # state.json and the lock
timezone  = "UTC"                    # the date in YYYYMMDDSS

[nameserver]
${ns}

[check]                              # defaults for every server's check
timeout  = "2s"
attempts = 1

[[server]]                           # in order of preference
name    = "main"
address = "${MAIN}"                 # what goes into the zone
check   = { url = "${checkUrl}", host = "${ZONE}" }   # ask the server itself, never the DNS

[[server]]
name    = "backup"                   # no check: the last resort, the machine zonerw runs on
address = "${BACKUP}"
`;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built binary, as cron runs it. Asynchronous: the main HTTP server lives in this process. */
function spawnZonerw(conf: string, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: labPath() };
    delete env.ZONERW_CONFIG;
    const child = spawn(process.execPath, [zonerwBin, '--config', conf, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

async function zonerw(conf: string, args: string[] = []): Promise<Run> {
  console.log(`\n  ${bold(`$ zonerw --config ${relative(process.cwd(), conf)}${args.length ? ' ' + args.join(' ') : ''}`)}`);
  const r = await spawnZonerw(conf, args);
  if (r.stdout) console.log(indent(r.stdout));
  if (r.stderr) console.log(indent(red(r.stderr)));
  if (!r.stdout && !r.stderr) console.log(dim('    (no output: nothing changed, so cron mails nothing)'));
  console.log(dim(`    exit ${r.code}`));
  return r;
}

const serialOf = (r: Run) => {
  const m = /^example\.com: serial (\d{10})/m.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
};

async function main(): Promise<void> {
  const dir = join(repoRoot, 'demo', 'last');
  rmSync(dir, { recursive: true, force: true });
  const site = join(dir, 'site');
  for (const d of ['base', 'zones', 'state']) mkdirSync(join(site, d), { recursive: true });
  writeFileSync(join(site, 'base', `${ZONE}.base`), BASE);

  // ZONERW_DEMO_KIND=none shows the run without NSD even where it is installed
  const withNsd = process.env.ZONERW_DEMO_KIND !== 'none' && ['nsd', 'nsd-control', 'nsd-checkzone'].every((b) => binaryPath(b) !== undefined);
  console.log(bold('zonerw demo') + dim(`  (everything in ${relative(process.cwd(), dir) || dir})`));

  const http = await startHttp(200);
  console.log(`  main server: a local HTTP server at ${http.url}, standing in for ${MAIN}`);
  let secondary: NsInstance | undefined;
  let control: string[] = [];
  let primaryPort = 53;
  if (withNsd) {
    const p = await freePort();
    const s = await freePort();
    const primary = await startNsd({ dir: join(dir, 'primary'), role: 'primary', port: p, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: s });
    secondary = await startNsd({ dir: join(dir, 'secondary'), role: 'secondary', port: s, zones: [ZONE], peerPort: p });
    control = primary.control;
    primaryPort = p;
    console.log(`  NSD primary on 127.0.0.1:${p} (loads ${relative(process.cwd(), join(site, 'zones'))}/${ZONE}), NSD secondary on 127.0.0.1:${s}`);
  } else {
    console.log(dim('  no NSD here (not installed, or ZONERW_DEMO_KIND=none): kind = "none", the demo shows the zone file instead of asking a secondary'));
  }
  const conf = join(site, 'zonerw.toml');
  writeFileSync(conf, config(withNsd ? 'nsd' : 'none', control, http.url, primaryPort));

  /** What the world sees for www: the secondary's answer, or the zone file when there is no NSD. */
  async function show(expected: string, serial: number | undefined): Promise<void> {
    if (secondary) {
      const sec = secondary;
      if (serial !== undefined) {
        await waitFor(() => querySoaSerial(sec.port, ZONE).then((v) => (v === serial ? v : undefined)), { what: `the secondary to serve serial ${serial}` }).catch(
          () => undefined,
        );
      }
      console.log(`\n  ${bold(`$ dig @127.0.0.1 -p ${sec.port} www.${ZONE} A +short`)}   ${dim('(asked with dns-packet)')}`);
      const got = await queryA(sec.port, `www.${ZONE}`);
      console.log(indent(got.join('\n') || '(no answer)'));
      const soa = await querySoaSerial(sec.port, ZONE);
      console.log(dim(`    the secondary serves serial ${soa}`));
      expect(got.length === 1 && got[0] === expected, `the secondary answers www.${ZONE} = ${expected}`);
      if (serial !== undefined) expect(soa === serial, `the secondary has serial ${serial}`);
    } else {
      const file = join(site, 'zones', ZONE);
      const text = readFileSync(file, 'utf8');
      console.log(`\n  ${bold(`$ grep www ${relative(process.cwd(), file)}`)}`);
      const line = text.split('\n').find((l) => l.startsWith('www')) ?? '(no www line)';
      console.log(indent(line));
      expect(line.includes(expected), `the zone file points www.${ZONE} at ${expected}`);
    }
  }

  try {
    console.log(bold('\n1. The main server is up'));
    let r = await zonerw(conf);
    const s1 = serialOf(r);
    expect(r.code === 0, 'exit 0');
    expect(s1 !== undefined, 'a new serial was published');
    await show(MAIN, s1);

    console.log(bold('\n2. Cron runs again, nothing changed'));
    r = await zonerw(conf);
    expect(r.code === 0 && r.stdout === '' && r.stderr === '', 'silent, exit 0');

    console.log(bold('\n3. The main server goes away (its HTTP server is stopped)'));
    await http.stop();
    r = await zonerw(conf);
    const s2 = serialOf(r);
    expect(r.code === 0, 'exit 0');
    expect(s2 !== undefined && s1 !== undefined && s2 > s1, 'a higher serial was published');
    await show(BACKUP, s2);

    console.log(bold('\n4. The main server comes back'));
    await http.start();
    // recover_after = 2 (the default): one good check is not enough, so a flapping main server
    // cannot move the zone back and forth on every run.
    r = await zonerw(conf);
    expect(r.code === 0 && r.stdout === '', 'one good run is not enough to fail back (recover_after = 2): nothing changes yet');
    r = await zonerw(conf);
    const s3 = serialOf(r);
    expect(r.code === 0, 'exit 0');
    expect(s3 !== undefined && s2 !== undefined && s3 > s2, 'a higher serial again');
    await show(MAIN, s3);

    const st = await zonerw(conf, ['status']);
    const js = await spawnZonerw(conf, ['status', '--json']);
    let favoured: unknown;
    try {
      favoured = (JSON.parse(js.stdout) as { favoured?: { server?: string } }).favoured?.server;
    } catch {
      favoured = undefined;
    }
    expect(st.code === 0 && favoured === 'main', 'status (and status --json) shows main favoured again');
  } finally {
    await stopAll();
  }

  console.log(bold('\nWhat you just saw'));
  console.log(`  - zonerw checked the main server over HTTP (at its address, with Host: ${ZONE}) and wrote
    ${ZONE} from its base file, with the main address ${MAIN} and a YYYYMMDDSS serial.
  - ${withNsd ? 'It validated the zone with nsd-checkzone, installed it atomically, and told NSD to reload\n    and NOTIFY: the secondary transferred it within milliseconds.' : 'With kind = "none" it only wrote the zone file (install NSD to see a secondary follow).'}
  - A run with nothing to do printed nothing: cron sends no mail.
  - With the main server gone, the next run pointed www (and mail) at the backup ${BACKUP} with a
    higher serial, printing one line for the change and one for the zone.
  - When the main server came back, it had to pass two runs in a row (recover_after = 2) before
    the zone pointed back at it, so a flapping server does not move the zone on every run.
  Everything ran on 127.0.0.1 and has been stopped; the files are in ${relative(process.cwd(), dir) || dir}.`);

  if (problems.length > 0) {
    console.log(red(`\n${problems.length} step(s) did not behave:\n${problems.map((p) => `  - ${p}`).join('\n')}`));
    process.exitCode = 1;
  } else {
    console.log(green('\nEvery step behaved.'));
  }
}

main().catch(async (e: unknown) => {
  console.error(red(`demo failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
  await stopAll().catch(() => {});
  process.exitCode = 1;
});
