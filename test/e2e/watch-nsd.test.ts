// `zonerw watch` end to end: the built binary running for the whole file, a real NSD primary and
// secondary on loopback, and a "main" web server that can hang (accepts, never answers). With
// [watch] interval = "1s" and fail_after = "3s": a 1.2 s blip moves nothing; a hang fails over and
// the secondary serves the backup; main back fails back. Beside the watch, `zonerw --force`,
// status and pin work. SIGHUP reloads (a broken config is kept out), SIGTERM exits 0 clean, a
// watch killed with SIGKILL is replaced at once. The order of events is read from the history's
// timestamps, never from how long the test waited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, labPath, needBinary, queryA, querySoaSerial, startNsd, stopAll, waitFor, type NsInstance } from '../lab/lab.js';
import { startZonerw, type CliResult } from '../helpers/cli.js';
import { runZonerw, show } from './scenario.js';

const ZONE = 'watch.test';
const MAIN = '192.0.2.1';
const BACKUP = '198.51.100.7';
const BACKUP2 = '198.51.100.8';
const BASE = `$TTL 300
@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.${ZONE}.
ns1  IN A   127.0.0.1
www  IN A   @IP@
`;

const have = ['nsd', 'nsd-control', 'nsd-checkzone'].every((b) => needBinary(b));

function configToml(o: { primary: number; secondary: number; control: string[]; main: string; backup: string }): string {
  return `base_dir  = "base"
zone_dir  = "zones"
state_dir = "state"
secondaries    = ["127.0.0.1:${o.secondary}"]
secondary_wait = "2s"

[nameserver]
kind       = "nsd"
control    = ${JSON.stringify(o.control)}
address    = "127.0.0.1:${o.primary}"
serve_wait = "2s"

[watch]
interval = "1s"

[check]
timeout       = "500ms"
attempts      = 1
fail_after    = "3s"
recover_after = "3s"

[[server]]
name    = "main"
address = "${MAIN}"
check   = "${o.main}"

[[server]]
name    = "backup"
address = "${o.backup}"
`;
}

/** A web server that answers 200, or hangs: takes the request and never answers. */
async function hangableMain(): Promise<{ url: string; hang(on: boolean): void; close(): Promise<void> }> {
  let hanging = false;
  const held: ServerResponse[] = [];
  const server: Server = createServer((_req, res) => {
    if (hanging) held.push(res);
    else res.writeHead(200, { connection: 'close' }).end('ok\n');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    hang(on) {
      hanging = on;
      if (!on) for (const r of held.splice(0)) r.destroy();
    },
    close: () =>
      new Promise<void>((ok) => {
        for (const r of held.splice(0)) r.destroy();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

interface Watching {
  child: ChildProcess;
  done: Promise<CliResult>;
  out(): string;
}

describe('zonerw watch with an NSD primary and secondary', { skip: !have && 'nsd is not installed (apt-get install nsd)', timeout: 240_000 }, () => {
  let root = '';
  let site = '';
  let conf = '';
  let main: Awaited<ReturnType<typeof hangableMain>>;
  let secondary: NsInstance;
  let ports = { primary: 0, secondary: 0, control: [] as string[] };
  const watches: Watching[] = [];
  let w: Watching;

  const startWatch = (): Watching => {
    const s = startZonerw(['--config', conf, 'watch'], { PATH: labPath(), TZ: 'UTC' }, { cwd: root });
    let text = '';
    s.child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
    s.child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
    const started = { ...s, out: () => text };
    watches.push(started);
    return started;
  };
  const serves = (www: string) =>
    waitFor(async () => ((await queryA(secondary.port, `www.${ZONE}`)).join() === www ? true : undefined), { timeoutMs: 60_000, what: `the secondary to serve www ${www}\n${w?.out()}` });
  const heartbeat = () => JSON.parse(readFileSync(join(site, 'state', 'watch.json'), 'utf8')) as { pid: number; cycles: number };
  /** waits until the watch has probed `n` more times (a steady count, not a wall-clock wait) */
  const cycles = async (n: number) => {
    const from = heartbeat().cycles;
    await waitFor(async () => (heartbeat().cycles >= from + n ? true : undefined), { timeoutMs: 60_000, intervalMs: 100, what: `${n} watch cycles` });
  };
  const moves = async () => {
    const h = await runZonerw(conf, ['history', '--json'], root);
    assert.equal(h.code, 0, show(h));
    return (JSON.parse(h.stdout) as { events: { t: number; type: string; to?: string; address?: string }[] }).events.filter((e) => e.type === 'failover' || e.type === 'failback');
  };
  const writeConfig = (backup = BACKUP) => writeFileSync(conf, configToml({ ...ports, main: main.url, backup }));

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'zonerw-e2e-watch-'));
    site = join(root, 'site');
    for (const d of ['base', 'zones', 'state']) mkdirSync(join(site, d), { recursive: true });
    writeFileSync(join(site, 'base', `${ZONE}.base`), BASE);
    main = await hangableMain();
    const primaryPort = await freePort();
    const secondaryPort = await freePort();
    const primary = await startNsd({ dir: join(root, 'primary'), role: 'primary', port: primaryPort, zones: [ZONE], zoneDir: join(site, 'zones'), peerPort: secondaryPort });
    secondary = await startNsd({ dir: join(root, 'secondary'), role: 'secondary', port: secondaryPort, zones: [ZONE], peerPort: primaryPort });
    ports = { primary: primaryPort, secondary: secondaryPort, control: primary.control };
    conf = join(site, 'zonerw.toml');
    writeConfig();
  });

  after(async () => {
    try {
      for (const x of watches) if (x.child.exitCode === null && x.child.signalCode === null) x.child.kill('SIGKILL');
      await Promise.allSettled(watches.map((x) => x.done));
      await main?.close();
      await stopAll();
    } finally {
      if (root && !process.env.ZONERW_E2E_KEEP) rmSync(root, { recursive: true, force: true });
    }
  });

  it('1. the watch publishes the zone at once; status names the watch and its pid', async () => {
    w = startWatch();
    await serves(MAIN);
    await cycles(1);
    const s = await runZonerw(conf, ['status'], root);
    assert.equal(s.code, 0, show(s));
    assert.match(s.stdout, new RegExp(`^watch: running, pid ${w.child.pid}, since .*; last probe `, 'm'));
    const j = JSON.parse((await runZonerw(conf, ['status', '--json'], root)).stdout) as { watch: { pid: number; sees: string[] } };
    assert.equal(j.watch.pid, w.child.pid);
    assert.deepEqual(j.watch.sees, [`favouring main ${MAIN}; main up, backup up`]);
  });

  it('2. a 1.2 s blip moves nothing', async () => {
    main.hang(true);
    await new Promise((r) => setTimeout(r, 1200));
    main.hang(false);
    await cycles(5);
    assert.deepEqual(await moves(), []);
    assert.deepEqual(await queryA(secondary.port, `www.${ZONE}`), [MAIN]);
  });

  it('3. main hung: the secondary serves the backup, no sooner than fail_after; main back: it fails back', async () => {
    const hungAt = Date.now();
    main.hang(true);
    await serves(BACKUP);
    const [over] = await moves();
    assert.equal(over?.type, 'failover');
    assert.ok(over!.t - hungAt >= 3000, `failed over ${over!.t - hungAt} ms after the hang: fail_after is 3s`);
    const backAt = Date.now();
    main.hang(false);
    await serves(MAIN);
    const all = await moves();
    assert.deepEqual(all.map((e) => e.type), ['failover', 'failback']);
    assert.ok(all[1]!.t - backAt >= 3000, `failed back ${all[1]!.t - backAt} ms after main came back: recover_after is 3s`);
  });

  it('4. beside the watch: zonerw --force publishes (exit 0) and the secondary gets the serial; a pin takes within cycles', async () => {
    const before = await querySoaSerial(secondary.port, ZONE);
    const f = await runZonerw(conf, ['--force'], root);
    assert.equal(f.code, 0, show(f));
    const serial = Number(new RegExp(`^${ZONE.replace('.', '\\.')}: serial (\\d{10})`, 'm').exec(f.stdout)?.[1]);
    assert.ok(serial > before!, show(f));
    await waitFor(async () => ((await querySoaSerial(secondary.port, ZONE)) === serial ? true : undefined), { timeoutMs: 30_000, what: `serial ${serial} at the secondary` });
    const p = await runZonerw(conf, ['pin', 'backup', '--for', '1h'], root);
    assert.equal(p.code, 0, show(p));
    await serves(BACKUP);
    const c = await runZonerw(conf, ['pin', '--clear'], root);
    assert.equal(c.code, 0, show(c));
    await serves(MAIN);
  });

  it('5. SIGHUP with a broken config: the watch goes on and says why; with a new backup address: the next failover uses it', async () => {
    writeFileSync(conf, `${readFileSync(conf, 'utf8')}\nnot toml [[[\n`);
    w.child.kill('SIGHUP');
    await waitFor(async () => (w.out().includes('config not reloaded') ? true : undefined), { timeoutMs: 30_000, what: `the watch to say the config is broken\n${w.out()}` });
    await cycles(2);
    assert.equal(w.child.exitCode, null, 'still running');
    writeConfig(BACKUP2);
    w.child.kill('SIGHUP');
    await waitFor(async () => (w.out().includes('config reloaded') ? true : undefined), { timeoutMs: 30_000, what: 'the watch to reload' });
    assert.equal(w.out().split('config not reloaded').length, 2, `the broken config is said once\n${w.out()}`);
    main.hang(true);
    await serves(BACKUP2);
    main.hang(false);
    await serves(MAIN);
  });

  it('6. SIGTERM: exit 0, no temp file, no heartbeat left', async () => {
    w.child.kill('SIGTERM');
    const r = await w.done;
    assert.equal(r.code, 0, w.out());
    for (const d of ['zones', 'state']) assert.deepEqual(readdirSync(join(site, d)).filter((n) => n.includes('.zonerw-tmp-')), [], d);
    assert.equal(existsSync(join(site, 'state', 'watch.json')), false);
  });

  it('7. a watch killed with SIGKILL: a new one proceeds at once', async () => {
    const first = startWatch();
    await waitFor(async () => (existsSync(join(site, 'state', 'watch.json')) && heartbeat().pid === first.child.pid ? true : undefined), { timeoutMs: 30_000, what: 'the first watch' });
    first.child.kill('SIGKILL');
    await first.done;
    w = startWatch();
    await waitFor(async () => (heartbeat().pid === w.child.pid ? true : undefined), { timeoutMs: 30_000, what: 'the new watch' });
    main.hang(true);
    await serves(BACKUP2);
    main.hang(false);
    w.child.kill('SIGTERM');
    assert.equal((await w.done).code, 0);
  });
});
