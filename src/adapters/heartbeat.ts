// Writes and removes the watch's heartbeat file. Replaced by rename (a reader sees a whole one),
// but not fsync'd: it is rewritten every cycle, and after a crash a stale one is told by its pid.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeHeartbeat(path: string, content: string): Promise<void> {
  // named like every zonerw temp file, so that a run removes one left by a killed watch
  const temp = join(dirname(path), `.${basename(path)}.zonerw-tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    // a first watch on a fresh machine probes before any run has made state_dir
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(temp, content, { mode: 0o644, flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true }).catch(() => {});
    throw e;
  }
}

export async function removeHeartbeat(path: string): Promise<void> {
  await rm(path, { force: true });
}
