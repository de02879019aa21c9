// state_dir/history.jsonl: appended one JSON line per event, fsync'd, rotated to
// history.jsonl.1 when it passes the size limit, so the newest entries are never lost and the
// two files together hold at least the last `limit` bytes of history.
import { open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from '../errors.js';
import { parseHistory, type HistoryEvent } from '../core/history.js';

export const HISTORY_LIMIT = 1024 * 1024;

export const historyFile = (stateDir: string) => join(stateDir, 'history.jsonl');

export async function appendHistory(stateDir: string, events: readonly HistoryEvent[], limit = HISTORY_LIMIT): Promise<void> {
  if (events.length === 0) return;
  const path = historyFile(stateDir);
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size >= limit) await rename(path, `${path}.1`).catch((e: Error) => {
    throw new RunError(`cannot rotate ${path}: ${e.message}`);
  });
  const fh = await open(path, 'a', 0o644).catch((e: Error) => {
    throw new RunError(`cannot write ${path}: ${e.message}`);
  });
  try {
    await fh.appendFile(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await fh.sync();
  } catch (e) {
    throw new RunError(`cannot write ${path}: ${(e as Error).message}`);
  } finally {
    await fh.close();
  }
}

/** Both files, oldest first. */
export async function readHistory(stateDir: string): Promise<HistoryEvent[]> {
  const path = historyFile(stateDir);
  const texts = await Promise.all([`${path}.1`, path].map((p) => readFile(p, 'utf8').catch(() => '')));
  return texts.flatMap(parseHistory);
}
