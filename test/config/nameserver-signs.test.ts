// `[nameserver] signs` as validated: true or a list of zones; every mistake said at once with
// its key path (a list naming a zone [dnssec] signs too, a zone not in zones, no address to ask).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors.js';

const BASE = {
  base_dir: 'base', zone_dir: 'zones', state_dir: 'state',
  server: [{ name: 'main', address: '192.0.2.1' }],
};
const SIGN = ['dnssec-signzone', '-o', '{zone}', '-f', '{out}', '{in}'];
const ns = (extra: Record<string, unknown>) => ({ kind: 'bind', ...extra });

function problems(raw: Record<string, unknown>): string[] {
  try {
    validateConfig(raw, '/etc/zonerw/zonerw.toml');
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

test('signs: absent or false is none; true and a list are kept', () => {
  assert.equal(validateConfig({ ...BASE, nameserver: ns({}) }, '/z.toml').nameserver.signs, undefined);
  assert.equal(validateConfig({ ...BASE, nameserver: ns({ signs: false }) }, '/z.toml').nameserver.signs, undefined);
  assert.equal(validateConfig({ ...BASE, nameserver: ns({ signs: true }) }, '/z.toml').nameserver.signs, true);
  assert.deepEqual(validateConfig({ ...BASE, zones: ['a.test', 'b.test'], nameserver: ns({ signs: ['b.test'] }), dnssec: { sign: SIGN, zones: ['a.test'] } }, '/z.toml').nameserver.signs, ['b.test']);
  assert.equal(validateConfig({ ...BASE, nameserver: ns({ signs: true }), dnssec: { sign: SIGN, zones: ['a.test'] } }, '/z.toml').nameserver.signs, true, 'true: the zones [dnssec] does not sign');
});

test('signs: every mistake, with its key path and what to do', () => {
  const table: [Record<string, unknown>, RegExp[]][] = [
    [{ nameserver: ns({ signs: 'yes' }) }, [/^nameserver\.signs: must be true \(the nameserver signs every zone zonerw does not sign\) or a non-empty list of zone names/]],
    [{ nameserver: ns({ signs: [] }) }, [/^nameserver\.signs: must be true/]],
    [{ nameserver: ns({ signs: true }), dnssec: { sign: SIGN } }, [/^nameserver\.signs: true, but \[dnssec\] signs every zone: both signers would sign it .*; keep one/]],
    [{ zones: ['a.test'], nameserver: ns({ signs: ['a.test', 'c.test', 'bad..name'] }), dnssec: { sign: SIGN } }, [
      /^nameserver\.signs\[0\]: "a\.test" is signed by zonerw \(\[dnssec\]\) too: both signers would sign it/,
      /^nameserver\.signs\[1\]: "c\.test" is not one of zones$/,
      /^nameserver\.signs\[2\]: /,
    ]],
    [{ nameserver: ns({ signs: true, address: false }) }, [/^nameserver\.signs: needs nameserver\.address: zonerw watches what the primary serves by asking it with DO/]],
  ];
  for (const [raw, words] of table) {
    const found = problems({ ...BASE, ...raw });
    assert.equal(found.length, words.length, JSON.stringify(found));
    words.forEach((w, i) => assert.match(found[i]!, w));
  }
});
