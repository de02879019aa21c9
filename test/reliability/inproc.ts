// run() from src/commands/run.ts in this process, with real files in a temp folder and a fake probe,
// nameserver and lock, like test/run/pipeline.test.ts, plus one thing more: a run can be "killed" at
// its n-th side effect. From that step on, every side effect of the run hangs forever (before
// or after it touches the disk), so the run does nothing more, exactly as if the process had
// been SIGKILLed there; operations already under way finish, as the kernel would finish them.
import { commandResult } from '../../src/core/outcome.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate.js';
import type { Config } from '../../src/config/types.js';
import { run } from '../../src/commands/run.js';
import type { Deps, Nameserver, PreparedFile, RunOptions } from '../../src/run/ports.js';
import * as files from '../../src/adapters/files.js';
import { loadState, saveState } from '../../src/adapters/state-file.js';
import { adapterDeps } from '../helpers/deps.js';
import { BACKUP, MAIN, baseText, type BaseSpec } from './helpers.js';

export interface Kill {
  /** the side effect (0-based, in call order, or the first one of that name) at which the run dies */
  at: number | string;
  /** die after that step took effect (true) or before it (false) */
  after: boolean;
}

export interface Outcome {
  killed: boolean;
  code?: number;
  error?: unknown;
  out: string[];
  err: string[];
  /** side effects called, in order, e.g. `prepare z1.example`, `commit z1.example`, `saveState` */
  steps: string[];
}

export interface InLab {
  dir: string;
  cfg: Config;
  zoneDir: string;
  stateDir: string;
  baseDir: string;
  mainUp: boolean;
  now: number;
  /** fault injection for the files adapter (EIO and friends), by step name */
  fault?: ((step: string) => Error | undefined) | undefined;
  deps: Deps;
  go(opts?: Partial<RunOptions>, kill?: Kill): Promise<Outcome>;
  writeBase(spec: BaseSpec): void;
}

const never = () => new Promise<never>(() => {});

export function inLab(dir: string, specs: BaseSpec[], extra: Record<string, unknown> = {}): InLab {
  const baseDir = join(dir, 'base');
  const zoneDir = join(dir, 'zones');
  const stateDir = join(dir, 'state');
  for (const d of [baseDir, zoneDir, stateDir]) mkdirSync(d, { recursive: true });
  for (const s of specs) writeFileSync(join(baseDir, `${s.zone}.base`), baseText(s));
  const cfg = validateConfig(
    {
      base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
      nameserver: { kind: 'nsd', address: false }, // the fake nameserver serves nothing to ask
      check: { fail_after: 1, recover_after: 1, attempts: 1 },
      server: [
        { name: 'main', address: MAIN, check: 'http://127.0.0.1:9/' },
        { name: 'backup', address: BACKUP },
      ],
      ...extra,
    },
    join(dir, 'zonerw.toml'),
  );

  // Per run: the step counter, the kill, and the operations under way.
  let steps: string[] = [];
  let kill: Kill | undefined;
  let dead = false;
  let inflight = 0;

  /** Wraps one side effect: counted, maybe killed before or after, maybe failing. */
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (dead) return never();
    const n = steps.push(name) - 1;
    const hit = kill !== undefined && (kill.at === n || (kill.at === name && steps.indexOf(name) === n));
    if (hit && !kill!.after) {
      dead = true;
      return never();
    }
    inflight++;
    let result: T;
    try {
      const injected = l.fault?.(name);
      if (injected) throw injected;
      result = await fn();
    } finally {
      inflight--;
    }
    if (dead) return never();
    if (hit) {
      dead = true;
      return never();
    }
    return result;
  };

  // Delegates to the real PreparedFile (whatever else it offers), counting commit and discard.
  const wrapPrepared = (zone: string, p: PreparedFile): PreparedFile => {
    const w = Object.create(p) as PreparedFile & { commit: PreparedFile['commit']; discard: PreparedFile['discard'] };
    type Commit = (...a: unknown[]) => Promise<void>;
    Object.defineProperty(w, 'commit', { value: (...a: unknown[]) => step(`commit ${zone}`, () => (p.commit as Commit)(...a)) });
    Object.defineProperty(w, 'discard', { value: (...a: unknown[]) => step(`discard ${zone}`, () => (p.discard as Commit)(...a)) });
    return w;
  };
  const zoneOf = (path: string) => path.slice(zoneDir.length + 1);

  // One control command per zone (step names like `reload example.com`); loosely typed, so
  // that the Nameserver interface can grow without breaking these tests.
  const zonesOf = (zones: string | readonly string[]) => (typeof zones === 'string' ? [zones] : [...zones]);
  const nameserver: Nameserver = {
    batching: 'one',
    command: (s, zones) => ['nsd-control', s, ...zonesOf(zones)],
    run: (s, zones) =>
      step(`${s} ${zonesOf(zones).join(' ')}`, async () => commandResult({ kind: 'exit', code: 0 })),
    validate: async () => ({ ok: true, checker: 'nsd-checkzone' }),
    status: async () => undefined,
  } as Nameserver;

  const l: InLab = {
    dir, cfg, zoneDir, stateDir, baseDir,
    mainUp: true,
    now: Date.parse('2026-11-22T10:00:00Z'),
    deps: undefined as unknown as Deps,
    writeBase: (s) => writeFileSync(join(baseDir, `${s.zone}.base`), baseText(s)),
    async go(opts = {}, k) {
      steps = [];
      kill = k;
      dead = false;
      const out: string[] = [];
      const err: string[] = [];
      l.deps = adapterDeps({
        now: () => l.now,
        probe: async () => (l.mainUp ? { up: true, reason: 'HTTP 200', latencyMs: 1 } : { up: false, reason: 'HTTP 503', latencyMs: 1 }),
        nameserver,
        files: {
          ...files.fileOps,
          prepare: (path: string, content: string, encoding: BufferEncoding) => step(`prepare ${zoneOf(path)}`, async () => wrapPrepared(zoneOf(path), await files.prepareFile(path, content, encoding))),
          removeStaleTemps: (d: string) => step(`removeStaleTemps ${d === zoneDir ? 'zones' : 'state'}`, () => files.removeStaleTemps(d)),
          keepCopy: (path: string, suffix: string) => step(`keepCopy ${zoneOf(path)}`, () => files.keepCopy(path, suffix)),
          install: (path: string, content: string) => step(`install ${path}`, () => files.installFile(path, content)),
          syncFolder: (d: string) => step(`syncFolder ${d === zoneDir ? 'zones' : d}`, () => files.syncFolder(d)),
        },
        loadState: (d: string) => step('loadState', () => loadState(d)),
        saveState: (d: string, s: Parameters<Deps['saveState']>[1]) => step('saveState', () => saveState(d, s)),
        runHook: async () => commandResult({ kind: 'exit', code: 0 }),
        appendHistory: () => step('appendHistory', async () => {}),
        log: {
          out: (s: string) => {
            if (!dead) out.push(s);
          },
          err: (s: string) => {
            if (!dead) err.push(s);
          },
        },
      });
      const running = run(cfg, { force: false, dryRun: false, verbose: false, quiet: false, ...opts }, l.deps).then(
        (code) => ({ code }),
        (error: unknown) => ({ error }),
      );
      // Dead: the kill happened and nothing is under way any more.
      const died = (async () => {
        for (;;) {
          await new Promise((r) => setImmediate(r));
          if (dead && inflight === 0) {
            for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
            return 'dead' as const;
          }
        }
      })();
      let stop = false;
      const result = await Promise.race([running, died.then((d) => (stop ? undefined : d))]);
      stop = true;
      if (result === 'dead' || result === undefined) return { killed: true, out, err, steps: [...steps] };
      dead = true; // stop the poller
      return { killed: false, ...result, out, err, steps: [...steps] };
    },
  };
  return l;
}
