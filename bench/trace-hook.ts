// Preloaded into the zonerw process by the bench (`node --import dist/bench/trace-hook.js`), only
// for the failover-latency runs: it timestamps the phases of one run from inside, without any
// change to src/. zonerw's -v output carries no timestamps, so this is how the bench splits the
// run into check, decide+render, validate, install and reload.
//
// It wraps three builtins and syncs their ESM exports (module.syncBuiltinESMExports), so that
// zonerw's own `import('node:http')`, `import('node:child_process')` and `node:fs/promises`
// imports see the wrappers:
//   - http.request: 'http-start' when the request is made, 'http-end' when its socket closes (the
//     check's answer, refusal or timeout has been seen by then). The bench's checks are plain
//     HTTP; node:https is left alone, since loading it here (with tls) would add to every run;
//   - child_process.spawn: 'spawn' with the program and its first argument, 'exit' when it exits
//     (the zone checker, nsd-control/rndc reload and notify);
//   - fs/promises.rename: 'rename' when the rename of a zone file or of state.json has completed;
//   - FileHandle.prototype.sync (fsync): counted, with the summed time (calls overlap when
//     zonerw runs them in parallel, so the sum can exceed the wall time);
//   - dgram Socket.prototype.send: 'dns-send' for each DNS question zonerw sends (to the primary
//     or a secondary), counted: a steady run must send none.
// Times are epoch milliseconds with sub-millisecond precision (performance.timeOrigin +
// performance.now()), the same clock the bench uses, so they can be compared with the bench's own
// timestamps (when the main server was stopped, when the secondary answered). At exit the events
// and process.resourceUsage().maxRSS are written as JSON to $ZONERW_BENCH_TRACE.
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

interface TraceEvent {
  t: number;
  ev: string;
  what?: string;
}

const out = process.env.ZONERW_BENCH_TRACE;
const events: TraceEvent[] = [];
const totals = { fsyncCount: 0, fsyncMs: 0, dnsQueries: 0 };
const now = () => performance.timeOrigin + performance.now();
const mark = (ev: string, what?: string) => events.push(what === undefined ? { t: now(), ev } : { t: now(), ev, what });

mark('hook-loaded');

if (out) {
  const require = createRequire(import.meta.url);
  const cp = require('node:child_process') as typeof import('node:child_process');
  const http = require('node:http') as typeof import('node:http');
  const fsp = require('node:fs/promises') as typeof import('node:fs/promises');
  const dgram = require('node:dgram') as typeof import('node:dgram');

  const origSend = dgram.Socket.prototype.send;
  (dgram.Socket.prototype as { send: unknown }).send = function send(this: import('node:dgram').Socket, ...args: unknown[]) {
    // A send on a socket not bound yet binds it and calls send again: count the second one.
    let bound = true;
    try {
      this.address();
    } catch {
      bound = false;
    }
    if (bound) {
      totals.dnsQueries++;
      mark('dns-send', String(args[1] ?? ''));
    }
    return (origSend as (...a: unknown[]) => void).apply(this, args);
  };

  const origSpawn = cp.spawn;
  (cp as { spawn: unknown }).spawn = function spawn(this: unknown, ...args: unknown[]) {
    const file = String(args[0]);
    const argv = Array.isArray(args[1]) ? (args[1] as string[]) : [];
    // the step zonerw runs: `nsd-checkzone ZONE FILE`, `nsd-control -c CONF reload ZONE`
    const step = argv.find((a) => a === 'reload' || a === 'notify') ?? '';
    const what = `${file.split('/').pop()}${step ? ` ${step}` : ''}`;
    mark('spawn', what);
    const child = (origSpawn as (...a: unknown[]) => import('node:child_process').ChildProcess).apply(this, args);
    child.once('exit', () => mark('exit', what));
    return child;
  };

  const origRequest = http.request;
  (http as { request: unknown }).request = function request(this: unknown, ...args: unknown[]) {
    mark('http-start', 'http');
    const req = (origRequest as (...a: unknown[]) => import('node:http').ClientRequest).apply(this, args);
    req.once('close', () => mark('http-end', 'http'));
    return req;
  };

  const origRename = fsp.rename;
  (fsp as { rename: unknown }).rename = async function rename(from: import('node:fs').PathLike, to: import('node:fs').PathLike) {
    await origRename(from, to);
    mark('rename', String(to));
  };

  // FileHandle is not exported: take its prototype from a handle.
  const fh = await fsp.open(process.execPath, 'r');
  const proto = Object.getPrototypeOf(fh) as { sync: () => Promise<void> };
  await fh.close();
  const origSync = proto.sync;
  proto.sync = async function sync(this: unknown) {
    const t = now();
    try {
      return await origSync.call(this);
    } finally {
      totals.fsyncCount++;
      totals.fsyncMs += now() - t;
    }
  };

  syncBuiltinESMExports();

  process.on('exit', () => {
    mark('process-exit');
    try {
      writeFileSync(out, JSON.stringify({ events, totals, maxRssKB: process.resourceUsage().maxRSS }));
    } catch {
      // the bench reports a missing trace
    }
  });
}
