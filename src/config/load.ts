// Reads zonerw.toml: the file, its TOML, then validate.ts; and the files the config names
// that must be read at load (a `ca` PEM), so that a wrong path is a config error.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Config } from './types.js';
import { validateConfig } from './validate.js';

/** Why a file that is there cannot be read: one clause with its fix. */
export type Unreadable = (err: unknown, path: string) => string;

const isMissing = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');

export const DEFAULT_CONFIG = '/etc/zonerw/zonerw.toml';

/**
 * `unreadable`: why a file that is there cannot be read, in the words of adapters/read-error.ts
 * (the user zonerw runs as, and the fix), passed in by src/wiring.ts; plain by default.
 */
export async function loadConfig(file: string, unreadable: Unreadable = (err) => (err as Error).message): Promise<Config> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const what = err.code === 'ENOENT' ? 'no such file (give --config FILE or set ZONERW_CONFIG)' : unreadable(err, path);
    throw new ConfigError(path, [what]);
  }
  const { parse } = await import('smol-toml');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    const err = e as Error & { line?: number; column?: number };
    const first = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw new ConfigError(path, [`${err.line ?? 1}:${err.column ?? 1}: TOML syntax: ${first}${syntaxHint(first)}`]);
  }
  const cfg = validateConfig(raw, path);
  await readCaFiles(cfg, unreadable);
  return cfg;
}

/** `ca` names a PEM file: read it now, so a wrong path is a config error, not a down server. */
async function readCaFiles(cfg: Config, unreadable: Unreadable): Promise<void> {
  const checks = [...cfg.servers.flatMap((s) => (s.check ? [{ key: `server "${s.name}" check.ca`, check: s.check }] : [])), ...cfg.reference.map((check, i) => ({ key: `reference[${i}] ca`, check }))];
  const problems: string[] = [];
  await Promise.all(
    checks.map(async ({ key, check }) => {
      if (!check.caFile || check.spec.kind !== 'http') return;
      try {
        check.spec.ca = await readFile(check.caFile, 'utf8');
      } catch (e) {
        problems.push(`${key}: cannot read ${check.caFile}: ${isMissing(e) ? (e as Error).message.replace(/^\w+: /, '') : unreadable(e, check.caFile)}`);
      }
    }),
  );
  if (problems.length > 0) throw new ConfigError(cfg.file, problems.sort());
}

/** smol-toml's words, plus what the usual slip behind them is. */
function syntaxHint(message: string): string {
  if (/numeric literal|invalid value/.test(message)) return ' (text needs quotes: address = "192.0.2.1", timeout = "5s")';
  if (/redefine/.test(message)) return ' (a key or table is given twice)';
  return '';
}
