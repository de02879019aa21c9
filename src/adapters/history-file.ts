// state_dir/history.jsonl: appended one JSON line per event, fsync'd, rotated to
// history.jsonl.1 when it passes the size limit, so the newest entries are never lost and the
// two files together hold at least the last `limit` bytes of history.
import { open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RunError } from '../errors.js';
import { parseHistory, type HistoryEvent, type RecordedEvent } from '../core/history.js';
import { describeAccessError } from './access.js';

export const HISTORY_LIMIT = 1024 * 1024;

export const historyFile = (stateDir: string) => join(stateDir, 'history.jsonl');

export async function appendHistory(stateDir: string, events: readonly HistoryEvent[], limit = HISTORY_LIMIT): Promise<void> {
  if (events.length === 0) return;
  const path = historyFile(stateDir);
  const size = await stat(path).then((s) => s.size, () => undefined);
  if (size !== undefined && size >= limit) await rename(path, `${path}.1`).catch((e: unknown) => {
    throw new RunError(`cannot rotate ${path}: ${describeAccessError(e, { write: stateDir })}`);
  });
  const fh = await open(path, 'a', 0o644).catch((e: unknown) => {
    throw new RunError(`cannot write ${path}: ${describeAccessError(e, { own: path })}`);
  });
  try {
    // A new file is 0644 whatever the umask: a monitoring user may read the history.
    if (size === undefined || size >= limit) await fh.chmod(0o644);
    await fh.appendFile(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    await fh.sync();
  } catch (e) {
    throw new RunError(`cannot write ${path}: ${describeAccessError(e, { own: path })}`);
  } finally {
    await fh.close();
  }
}

/** Both files, oldest first. A file that does not exist holds no events; one that cannot be read is an error naming it. */
export async function readHistory(stateDir: string): Promise<RecordedEvent[]> {
  const path = historyFile(stateDir);
  const texts = await Promise.all(
    [`${path}.1`, path].map((p) =>
      readFile(p, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return '';
        throw new RunError(`cannot read ${p}: ${describeAccessError(e, { read: p })}`);
      }),
    ),
  );
  return texts.flatMap(parseHistory);
}
