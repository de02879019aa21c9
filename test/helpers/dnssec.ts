// DNSSEC in the tests: keys made with dnssec-keygen, a trust anchor built from the zone's KSK as
// a nameserver serves it, and delv validating an answer offline against that anchor (no root,
// no network: `delv @127.0.0.1 -p PORT -a FILE +root=ZONE NAME A` prints "; fully validated").
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath, waitFor } from '../lab/lab.js';

/** The tools these helpers and the signing tests run, and the Debian packages they come from. */
export const DNSSEC_TOOLS: Record<string, string> = {
  dig: 'bind9-dnsutils',
  delv: 'bind9-dnsutils',
  'dnssec-keygen': 'bind9-dnsutils',
  'dnssec-signzone': 'bind9-dnsutils',
  'dnssec-verify': 'bind9-dnsutils',
  'ldns-signzone': 'ldnsutils',
  'ldns-verify-zone': 'ldnsutils',
};

/** Which of `tools` are missing, as a skip reason, or false. */
export function missingTools(tools: readonly string[]): string | false {
  const missing = tools.filter((t) => binaryPath(t) === undefined);
  if (missing.length === 0) return false;
  const packages = [...new Set(missing.map((t) => DNSSEC_TOOLS[t] ?? t))];
  return `${missing.join(', ')} not installed (apt-get install ${packages.join(' ')})`;
}

function run(tool: string, args: string[], cwd?: string): string {
  const r = spawnSync(binaryPath(tool) ?? tool, args, { encoding: 'utf8', timeout: 30_000, ...(cwd ? { cwd } : {}) });
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** A KSK and a ZSK (ECDSA P-256, algorithm 13) for `zone` in `dir`; their base names (Kzone.+013+NNNNN). */
export function makeKeys(dir: string, zone: string): { ksk: string; zsk: string } {
  const ksk = run('dnssec-keygen', ['-q', '-K', dir, '-a', 'ECDSAP256SHA256', '-f', 'KSK', zone]).trim();
  const zsk = run('dnssec-keygen', ['-q', '-K', dir, '-a', 'ECDSAP256SHA256', zone]).trim();
  return { ksk: join(dir, ksk), zsk: join(dir, zsk) };
}

/** The KSKs (flags 257) of the zone's DNSKEY RRset as served on 127.0.0.1:port: `257 3 13 BASE64`. */
export function servedKsks(port: number, zone: string): string[] {
  const out = run('dig', ['@127.0.0.1', '-p', String(port), '+norec', '+short', '+time=1', '+tries=1', zone, 'DNSKEY']);
  return out.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).filter((l) => l.startsWith('257 '))
    .map((l) => { const [flags, proto, alg, ...key] = l.split(' '); return `${flags} ${proto} ${alg} ${key.join('')}`; });
}

/** A `trust-anchors` file for delv, from the KSKs `port` serves (waits for the nameserver to have signed). */
export async function writeTrustAnchor(file: string, port: number, zone: string): Promise<string[]> {
  const ksks = await waitFor(async () => { const k = servedKsks(port, zone); return k.length > 0 ? k : undefined; }, { timeoutMs: 15_000, what: `a KSK of ${zone} on port ${port}` });
  writeFileSync(file, `trust-anchors {\n${ksks.map((k) => { const [f, p, a, key] = k.split(' '); return `  "${zone}." static-key ${f} ${p} ${a} "${key}";\n`; }).join('')}};\n`);
  return ksks;
}

/** The trust anchor of a key file made by dnssec-keygen (`Kzone.+013+NNNNN`): its DNSKEY line. */
export function writeTrustAnchorFromKey(file: string, zone: string, keyBase: string): void {
  const line = readFileSync(`${keyBase}.key`, 'utf8').split('\n').find((l) => /\sDNSKEY\s/.test(l) && !l.startsWith(';'))!;
  const [, flags, proto, alg, ...key] = /\sDNSKEY\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$/.exec(line)!;
  writeFileSync(file, `trust-anchors {\n  "${zone}." static-key ${flags} ${proto} ${alg} "${key.join('').replace(/\s+/g, '')}";\n};\n`);
}

export interface Validation {
  /** delv said "; fully validated" */
  validated: boolean;
  /** the A records delv printed */
  addresses: string[];
  out: string;
}

/** delv's answer for `name` A from 127.0.0.1:port, validated against the trust anchor file. */
export function delv(port: number, anchorFile: string, zone: string, name: string): Validation {
  const r = spawnSync(binaryPath('delv') ?? 'delv', ['@127.0.0.1', '-p', String(port), '-a', anchorFile, `+root=${zone}`, name, 'A'], { encoding: 'utf8', timeout: 20_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const addresses = out.split('\n').flatMap((l) => { const m = /^\S+\s+\d+\s+IN\s+A\s+(\S+)$/.exec(l.trim()); return m ? [m[1]!] : []; }).sort();
  return { validated: /^; fully validated$/m.test(out), addresses, out };
}

/** Waits until delv validates `name` A at 127.0.0.1:port with exactly `addresses`; the last answer in the error. */
export async function validatesAs(port: number, anchorFile: string, zone: string, name: string, addresses: string[], timeoutMs = 15_000): Promise<Validation> {
  let last: Validation | undefined;
  try {
    return await waitFor(async () => {
      last = delv(port, anchorFile, zone, name);
      return last.validated && last.addresses.join(' ') === [...addresses].sort().join(' ') ? last : undefined;
    }, { timeoutMs, intervalMs: 200, what: `delv to validate ${name} A = ${addresses.join(' ')} at 127.0.0.1:${port}` });
  } catch (e) {
    throw new Error(`${(e as Error).message}; delv said:\n${last?.out ?? '(nothing)'}`);
  }
}
