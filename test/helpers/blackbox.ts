// Real prometheus-blackbox-exporter instances on loopback, each with its own config file and
// port, started and stopped by pid (SIGTERM, then SIGKILL), also when a test fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export const BLACKBOX = '/usr/bin/prometheus-blackbox-exporter';

export function blackboxMissing(): string | false {
  return existsSync(BLACKBOX) ? false : `${BLACKBOX} is not installed (apt-get install prometheus-blackbox-exporter)`;
}

export interface Blackbox {
  name: string;
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 nothing listens on right now (asked of the kernel, then let go). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) if (c.pid !== undefined) try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/-/healthy', timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** A blackbox_exporter named `name` in `dir`, with `yml` as its blackbox.yml; started. */
export async function startBlackbox(dir: string, name: string, yml: string): Promise<Blackbox> {
  const config = join(dir, `${name}.yml`);
  writeFileSync(config, yml);
  const port = await freePort();
  let child: ChildProcess | undefined;
  const box: Blackbox = {
    name, port, url: `http://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async start() {
      const log = openSync(join(dir, `${name}.log`), 'a');
      try {
        child = spawn(BLACKBOX, [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', log, log] });
      } finally {
        closeSync(log);
      }
      const c = child;
      live.add(c);
      c.on('exit', () => live.delete(c));
      for (let i = 0; i < 200; i++) {
        if (await healthy(port)) return;
        if (c.exitCode !== null) throw new Error(`blackbox_exporter ${name} exited (${c.exitCode}); see ${join(dir, `${name}.log`)}`);
        await sleep(50);
      }
      throw new Error(`blackbox_exporter ${name} did not answer on port ${port}`);
    },
    async stop() {
      const c = child;
      if (!c || c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      process.kill(c.pid, 'SIGTERM');
      const timer = setTimeout(() => c.pid !== undefined && process.kill(c.pid, 'SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
  };
  await box.start();
  return box;
}
