// Small formatting shared by the adapters' messages.

/** 500 -> "500ms", 5000 -> "5s", 1500 -> "1.5s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${Number((ms / 1000).toFixed(2))}s`;
}

/** "ENOSPC: no space left on device, write" -> "ENOSPC: no space left on device". */
export function describeFsError(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown; syscall?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') {
    const cut = message.indexOf(`, ${e.syscall}`);
    if (cut > 0) return message.slice(0, cut);
  }
  return message;
}
