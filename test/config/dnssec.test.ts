// `[dnssec]` as validated: the defaults, every key, and no dnssec at all without the table. The
// mistakes are fixtures (test/fixtures/config/dnssec-*.toml), checked by validate.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';

const BASE = {
  base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
  server: [{ name: 'main', address: '192.0.2.1' }],
};
const SIGN = ['dnssec-signzone', '-S', '-K', '/etc/zonerw/keys', '-o', '{zone}', '-f', '{out}', '{in}'];

test('no [dnssec]: zonerw signs nothing', () => {
  assert.equal(validateConfig(BASE, '/etc/zonerw/zonerw.toml').dnssec, undefined);
});

test('[dnssec] with sign only: resign_before 7 days, timeout 1 minute, every zone', () => {
  const cfg = validateConfig({ ...BASE, dnssec: { sign: SIGN } }, '/etc/zonerw/zonerw.toml');
  assert.deepEqual(cfg.dnssec, { sign: SIGN, resignBeforeMs: 7 * 86_400_000, timeoutMs: 60_000 });
});

test('[dnssec] with every key', () => {
  const cfg = validateConfig(
    { ...BASE, zones: ['example.com', 'example.org'], dnssec: { sign: ['ldns-signzone', '-o', '{zone}', '-f', '{out}', '{in}', '/k/Kexample.com.+013+1'], resign_before: '10d', timeout: '5m', zones: ['example.com'] } },
    '/etc/zonerw/zonerw.toml',
  );
  assert.deepEqual(cfg.dnssec, { sign: ['ldns-signzone', '-o', '{zone}', '-f', '{out}', '{in}', '/k/Kexample.com.+013+1'], resignBeforeMs: 10 * 86_400_000, timeoutMs: 300_000, zones: ['example.com'] });
});

test('placeholders may sit inside an argument', () => {
  const sign = ['my-signer', '--zone={zone}', '--in={in}', '--out={out}'];
  assert.deepEqual(validateConfig({ ...BASE, dnssec: { sign } }, '/z.toml').dnssec?.sign, sign);
});
