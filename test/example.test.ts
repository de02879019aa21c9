// The bundled example is what users copy: it must load, and its base files must render into
// zones the nameservers' own checkers accept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { fill, parseBase } from '../src/core/markers.js';
import { labPath } from './lab/lab.js';
import { repoRoot } from './helpers/paths.js';
import { skipOrFail } from './helpers/need.js';

const example = join(repoRoot, 'zones.example');

test('zones.example/zonerw.toml loads without a problem', async () => {
  const cfg = await loadConfig(join(example, 'zonerw.toml'));
  assert.deepEqual(cfg.servers.map((s) => s.name), ['main', 'backup']);
  assert.equal(cfg.baseDir, join(example, 'base'));
  // zonerw never makes zone_dir (the nameserver's folder): the example ships it, so that
  // `zonerw --config zones.example/zonerw.toml check` passes as cloned (state_dir a run makes)
  assert.ok(statSync(cfg.zoneDir).isDirectory(), `${cfg.zoneDir} is shipped`);
});

test('every example base file renders into a zone that nsd-checkzone and named-checkzone accept', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zonerw-example-'));
  try {
    for (const name of readdirSync(join(example, 'base')).filter((n) => n.endsWith('.base'))) {
      const zone = name.slice(0, -'.base'.length);
      const parsed = parseBase(readFileSync(join(example, 'base', name), 'utf8'), name);
      assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
      const file = join(dir, zone);
      writeFileSync(file, fill(parsed.template, { IP: '192.0.2.1', 'serial number': '2026112200' }));
      for (const checker of ['nsd-checkzone', 'named-checkzone']) {
        const r = spawnSync(checker, [zone, file], { encoding: 'utf8', env: { PATH: labPath() } });
        if (r.error) return skipOrFail(t, `${checker} is not installed`);
        assert.equal(r.status, 0, `${checker}: ${r.stdout}${r.stderr}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
