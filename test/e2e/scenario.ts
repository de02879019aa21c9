// The failover story, end to end, shared by failover-nsd.test.ts, failover-bind.test.ts and
// failover-knot.test.ts: the built zonerw binary is spawned exactly as cron would run it, against
// a real primary and secondary (NSD+NSD, BIND+BIND, or a Knot primary with an NSD secondary) on
// loopback and a node:http "main server". Each step asserts what a sysadmin depends on: what
// the secondary serves, what cron would mail (stdout/stderr), the exit code, and that the zone
// file on disk is untouched when it must be.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { zonerw } from '../helpers/cli.js';
import {
  binaryPath,
  freePort,
  labPath,
  needBinary,
  queryA,
  querySoaSerial,
  startBind,
  startHttp,
  startKnot,
  startNsd,
  stopAll,
  waitFor,
  type HttpTarget,
  type NsInstance,
  type NsOptions,
} from '../lab/lab.js';

export const ZONE = 'example.test';
export const MAIN = '192.0.2.1';
export const BACKUP = '198.51.100.7';

export const BASE = `$TTL 300
@    IN SOA ns1.example.test. hostmaster.example.test. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.example.test.
ns1  IN A   127.0.0.1
www  IN A   @IP@
mail IN A   192.0.2.1 ; @IP@
`;

/** The zone zonerw must install: the base file byte for byte, only the markers' values replaced. */
export function expectedZone(serial: number, ip: string): string {
  return BASE.replace('@serial number@', String(serial))
    .replace('www  IN A   @IP@', `www  IN A   ${ip}`)
    .replace(`mail IN A   ${MAIN} ; @IP@`, `mail IN A   ${ip} ; @IP@`);
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** For assertion messages: everything the run said. */
export function show(r: Run): string {
  return `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`;
}

/**
 * Runs the built binary as cron would: `node bin/zonerw.js --config CONF ...args`, from a folder
 * that is not the config's (relative paths must resolve against the config file), with a TZ far
 * from the configured UTC, and with the sbin folders on PATH (where the checkers live).
 */
export async function runZonerw(conf: string, args: string[] = [], cwd = tmpdir(), timeoutMs = 30_000, extra: NodeJS.ProcessEnv = {}): Promise<Run> {
  // cron's PATH with the sbin folders, and nothing of the tests' own environment (HOME, USER, ZONERW_*)
  const env: NodeJS.ProcessEnv = { PATH: labPath('/usr/bin:/bin'), TZ: 'Pacific/Kiritimati', ...extra };
  let signal: NodeJS.Signals | null = null;
  const r = await zonerw(['--config', conf, ...args], env, { cwd, timeoutMs, onSignal: (s) => (signal = s) });
  return { ...r, signal };
}

/** The serial of the `example.test: serial NNNNNNNNNN` line; fails the test when there is none. */
export function publishedSerial(r: Run): number {
  const m = /^example\.test: serial (\d{10})\b/m.exec(r.stdout);
  assert.ok(m, `no "${ZONE}: serial NNNNNNNNNN" line on stdout\n${show(r)}`);
  return Number(m[1]);
}

export function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.trim() !== '');
}

/** YYYYMMDD of now, in UTC. */
export function utcDate(d = new Date()): number {
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

export interface StatusZone {
  zone: string;
  serial: number;
  pending: string[];
  fileState: unknown;
  checker: string | null;
  served: { serial: number | null; addressesMatch: boolean | null; current: boolean; problem: string | null; words: string | null } | null;
  secondaries: { secondary: string; serial: number | null; state: string }[];
}
export interface StatusJson {
  zones: StatusZone[];
  favoured: { server: string; address: string; since: string; notServedBy: string[] | null } | null;
  primary: { address: string | null; notAsked: string | null };
}

export async function statusJson(conf: string): Promise<{ json: StatusJson; zone: StatusZone }> {
  const r = await runZonerw(conf, ['status', '--json']);
  assert.equal(r.code, 0, `status --json failed\n${show(r)}`);
  let json: StatusJson;
  try {
    json = JSON.parse(r.stdout) as StatusJson;
  } catch (e) {
    assert.fail(`status --json did not print JSON (${String(e)})\n${show(r)}`);
  }
  const zone = json.zones?.find((z) => z.zone === ZONE);
  assert.ok(zone, `status --json has no zone ${ZONE}\n${r.stdout}`);
  return { json, zone };
}

/**
 * `address`: where the primary answers DNS ("127.0.0.1:PORT"); `top`: extra top-level lines
 * (secondaries, secondary_wait); serve_wait is 2s, enough on loopback, so that a run whose reload
 * did not load fails quickly.
 */
export function configToml(o: { kind: 'nsd' | 'bind' | 'knot' | 'none'; control: string[]; checkUrl: string; address?: string; top?: string }): string {
  const control = o.kind === 'none' ? '' : `control   = ${JSON.stringify(o.control)}\naddress   = ${o.address ? JSON.stringify(o.address) : 'false'}\nserve_wait = "2s"\n`;
  return `# zonerw e2e: paths relative to this file's folder
base_dir  = "base"
zone_dir  = "zones"
state_dir = "state"
timezone  = "UTC"
${o.top ?? ''}

[nameserver]
kind      = "${o.kind}"
${control}checkzone = "${o.kind === 'none' ? 'never' : 'always'}"
timeout   = "10s"

[check]
timeout  = "2s"
attempts = 1

[[server]]
name    = "main"
address = "${MAIN}"
check   = { url = "${o.checkUrl}", host = "${ZONE}" }

[[server]]
name    = "backup"
address = "${BACKUP}"
`;
}

type Kind = 'nsd' | 'bind' | 'knot';

const controlReload = (kind: Kind) =>
  kind === 'nsd' ? /control cmd:\s+reload\b/ : kind === 'knot' ? /control, received command 'zone-reload'/ : /received control channel command 'reload\b/;

const BINS: Record<Kind, string[]> = {
  nsd: ['nsd', 'nsd-control', 'nsd-checkzone'],
  bind: ['named', 'rndc', 'rndc-confgen', 'named-checkzone'],
  // Debian 12's knot has no kzonecheck (it is in knot-dnssecutils): zonerw falls back to
  // named-checkzone, else nsd-checkzone; the NSD secondary brings nsd-checkzone.
  knot: ['knotd', 'knotc'],
};
const STARTERS = { nsd: startNsd, bind: startBind, knot: startKnot };

/** The checker zonerw uses for a Knot zone here: the first of its list that is installed. */
export const knotChecker = (): string | undefined => ['kzonecheck', 'named-checkzone', 'nsd-checkzone'].find((c) => binaryPath(c) !== undefined);

/**
 * The whole story against one kind of nameserver, in one fresh folder with fresh servers. The
 * secondary is of the same kind unless `opts.secondary` says otherwise (Knot: an NSD secondary).
 */
export function failoverSuite(kind: Kind, opts: { secondary?: Exclude<Kind, 'knot'> } = {}): void {
  const secondaryKind = opts.secondary ?? kind;
  const bins = [...new Set([...BINS[kind], ...BINS[secondaryKind]])];
  const missing = bins.filter((b) => !needBinary(b));
  const skip = missing.length > 0 ? `${missing.join(', ')} not installed (apt-get install nsd bind9 bind9-dnsutils knot)` : false;
  const start = STARTERS[kind];
  const startSecondary = STARTERS[secondaryKind];

  describe(`zonerw failover with ${kind} primary and ${secondaryKind} secondary`, { skip, timeout: 120_000 }, () => {
    let root = '';
    let site = '';
    let conf = '';
    let zoneFile = '';
    let baseFile = '';
    let http: HttpTarget;
    let primary: NsInstance;
    let secondary: NsInstance;
    let primaryOptions: NsOptions;
    let secondaryOptions: NsOptions;
    const serials: number[] = []; // every serial published so far, in order
    const last = () => serials[serials.length - 1]!;

    const secondaryServes = (serial: number) =>
      waitFor(() => querySoaSerial(secondary.port, ZONE).then((s) => (s === serial ? s : undefined)), {
        timeoutMs: 10_000,
        what: `the ${secondaryKind} secondary to serve serial ${serial}`,
      }).catch(async (e: Error) => {
        throw new Error(`${e.message}; it serves ${await querySoaSerial(secondary.port, ZONE)}, the primary ${await querySoaSerial(primary.port, ZONE)}`);
      });

    const www = () => queryA(secondary.port, `www.${ZONE}`);
    const mail = () => queryA(secondary.port, `mail.${ZONE}`);

    before(async () => {
      root = mkdtempSync(join(tmpdir(), `zonerw-e2e-${kind}-`));
      site = join(root, 'site');
      for (const d of ['base', 'zones', 'state']) mkdirSync(join(site, d), { recursive: true });
      zoneFile = join(site, 'zones', ZONE);
      baseFile = join(site, 'base', `${ZONE}.base`);
      writeFileSync(baseFile, BASE);

      http = await startHttp(200);
      const primaryPort = await freePort();
      const secondaryPort = await freePort();
      primaryOptions = { dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: secondaryPort };
      primary = await start(primaryOptions);
      secondaryOptions = { dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort };
      secondary = await startSecondary(secondaryOptions);

      conf = join(site, 'zonerw.toml');
      // The secondary is watched: with the README's nameserver snippets (the lab's), a healthy one
      // is never reported behind. secondary_wait 2s keeps the run that finds one behind short.
      const top = `secondaries = ["127.0.0.1:${secondaryPort}"]\nsecondary_wait = "2s"`;
      writeFileSync(conf, configToml({ kind, control: primary.control, checkUrl: http.url, address: `127.0.0.1:${primaryPort}`, top }));
    });

    after(async () => {
      try {
        await stopAll();
      } finally {
        if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
        else if (root) console.log(`kept ${root} (ZONERW_E2E_KEEP)`);
      }
    });

    it('1. main up: publishes the main address, and the secondary follows', async () => {
      const dayBefore = utcDate();
      const r = await runZonerw(conf, [], root);
      const dayAfter = utcDate();
      assert.equal(r.code, 0, show(r));
      const serial = publishedSerial(r);
      serials.push(serial);
      assert.ok([dayBefore, dayAfter].includes(Math.floor(serial / 100)), `serial ${serial} is not today's UTC date YYYYMMDD00\n${show(r)}`);
      assert.equal(serial % 100, 0, `first serial of the day ends in 00: ${serial}`);

      assert.ok(http.requests.length > 0, 'the main server was checked over HTTP');
      assert.equal(http.requests.at(-1)!.host, ZONE, 'the check sends the configured Host header');

      assert.equal(readFileSync(zoneFile, 'utf8'), expectedZone(serial, MAIN), 'the installed zone file');
      await secondaryServes(serial);
      assert.deepEqual(await www(), [MAIN]);
      assert.deepEqual(await mail(), [MAIN]);

      assert.equal(r.stderr, '', `the primary serves it and the secondary follows: nothing to say\n${show(r)}`);
      const { json, zone } = await statusJson(conf);
      assert.equal(zone.serial, serial);
      assert.deepEqual(zone.pending, []);
      assert.deepEqual(zone.served, { serial, addressesMatch: true, current: true, problem: null, words: null }, 'status asks the primary live');
      assert.deepEqual(zone.secondaries.map((s) => [s.serial, s.state]), [[serial, 'current']]);
      assert.deepEqual(json.favoured?.notServedBy, []);
      const checker = { nsd: 'nsd-checkzone', bind: 'named-checkzone', knot: knotChecker() }[kind];
      assert.equal(zone.checker, checker, 'status says which checker validated the zone');
      assert.equal(json.favoured?.server, 'main');
      assert.equal(json.favoured?.address, MAIN);
    });

    it('2. nothing changed: silent, exit 0, zone file and serial untouched, no reload', async () => {
      const before = statSync(zoneFile);
      const bytes = readFileSync(zoneFile);
      const logBefore = primary.log().length;
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      assert.equal(r.stdout, '', `stdout must be empty when nothing changed (cron mails it)\n${show(r)}`);
      assert.equal(r.stderr, '', `stderr must be empty when nothing changed (cron mails it)\n${show(r)}`);
      const after = statSync(zoneFile);
      assert.equal(after.mtimeMs, before.mtimeMs, 'zone file mtime');
      assert.equal(after.ino, before.ino, 'zone file replaced');
      assert.deepEqual(readFileSync(zoneFile), bytes, 'zone file bytes');
      assert.doesNotMatch(primary.log().slice(logBefore), controlReload(kind), 'no reload when nothing changed');
      assert.equal(await querySoaSerial(secondary.port, ZONE), last());
    });

    it('3. main answers 503: fails over to the backup; then main refuses: already on backup, silent', async () => {
      http.setStatus(503);
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      const out = lines(r.stdout);
      const transition = out.find((l) => /\bmain\b/.test(l) && l.includes(MAIN) && /\bdown\b/.test(l));
      assert.ok(transition, `a line saying main ${MAIN} is down\n${show(r)}`);
      assert.match(transition, /503/, 'the reason is shown');
      assert.match(transition, /favouring backup 198\.51\.100\.7/);
      const serial = publishedSerial(r);
      assert.ok(serial > last(), `serial ${serial} > ${last()}`);
      serials.push(serial);
      assert.equal(out.length, 2, `one line for the transition, one for the zone\n${show(r)}`);
      assert.equal(r.stderr, '', `published, served, transferred: nothing on stderr\n${show(r)}`);
      assert.equal(readFileSync(zoneFile, 'utf8'), expectedZone(serial, BACKUP), 'the installed zone file');
      await secondaryServes(serial);
      assert.deepEqual(await www(), [BACKUP]);
      assert.deepEqual(await mail(), [BACKUP]);
      assert.equal((await statusJson(conf)).json.favoured?.server, 'backup');

      await http.stop();
      const bytes = readFileSync(zoneFile);
      const r2 = await runZonerw(conf, [], root);
      assert.equal(r2.code, 0, show(r2));
      assert.equal(r2.stdout, '', `still on backup: nothing to say\n${show(r2)}`);
      assert.equal(r2.stderr, '', `still on backup: nothing to say\n${show(r2)}`);
      assert.deepEqual(readFileSync(zoneFile), bytes);
      assert.equal(await querySoaSerial(secondary.port, ZONE), serial);
    });

    it('4. main back: fails back after recover_after (default 2) good runs, with a higher serial', async () => {
      await http.start();
      http.setStatus(200);
      const first = await runZonerw(conf, [], root);
      assert.deepEqual([first.code, first.stdout, first.stderr], [0, '', ''], `one good run is not enough to fail back\n${show(first)}`);
      assert.deepEqual(await www(), [BACKUP]);
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 0, show(r));
      const out = lines(r.stdout);
      assert.ok(
        out.some((l) => !l.startsWith(`${ZONE}:`) && /\bmain\b/.test(l) && l.includes(MAIN)),
        `a line saying main ${MAIN} is favoured again\n${show(r)}`,
      );
      const serial = publishedSerial(r);
      assert.ok(serial > last(), `serial ${serial} > ${last()}`);
      assert.equal(readFileSync(zoneFile, 'utf8'), expectedZone(serial, MAIN), 'the installed zone file');
      serials.push(serial);
      await secondaryServes(serial);
      assert.deepEqual(await www(), [MAIN]);
      assert.deepEqual(await mail(), [MAIN]);
      assert.equal((await statusJson(conf)).json.favoured?.server, 'main');
    });

    it('5. --force: a new serial, the same data', async () => {
      const r = await runZonerw(conf, ['--force'], root);
      assert.equal(r.code, 0, show(r));
      const serial = publishedSerial(r);
      assert.ok(serial > last(), `serial ${serial} > ${last()}`);
      assert.equal(lines(r.stdout).length, 1, `no transition, so only the zone line\n${show(r)}`);
      assert.equal(readFileSync(zoneFile, 'utf8'), expectedZone(serial, MAIN), 'only the serial differs');
      serials.push(serial);
      await secondaryServes(serial);
      assert.deepEqual(await www(), [MAIN]);
    });

    it('6. a broken base file: refused by the checker, exit 1, the old zone keeps being served', async () => {
      const bytes = readFileSync(zoneFile);
      const mtime = statSync(zoneFile).mtimeMs;
      const broken = BASE.replace('www  IN A   @IP@', 'www  IN A   192.0.2.300');
      assert.notEqual(broken, BASE);
      writeFileSync(baseFile, broken);
      try {
        const r = await runZonerw(conf, ['--force'], root);
        assert.equal(r.code, 1, show(r));
        assert.match(r.stderr, /example\.test/, `stderr names the zone\n${show(r)}`);
        if (kind === 'knot') assert.match(r.stderr, new RegExp(`refused by ${knotChecker()}\\b`), `stderr names the checker that refused it\n${show(r)}`);
        assert.doesNotMatch(r.stdout, /^example\.test: serial/m, `nothing was published\n${show(r)}`);
        assert.deepEqual(readFileSync(zoneFile), bytes, 'the installed zone file is byte-identical');
        assert.equal(statSync(zoneFile).mtimeMs, mtime);
        assert.deepEqual(readdirSync(join(site, 'zones')), [ZONE], 'no temporary files left in zone_dir');
        assert.equal(await querySoaSerial(primary.port, ZONE), last(), 'the primary still serves the last good serial');
        assert.equal(await querySoaSerial(secondary.port, ZONE), last(), 'the secondary still serves the last good serial');
        assert.deepEqual(await www(), [MAIN]);
      } finally {
        writeFileSync(baseFile, BASE);
      }
    });

    it('7. nameserver down: exit 1 and a pending reload, retried on the next run once it is back', async () => {
      await primary.stop();
      http.setStatus(503);
      const r = await runZonerw(conf, [], root);
      assert.equal(r.code, 1, show(r));
      assert.ok(r.stderr.includes(basename(primary.control[0]!)), `stderr names the failed command (${basename(primary.control[0]!)})\n${show(r)}`);
      assert.match(r.stderr, /\breload\b/, `stderr says the reload failed\n${show(r)}`);

      const { zone } = await statusJson(conf);
      assert.ok(zone.pending.includes('reload'), `status shows a pending reload: ${JSON.stringify(zone)}`);
      const serial = zone.serial;
      assert.ok(serial > last(), `the new zone was installed with a higher serial: ${serial} > ${last()}`);
      assert.equal(readFileSync(zoneFile, 'utf8'), expectedZone(serial, BACKUP), 'the new zone file is installed');
      assert.equal(await querySoaSerial(secondary.port, ZONE), last(), 'the secondary cannot have it yet');

      primary = await start(primaryOptions); // same port, same folder; it loads the new file
      const logBefore = primary.log().length;
      const r2 = await runZonerw(conf, [], root);
      assert.equal(r2.code, 0, show(r2));
      assert.match(primary.log().slice(logBefore), controlReload(kind), 'the pending reload was retried');
      const after = await statusJson(conf);
      assert.deepEqual(after.zone.pending, [], 'nothing pending any more');
      assert.equal(after.zone.serial, serial, 'the retry publishes no new serial');
      serials.push(serial);
      await secondaryServes(serial);
      assert.deepEqual(await www(), [BACKUP]);
      assert.deepEqual(await mail(), [BACKUP]);
    });

    it('8. a control command that says ok but does not reload: exit 1 naming what the primary serves, status shows it, the real one publishes', async () => {
      const before = last();
      const real = readFileSync(conf, 'utf8');
      const line = `control   = ${JSON.stringify(primary.control)}`;
      assert.ok(real.includes(line));
      // serve_wait 500ms: the run waits it out (nothing reloads), and 2s would only cost time here
      writeFileSync(conf, real.replace(line, 'control   = ["true"]').replace('serve_wait = "2s"', 'serve_wait = "500ms"'));
      let serial: number;
      try {
        const r = await runZonerw(conf, ['--force'], root);
        assert.equal(r.code, 1, show(r));
        assert.doesNotMatch(r.stdout, /^example\.test: serial/m, `stdout claims no change the primary does not serve\n${show(r)}`);
        const waiting = /^example\.test: waiting: serial (\d{10}), forced: installed, but the primary does not serve it yet/m.exec(r.stdout);
        assert.ok(waiting, `stdout says the change waits, and why\n${show(r)}`);
        serial = Number(waiting[1]);
        assert.ok(serial > before, `serial ${serial} > ${before}`);
        const served = `mail\\.example\\.test A ${BACKUP.replace(/\./g, '\\.')}; www\\.example\\.test A ${BACKUP.replace(/\./g, '\\.')}`;
        assert.match(
          r.stderr,
          new RegExp(`^example\\.test: not published: the primary 127\\.0\\.0\\.1:${primary.port} serves serial ${before} \\(${served}\\), not serial ${serial} \\(${served}\\), [\\d.]+m?s after the reload; look in the nameserver's log, check that it can read zones/example\\.test \\(the file's permissions, the nameserver's user\\) and that its config loads that file for example\\.test; the reload is retried on the next run$`, 'm'),
          show(r),
        );
        assert.equal(lines(r.stderr).length, 1, `one line for the zone\n${show(r)}`);
        const { json, zone } = await statusJson(conf);
        assert.deepEqual(zone.pending, ['reload', 'notify'], 'the reload stays pending');
        assert.deepEqual([zone.serial, zone.served?.serial, zone.served?.current], [serial, before, false]);
        assert.deepEqual(json.favoured?.notServedBy, [ZONE]);
        const text = await runZonerw(conf, ['status']);
        assert.match(text.stdout, /^favoured: backup 198\.51\.100\.7 since .*DNS DOES NOT SERVE IT YET/m, show(text));
        assert.match(text.stdout, new RegExp(`^ {4}primary 127\\.0\\.0\\.1:${primary.port}: NOT SERVED AS PUBLISHED: it serves serial ${before} `, 'm'), show(text));
        assert.equal(await querySoaSerial(secondary.port, ZONE), before, 'nothing reached the secondary');
      } finally {
        writeFileSync(conf, real);
      }
      const r2 = await runZonerw(conf, [], root);
      assert.deepEqual([r2.code, r2.stdout, r2.stderr], [0, `example.test: now served by the primary: serial ${serial}, forced\n`, ''], `the pending reload, done with the real control command, says it is served now\n${show(r2)}`);
      const { json, zone } = await statusJson(conf);
      assert.deepEqual(zone.pending, []);
      assert.deepEqual(zone.served, { serial, addressesMatch: true, current: true, problem: null, words: null });
      assert.deepEqual(json.favoured?.notServedBy, []);
      serials.push(serial);
      await secondaryServes(serial);
    });

    it('9. a secondary that stops transferring: reported "for" the time since the publish, on that run and the next; caught up, quiet again', async () => {
      await secondary.stop();
      secondary = await startSecondary({ ...secondaryOptions, peerPort: await freePort() }); // its primary is elsewhere now
      const t0 = Date.now();
      const r = await runZonerw(conf, ['--force'], root);
      const took = Date.now() - t0;
      assert.equal(r.code, 0, `not strict_secondaries: said, not an error\n${show(r)}`);
      const serial = publishedSerial(r);
      serials.push(serial);
      const behind = new RegExp(`^secondaries behind: example\\.test: 127\\.0\\.0\\.1:${secondary.port} (serves serial \\d+ \\([^)]*\\), not serial ${serial} \\([^)]*\\)|answers \\S+ for the zone), for (\\d+)s$`);
      const m = behind.exec(r.stderr.trim());
      assert.ok(m, `one line naming the secondary\n${show(r)}`);
      // after the 2s wait, and within the run: the bound is the run's own length, as the test saw it
      assert.ok(Number(m[2]) >= 2 && Number(m[2]) <= Math.ceil(took / 1000), `after the 2s wait, in a run of ${took} ms: for ${m[2]}s\n${show(r)}`);
      assert.equal((await statusJson(conf)).zone.secondaries[0]?.state !== 'current', true, 'status shows it');
      // The next run waits secondary_wait (2s) for it again, so its "for" is at least 2 s more.
      const r2 = await runZonerw(conf, [], root);
      assert.equal(r2.code, 0, show(r2));
      const m2 = behind.exec(r2.stderr.trim());
      assert.ok(m2, `said again on the next run\n${show(r2)}`);
      assert.ok(Number(m2[2]) > Number(m[2]), `the time behind grows: ${m[2]}s then ${m2[2]}s`);

      // Its primary back where it was; a secondary restarted in its old folder waits for its retry
      // timer (or a NOTIFY) before it transfers: the next publish's NOTIFY brings it up to date.
      await secondary.stop();
      secondary = await startSecondary(secondaryOptions);
      const r3 = await runZonerw(conf, ['--force'], root);
      assert.equal(r3.code, 0, show(r3));
      assert.equal(r3.stderr, '', `caught up within secondary_wait: nothing to say\n${show(r3)}`);
      const caughtUp = publishedSerial(r3);
      serials.push(caughtUp);
      await secondaryServes(caughtUp);
      const r4 = await runZonerw(conf, [], root);
      assert.deepEqual([r4.code, r4.stdout, r4.stderr], [0, '', ''], `quiet again\n${show(r4)}`);
    });
  });
}
