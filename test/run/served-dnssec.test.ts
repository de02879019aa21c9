// The run's look at the DNSSEC served (run/served-dnssec.ts), fast: a fake primary answering with
// DO. A zone the nameserver signs: faults are errors (stderr, error event, exit 1) and the served
// expiry is remembered for the metric; a zone zonerw signs: another key set is an error, expired
// signatures are left to the gathering (said once); a zone not settled (reload pending, publish
// not served) or not signed is not asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { createContext } from '../../src/run/context.js';
import { watchServedDnssec } from '../../src/run/served-dnssec.js';
import type { SignatureAnswer } from '../../src/run/ports.js';
import type { ZoneMemory } from '../../src/core/zone-plan.js';
import { adapterDeps, fakeNameserver } from '../helpers/deps.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const DAY = 86_400_000;
const memory = (extra: Partial<ZoneMemory> = {}): ZoneMemory => ({ serial: 2026120500, contentHash: 'c', baseHash: 'b', fileHash: 'f', values: {}, publishedAt: NOW, pending: [], ...extra });

function setup(answers: Record<string, SignatureAnswer>, zones: Record<string, ZoneMemory>) {
  const cfg = validateConfig({
    base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
    zones: ['ns.test', 'pending.test', 'ours.test', 'plain.test'],
    nameserver: { kind: 'bind', address: '127.0.0.1:5353', signs: ['ns.test', 'pending.test'] },
    dnssec: { sign: ['signer', '{in}', '{out}'], zones: ['ours.test'] },
    server: [{ name: 'main', address: '192.0.2.1' }],
  }, '/tmp/zonerw.toml');
  const asked: string[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const deps = adapterDeps({
    now: () => NOW,
    probe: async () => ({ up: true, reason: 'ok', latencyMs: 1 }),
    nameserver: fakeNameserver([]),
    log: { out: (l) => out.push(l), err: (l) => err.push(l) },
    askSignatures: async (host, port, zone) => {
      asked.push(`${host}:${port} ${zone}`);
      return answers[zone] ?? { answered: false, signed: false, problem: 'no answer' };
    },
  });
  const ctx = createContext(cfg, { force: false, dryRun: false, verbose: false, quiet: false }, deps, undefined);
  ctx.state.zones = { ...zones };
  return { ctx, asked, err };
}

test('a zone the nameserver signs: its expiry remembered; unsigned says NOT SIGNED and NO DNSKEY as errors', async () => {
  const { ctx, asked, err } = setup(
    { 'ns.test': { answered: true, signed: true, expires: NOW + 10 * DAY, inception: NOW - DAY, keyTags: [1, 2] } },
    { 'ns.test': memory(), 'plain.test': memory(), 'pending.test': memory({ pending: ['reload'] }) },
  );
  await watchServedDnssec(ctx, ['ns.test', 'pending.test', 'plain.test']);
  assert.deepEqual(asked, ['127.0.0.1:5353 ns.test'], 'neither a zone nobody signs nor one whose reload is pending is asked');
  assert.deepEqual(err, []);
  assert.equal(ctx.trouble.exitCode(), 0);
  assert.equal(ctx.state.zones['ns.test']!.servedSignaturesExpire, NOW + 10 * DAY);

  const unsigned = setup({ 'ns.test': { answered: true, signed: false, keyTags: [] } }, { 'ns.test': memory({ servedSignaturesExpire: NOW }) });
  await watchServedDnssec(unsigned.ctx, ['ns.test']);
  assert.equal(unsigned.err.length, 2);
  assert.match(unsigned.err[0]!, /^ns\.test: NOT SIGNED: /);
  assert.match(unsigned.err[1]!, /^ns\.test: the primary serves no DNSKEY/);
  assert.equal(unsigned.ctx.trouble.exitCode(), 1);
  assert.deepEqual(unsigned.ctx.events.map((e) => e.type), ['error', 'error']);
  assert.equal(unsigned.ctx.state.zones['ns.test']!.servedSignaturesExpire, undefined, 'no signatures served: no expiry for the metric');
});

test('a zone zonerw signs: another key set is an error naming both; expired is left to the gathering; an unserved publish is not asked', async () => {
  const { ctx, err } = setup(
    { 'ours.test': { answered: true, signed: true, expires: NOW - DAY, inception: NOW - 30 * DAY, keyTags: [7, 8] } },
    { 'ours.test': memory({ keyTags: [1, 2], signaturesExpire: NOW - DAY }), 'ns.test': memory({ unserved: 'ns.test: serial 1' }) },
  );
  await watchServedDnssec(ctx, ['ours.test', 'ns.test']);
  assert.equal(err.length, 1, err.join('\n'));
  assert.match(err[0]!, /^ours\.test: the primary serves the DNSKEY set 7 8, not the one zonerw signed with \(1 2\): .*turn one signer off/);
  assert.equal(ctx.trouble.exitCode(), 1);
  assert.equal(ctx.state.zones['ours.test']!.servedSignaturesExpire, undefined, "a zone zonerw signs keeps its own expiry (the signer's)");
});
