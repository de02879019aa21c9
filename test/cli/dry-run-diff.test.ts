// --dry-run's diff through the built binary: a 12,000-line zone with its first and last lines
// changed prints two small hunks (jsdiff), not the zone twice over; nothing is written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { zonerw } from '../helpers/cli.js';

let dir: string;
let server: Server;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zonerw-cli-dry-'));
  server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const LINES = 12_000;

/** A base file of LINES lines: $TTL first, a TXT record last, hosts between. */
function base(ttl: number, last: string): string {
  const head = [`$TTL ${ttl}`, '@ IN SOA ns1.example.com. h.example.com. ( @serial number@ 300 60 1209600 300 )', '@ IN NS ns1.example.com.', 'ns1 IN A 198.51.100.7', 'www IN A @IP@'];
  const hosts = Array.from({ length: LINES - head.length - 1 }, (_, i) => `h${i} IN A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  return `${[...head, ...hosts, `zz IN TXT "${last}"`].join('\n')}\n`;
}

test('--dry-run on a 12,000-line zone changed at its first and last lines prints a diff of a few dozen lines holding both', async () => {
  for (const d of ['base', 'zones']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'base', 'example.com.base'), base(300, 'old'));
  const conf = join(dir, 'zonerw.toml');
  const port = (server.address() as AddressInfo).port;
  await writeFile(conf, `base_dir = "base"\nzone_dir = "zones"\nstate_dir = "state"\n[nameserver]\nkind = "none"\ncheckzone = "never"\n[check]\ntimeout = "2s"\nattempts = 1\n[[server]]\nname = "main"\naddress = "192.0.2.1"\ncheck = "http://127.0.0.1:${port}/"\n[[server]]\nname = "backup"\naddress = "198.51.100.7"\n`);
  const first = await zonerw(['--config', conf], { ZONERW_NOW: '2026-11-22T10:00:00Z' });
  assert.equal(first.code, 0, first.stderr);
  const installed = await readFile(join(dir, 'zones', 'example.com'), 'utf8');
  assert.equal(installed.split('\n').length - 1, LINES);

  await writeFile(join(dir, 'base', 'example.com.base'), base(600, 'new'));
  const dry = await zonerw(['--config', conf, '--dry-run'], { ZONERW_NOW: '2026-11-22T11:00:00Z' });
  assert.equal(dry.code, 0, dry.stderr);
  const out = dry.stdout.trimEnd().split('\n');
  assert.ok(out.length <= 36, `${out.length} lines:\n${out.slice(0, 50).join('\n')}`);
  assert.equal(out[0], 'would publish example.com: serial 2026112201, base file changed');
  const changed = out.filter((l) => /^[-+][^-+]/.test(l));
  assert.deepEqual(changed, [
    '-$TTL 300',
    '-@ IN SOA ns1.example.com. h.example.com. ( 2026112200 300 60 1209600 300 )',
    '+$TTL 600',
    '+@ IN SOA ns1.example.com. h.example.com. ( 2026112201 300 60 1209600 300 )',
    '-zz IN TXT "old"',
    '+zz IN TXT "new"',
  ]);
  assert.equal(out.filter((l) => l.startsWith('@@')).length, 2);
  assert.equal(await readFile(join(dir, 'zones', 'example.com'), 'utf8'), installed, 'a dry run writes nothing');
  assert.deepEqual(await readdir(join(dir, 'zones')), ['example.com']);
});
