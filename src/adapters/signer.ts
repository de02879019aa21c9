// zonerw's own signer ([dnssec] sign): the configured command signs a rendered zone file, then
// dnssec-verify (else ldns-verify-zone) checks the result before anything is installed. Argument
// arrays only, never a shell; each command has the configured timeout. The signer writes `{out}`
// and whatever else it writes (dnssec-signzone's dsset-ZONE.) in a private folder of its own,
// its working folder, removed afterwards: nothing it makes lands in zone_dir or state_dir. A
// relative `$INCLUDE` (a key file) resolves there as the nameserver resolves it: each one's first
// path element is linked into that folder from the include folder.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { ZONE_ENCODING } from '../core/encoding.js';
import { signArgv, signsZone, VERIFIERS, verifierArgv, type DnssecSettings } from '../core/dnssec.js';
import { findIncludes } from '../core/includes.js';
import { describeOutcome, describeResult } from '../core/outcome.js';
import type { CommandResult, Signer, Signing } from '../run/ports.js';
import { runCommand as realRun } from './command.js';


export function createSigner(s: DnssecSettings, runCommand = realRun): Signer {
  // A run asks for every signed zone's identity: each key file or folder is looked at once.
  const seen = new Map<string, string[]>();
  return {
    signs: (zone) => signsZone(s, zone),
    command: (zone, inPath, outPath) => signArgv(s.sign, { zone, in: inPath, out: outPath }),
    identity: (zone) => signerIdentity(s.sign, zone, seen),
    async sign(zone, inPath, opts = {}) {
      const dir = await mkdtemp(join(tmpdir(), 'zonerw-sign-'));
      try {
        if (opts.includeDir !== undefined) await linkIncludes(dir, await readFile(inPath, ZONE_ENCODING), opts.includeDir);
        return await signIn(dir, zone, inPath);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };

  async function signIn(dir: string, zone: string, inPath: string): Promise<Signing> {
    const out = join(dir, `${zone}.signed`);
    const argv = signArgv(s.sign, { zone, in: inPath, out });
    const program = basename(argv[0]!);
    const r = await runCommand(argv, { timeoutMs: s.timeoutMs, cwd: dir });
    if (!r.ok) return { ok: false, program, message: words(r) };
    let text: string;
    try {
      text = await readFile(out, ZONE_ENCODING);
    } catch {
      return { ok: false, program, message: `${describeOutcome(r.outcome)}, but it wrote no signed zone where {out} said (${out})` };
    }
    for (const verifier of VERIFIERS) {
      const v = await runCommand(verifierArgv(verifier, zone, out), { timeoutMs: s.timeoutMs, cwd: dir });
      if (v.outcome.kind === 'not found') continue;
      if (!v.ok) return { ok: false, program: verifier, message: `the signed zone does not verify: ${words(v).split(out).join(`${zone}.signed`)}` };
      return { ok: true, text, signer: program, verifier };
    }
    return {
      ok: false,
      program: VERIFIERS.join(' or '),
      message: 'no DNSSEC verifier installed (dnssec-verify: apt-get install bind9-dnsutils; ldns-verify-zone: apt-get install ldnsutils): zonerw installs no signed zone it has not verified',
    };
  }
}

/** Links the first path element of each relative $INCLUDE of `text` into `dir`, from `includeDir`. */
async function linkIncludes(dir: string, text: string, includeDir: string): Promise<void> {
  const firsts = findIncludes(text)
    .filter((ref) => !isAbsolute(ref.path))
    .map((ref) => ref.path.split('/').filter((e) => e !== '' && e !== '.')[0])
    .filter((e): e is string => e !== undefined && e !== '..');
  for (const name of new Set(firsts)) await symlink(join(includeDir, name), join(dir, name)).catch(() => {});
}

/**
 * What the signatures of a zone depend on besides its records: the signer's argv ({in} and
 * {out} as written) and the key files it names (a key folder's K*.key and K*.private, a key
 * file, a key's base name as ldns-signzone takes it), by size, inode and times. A change of
 * either publishes the zone again.
 */
function signerIdentity(sign: readonly string[], zone: string, seen: Map<string, string[]>): string {
  const argv = signArgv(sign, { zone, in: '{in}', out: '{out}' });
  const parts: string[] = [JSON.stringify(argv)];
  for (const arg of argv.slice(1)) {
    if (!isAbsolute(arg)) continue;
    for (const path of [arg, `${arg}.key`, `${arg}.private`]) {
      const known = seen.get(path) ?? keyFiles(path);
      seen.set(path, known);
      parts.push(...known);
    }
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

/** A key file's identity, or those of a key folder's K*.key and K*.private; none when there is nothing. */
function keyFiles(path: string): string[] {
  const st = statOf(path);
  if (st === undefined) return [];
  if (!st.isDirectory()) return [`${path} ${st.size} ${st.ino} ${st.mtimeMs} ${st.ctimeMs}`];
  return listOf(path)
    .filter((n) => /^K.*\.(key|private)$/.test(n))
    .sort()
    .flatMap((name) => keyFiles(join(path, name)));
}

function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function listOf(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** dnssec-verify's progress lines, which say nothing of what went wrong. */
const NOISE = /^(Loading zone '|Verifying the zone using the following algorithms:)/;

/** Where a signer's usage text starts (ldns-signzone prints all 40 lines of it after its error). */
const USAGE = /^(usage:|\S+ \[OPTIONS\])/i;

/** A command's end and its output as one line, without progress lines or a usage text. */
function words(r: CommandResult): string {
  return describeResult(r, { noise: NOISE, until: USAGE });
}
