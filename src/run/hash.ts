// Content hashes: what the state remembers of a text, to see later whether it changed.
import { createHash } from 'node:crypto';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** sha256 of several texts, each one's length first, so that no two lists hash alike. */
export function sha256Of(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:`).update(p);
  return h.digest('hex');
}
