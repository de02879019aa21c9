// Reads and writes state_dir/state.json. Writes go through the same atomic install as zone
// files, so a crash leaves the old state or the new one.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from '../errors.js';
import { emptyState, parseState, serializeState, type State } from '../core/state.js';
import type { LoadedState } from '../run/ports.js';
import { installFile, readTextIfExists } from './files.js';

export const stateFile = (stateDir: string) => join(stateDir, 'state.json');

export async function loadState(stateDir: string): Promise<LoadedState> {
  const path = stateFile(stateDir);
  const text = await readTextIfExists(path, 'utf8', { own: path });
  if (text === undefined) return { state: emptyState() };
  const parsed = parseState(text);
  if ('state' in parsed) return { state: parsed.state };
  if (parsed.newer !== undefined) {
    throw new RunError(`${path}: ${parsed.problem}: upgrade zonerw, or move the file away to start afresh`);
  }
  const aside = `${path}.corrupt`;
  await rename(path, aside).catch((e: Error) => {
    throw new RunError(`${path}: ${parsed.problem}, and it cannot be moved aside: ${e.message}`);
  });
  return {
    state: emptyState(),
    warning: `${path}: ${parsed.problem}; moved to ${aside}, rebuilding from the installed zone files (serials only go up)`,
  };
}

export async function saveState(stateDir: string, state: State): Promise<void> {
  await installFile(stateFile(stateDir), serializeState(state));
}

/** For status: never moves or writes anything. `refused`: a run refuses this state (from a newer zonerw) rather than rebuilding it. */
export async function peekState(stateDir: string): Promise<{ state: State; problem?: string; refused?: boolean }> {
  const text = await readTextIfExists(stateFile(stateDir));
  if (text === undefined) return { state: emptyState() };
  const parsed = parseState(text);
  if ('state' in parsed) return { state: parsed.state };
  return { state: emptyState(), problem: parsed.problem, ...(parsed.newer !== undefined ? { refused: true } : {}) };
}
