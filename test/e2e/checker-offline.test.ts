// No zone checker sends a packet: during an outage the resolver may be unreachable, and a
// checker waiting on it would make zonerw refuse the very failover it is there for.
//
// Each run happens in its own network namespace with only loopback (`unshare -n -m`, root), in
// which /etc/resolv.conf is bind-mounted to name 127.0.0.1, where a recorder (a small node
// script started in the same namespace) takes every DNS query over UDP or TCP, writes it down
// and never answers: an unreachable resolver, as in an outage. A zone with out-of-zone MX, SRV
// and NS targets goes through `zonerw check` with nsd-checkzone, named-checkzone (zonerw runs it
// with -i local) and kzonecheck: each must finish well under nameserver.timeout with no query
// recorded. named-checkzone without -i local, on the same zone, shows the recorder does see
// queries. Nothing can leave the machine: the namespace has no interface but lo.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath, labPath, needBinary } from '../lab/lab.js';
import { skipUnlessCI } from '../helpers/need.js';
import { zonerwBin } from '../helpers/paths.js';

const ZONE = 'offline.test';
/** What a lookup would cost here: glibc's default is 5 s a try, and named-checkzone waited 20 s. */
const WELL_UNDER_MS = 3_000;

const BASE = `$TTL 300
@    IN SOA ns1.${ZONE}. hostmaster.${ZONE}. ( @serial number@ 300 60 1209600 300 )
@    IN NS  ns1.${ZONE}.
@    IN NS  ns.example.net.
ns1  IN A   127.0.0.1
@    IN MX  10 mail.example.net.
_sip._udp IN SRV 0 5 5060 sip.example.org.
www  IN A   @IP@
`;

/** Takes DNS queries on 127.0.0.1:53, UDP and TCP, writes each one's name down, never answers. */
const RECORDER = `import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { appendFileSync, writeFileSync } from 'node:fs';
const [log, ready] = process.argv.slice(2);
const qname = (m, at) => { const labels = []; for (let i = at; i < m.length && m[i] > 0 && m[i] < 64; i += m[i] + 1) labels.push(m.subarray(i + 1, i + 1 + m[i]).toString('latin1')); return labels.join('.'); };
const udp = createSocket('udp4');
udp.on('message', (m) => appendFileSync(log, 'udp ' + qname(m, 12) + '\\n'));
const tcp = createServer((s) => s.on('data', (m) => appendFileSync(log, 'tcp ' + qname(m, 14) + '\\n')));
udp.bind(53, '127.0.0.1', () => tcp.listen(53, '127.0.0.1', () => writeFileSync(ready, '')));
`;

/** Inside the namespace: loopback up, resolv.conf replaced, the recorder started, then "$@", then the recorder stopped by its pid. */
const SCRIPT = `set -e
ip link set lo up
mount --bind "$RESOLV" /etc/resolv.conf
"$NODE" "$RECORDER" "$LOG" "$READY" & recorder=$!
while [ ! -e "$READY" ]; do sleep 0.02; done
set +e
"$@"
status=$?
kill "$recorder"
wait "$recorder" 2>/dev/null
exit $status
`;

function cannotIsolate(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to make a network namespace';
  const lacking = ['unshare', 'ip', 'mount'].filter((b) => binaryPath(b) === undefined);
  return lacking.length > 0 ? `${lacking.join(', ')} not installed (util-linux, iproute2, mount)` : false;
}

const CHECKERS = { nsd: 'nsd-checkzone', bind: 'named-checkzone', knot: 'kzonecheck' } as const;

interface Isolated {
  status: number | null;
  output: string;
  ms: number;
  /** the queries the recorder took, one "udp NAME" or "tcp NAME" each */
  queries: string[];
}

let dir = '';
let runs = 0;

/** Runs argv in a fresh namespace with the swallowing resolver; what it said, how long it took, what was asked. */
function isolated(argv: readonly string[], cwd = '/'): Promise<Isolated> {
  const n = ++runs;
  const log = join(dir, `queries-${n}.log`);
  const ready = join(dir, `ready-${n}`);
  writeFileSync(log, '');
  const env = { PATH: labPath(), RESOLV: join(dir, 'resolv.conf'), NODE: process.execPath, RECORDER: join(dir, 'recorder.mjs'), LOG: log, READY: ready };
  const started = Date.now();
  const child = spawn('unshare', ['-n', '-m', 'sh', '-c', SCRIPT, 'sh', ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      if (!existsSync(ready)) return reject(new Error(`the namespace was not set up (exit ${status}):\n${output}`));
      resolve({ status, output, ms: Date.now() - started, queries: readFileSync(log, 'utf8').split('\n').filter(Boolean) });
    });
  });
}

/** A site whose zone is checked by `kind`'s checker; its config's path. */
function site(kind: keyof typeof CHECKERS): string {
  const root = join(dir, kind);
  for (const d of ['base', 'zones']) mkdirSync(join(root, d), { recursive: true });
  writeFileSync(join(root, 'base', `${ZONE}.base`), BASE);
  const conf = join(root, 'zonerw.toml');
  writeFileSync(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "${kind}"\ncontrol = ["true"]\naddress = false\ncheckzone = "always"\ntimeout = "10s"\n[[server]]\nname = "main"\naddress = "192.0.2.1"\n`);
  return conf;
}

const skip = skipUnlessCI(cannotIsolate());

describe('no zone checker sends a packet: a resolver that never answers costs nothing', { skip, timeout: 120_000 }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zonerw-offline-'));
    writeFileSync(join(dir, 'recorder.mjs'), RECORDER);
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [kind, checker] of Object.entries(CHECKERS) as [keyof typeof CHECKERS, string][]) {
    it(`${checker}, as zonerw check runs it: well under the timeout, no query`, { skip: needBinary(checker) ? false : `${checker} is not installed` }, async () => {
      const r = await isolated([process.execPath, zonerwBin, '--config', site(kind), 'check']);
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, new RegExp(`validated with ${checker}`), r.output);
      assert.deepEqual(r.queries, [], `${checker} asked the resolver`);
      assert.ok(r.ms < WELL_UNDER_MS, `${checker} took ${r.ms} ms`);
    });
  }

  it('named-checkzone without -i local does ask (the recorder hears it): zonerw must not run it so', { skip: needBinary('named-checkzone') ? false : 'named-checkzone is not installed' }, async () => {
    const zoneFile = join(dir, 'rendered.zone');
    writeFileSync(zoneFile, BASE.replace('@serial number@', '2026112200').replace('@IP@', '192.0.2.1'));
    // `timeout`: it would wait 5 s a try for each target; the first query is all this needs
    const r = await isolated(['timeout', '4', binaryPath('named-checkzone')!, ZONE, zoneFile]);
    assert.ok(r.queries.length > 0, `no query recorded: the recorder would prove nothing\n${r.output}`);
    assert.ok(r.queries.some((q) => /\b(mail|ns)\.example\.net$|sip\.example\.org$/.test(q)), r.queries.join('\n'));
  });
});
