// Deps built from the real adapters (files in temp folders, state files, history), with the
// parts a test fakes given as overrides: the probe, the nameserver, the lock, the clock.
import { commandResult } from '../../src/core/outcome.js';
import * as files from '../../src/adapters/files.js';
import { appendHistory, readHistory } from '../../src/adapters/history-file.js';
import { findProgram, runCommand } from '../../src/adapters/command.js';
import { loadState, peekState, saveState } from '../../src/adapters/state-file.js';
import type { Deps, HeldLock, Log, Nameserver } from '../../src/run/ports.js';

export const noLock = async (): Promise<HeldLock> => ({ release: async () => {}, compromised: () => undefined });

export function adapterDeps(overrides: Partial<Deps> & Pick<Deps, 'now' | 'probe' | 'nameserver'> & { log: Log }): Deps {
  return {
    lock: noLock,
    files: files.fileOps,
    loadState,
    peekState,
    saveState,
    appendHistory,
    readHistory,
    dns: async () => ({ answered: false, problem: 'no DNS in this test', addresses: [] }),
    runHook: (argv, extra, timeoutMs) => runCommand(argv, { timeoutMs, env: { ...process.env, ...extra } }),
    findProgram: (name) => findProgram(name, process.env.PATH ?? ''),
    ...overrides,
  };
}

const ok = commandResult({ kind: 'exit', code: 0 });
const zoneList = (zones: string | readonly string[]) => (typeof zones === 'string' ? [zones] : [...zones]);

/**
 * A stand-in for nsd-control and nsd-checkzone: every step succeeds and is recorded in `calls`
 * as `reload example.com`, every zone validates; `overrides` replace what a test needs.
 */
export function fakeNameserver(calls: string[], overrides: Partial<Nameserver> = {}): Nameserver {
  return {
    batching: 'one',
    command: (step, zones) => ['nsd-control', step, ...zoneList(zones)],
    run: async (step, zones) => {
      calls.push([step, ...zoneList(zones)].join(' '));
      return ok;
    },
    status: async () => ({ argv: ['nsd-control', 'status'], result: ok }),
    validate: async () => ({ ok: true, checker: 'nsd-checkzone' }),
    ...overrides,
  };
}
