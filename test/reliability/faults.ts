// Fault injection under src/adapters/files.ts, for machines where no small or read-only file
// system can be mounted, and for faults no mount can produce on cue (EIO at one chosen
// syscall). It replaces functions of node:fs/promises and of FileHandle.prototype, then
// syncBuiltinESMExports() so that the adapters' named imports see them. One test file runs in
// one process, so this affects only the file that calls it; restore() puts everything back.
import { constants } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
type Fsp = typeof import('node:fs/promises');
const fsp = require('node:fs/promises') as Fsp;

/** Where a fault can be injected. `path` is the file (or folder) the call is about. */
export type FaultPoint = 'open' | 'write' | 'fsync' | 'fsyncDir' | 'chmod' | 'close' | 'rename' | 'unlink';

export type FaultPlan = (point: FaultPoint, path: string) => NodeJS.ErrnoException | undefined;

export function errno(code: string, syscall: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, ${syscall}`), { code, syscall, errno: -1 });
}
export const EIO = (syscall: string) => errno('EIO', syscall, 'i/o error');
export const ENOSPC = (syscall: string) => errno('ENOSPC', syscall, 'no space left on device');

let fileHandleProto: Record<string, unknown> | undefined;
async function handleProto(): Promise<Record<string, unknown>> {
  if (fileHandleProto) return fileHandleProto;
  const d = mkdtempSync(join(tmpdir(), 'zonerw-rel-fh-'));
  const f = join(d, 'f');
  writeFileSync(f, '');
  const fh = await fsp.open(f, 'r');
  fileHandleProto = Object.getPrototypeOf(fh) as Record<string, unknown>;
  await fh.close();
  rmSync(d, { recursive: true, force: true });
  return fileHandleProto;
}

/** Installs `plan` until the returned restore() is called. */
export async function injectFaults(plan: FaultPlan): Promise<() => void> {
  const proto = await handleProto();
  const paths = new WeakMap<object, { path: string; dir: boolean }>();
  const saved = {
    open: fsp.open,
    rename: fsp.rename,
    unlink: fsp.unlink,
    writeFile: proto.writeFile,
    sync: proto.sync,
    chmod: proto.chmod,
  };
  const mutableFsp = fsp as unknown as Record<string, unknown>;

  mutableFsp.open = async function (path: string, flags?: number | string, mode?: number) {
    const injected = plan('open', String(path));
    if (injected) throw injected;
    const fh = await saved.open(path, flags as number, mode);
    const dir = typeof flags === 'number' && (flags & constants.O_DIRECTORY) !== 0;
    paths.set(fh, { path: String(path), dir });
    // FileHandle's close is an own (bound) property, not on the prototype: wrap it here.
    const close = fh.close;
    Object.defineProperty(fh, 'close', {
      configurable: true,
      writable: true,
      value: async () => {
        const injected = plan('close', String(path));
        await close.call(fh); // a failed close still closes, as the kernel does
        if (injected) throw injected;
      },
    });
    return fh;
  };
  mutableFsp.rename = async function (from: string, to: string) {
    const injected = plan('rename', String(to));
    if (injected) throw injected;
    return saved.rename(from, to);
  };
  mutableFsp.unlink = async function (path: string) {
    const injected = plan('unlink', String(path));
    if (injected) throw injected;
    return saved.unlink(path);
  };
  const around = (name: 'writeFile' | 'sync' | 'chmod', point: (dir: boolean) => FaultPoint) => {
    const original = saved[name] as (...a: unknown[]) => Promise<unknown>;
    proto[name] = async function (this: object, ...args: unknown[]) {
      const known = paths.get(this);
      const injected = known && plan(point(known.dir), known.path);
      if (injected) throw injected;
      return original.apply(this, args);
    };
  };
  around('writeFile', () => 'write');
  around('sync', (dir) => (dir ? 'fsyncDir' : 'fsync'));
  around('chmod', () => 'chmod');
  syncBuiltinESMExports();

  return () => {
    mutableFsp.open = saved.open;
    mutableFsp.rename = saved.rename;
    mutableFsp.unlink = saved.unlink;
    proto.writeFile = saved.writeFile;
    proto.sync = saved.sync;
    proto.chmod = saved.chmod;
    syncBuiltinESMExports();
  };
}
