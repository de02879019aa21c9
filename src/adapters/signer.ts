// zonerw's own signer ([dnssec] sign): the configured command signs a rendered zone file, then
// dnssec-verify (else ldns-verify-zone) checks the result before anything is installed. Argument
// arrays only, never a shell; each command has the configured timeout. The signer writes `{out}`
// and whatever else it writes (dnssec-signzone's dsset-ZONE.) in a private folder of its own,
// its working folder, removed afterwards: nothing it makes lands in zone_dir or state_dir.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { signArgv, signsZone, VERIFIERS, verifierArgv, type DnssecSettings } from '../core/dnssec.js';
import { describeOutcome, describeResult } from '../core/outcome.js';
import type { CommandResult, Signer, Signing } from '../run/ports.js';
import { runCommand as realRun } from './command.js';

/** Zone files are text of one byte a character (see ZONE_ENCODING in run/load.ts). */
const ENCODING = 'latin1';

export function createSigner(s: DnssecSettings, runCommand = realRun): Signer {
  return {
    signs: (zone) => signsZone(s, zone),
    command: (zone, inPath, outPath) => signArgv(s.sign, { zone, in: inPath, out: outPath }),
    async sign(zone, inPath) {
      const dir = await mkdtemp(join(tmpdir(), 'zonerw-sign-'));
      try {
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
      text = await readFile(out, ENCODING);
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

/** dnssec-verify's progress lines, which say nothing of what went wrong. */
const NOISE = /^(Loading zone '|Verifying the zone using the following algorithms:)/;

/** Where a signer's usage text starts (ldns-signzone prints all 40 lines of it after its error). */
const USAGE = /^(usage:|\S+ \[OPTIONS\])/i;

/** A command's end and its output as one line, without progress lines or a usage text. */
function words(r: CommandResult): string {
  return describeResult(r, { noise: NOISE, until: USAGE });
}
