// Whether a zone serves the decision, as the runs observed it: the installed file's marker
// values against the recorded decision, and no reload owed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config } from '../../src/config/types.js';
import type { ZoneMemory } from '../../src/core/zone-plan.js';
import { emptyState } from '../../src/core/state.js';
import { decidedValues, groupsServed, zoneServing } from '../../src/run/serving.js';

const servers = [
  { name: 'main', address: '192.0.2.1' },
  { name: 'backup', address: '198.51.100.7' },
] as Config['servers'];
const cfg = { servers, allDown: 'keep' } as unknown as Config;
const memory = (values: ZoneMemory['values'], pending: ZoneMemory['pending'] = []): ZoneMemory =>
  ({ serial: 2026112201, contentHash: 'c', baseHash: 'b', fileHash: 'f', values, publishedAt: 0, pending }) as ZoneMemory;

test('zoneServing: the decision carried and no reload owed; else why not', () => {
  const state = emptyState();
  state.groups.default = { favoured: { server: 'backup', address: '198.51.100.7', since: 0 }, pool: ['backup'] };
  const decided = decidedValues(cfg, state);
  assert.deepEqual(decided, { IP: '198.51.100.7', IPS: ['198.51.100.7'] });
  assert.deepEqual(zoneServing(memory({ IP: '198.51.100.7' }), decided), { served: true });
  const refused = zoneServing(memory({ IP: '192.0.2.1' }), decided);
  assert.equal(refused.served, false);
  assert.match(refused.served ? '' : refused.why, /^the installed zone file carries @IP@ 192\.0\.2\.1, not 198\.51\.100\.7/);
  const pending = zoneServing(memory({ IP: '198.51.100.7' }, ['reload', 'notify']), decided);
  assert.match(pending.served ? '' : pending.why, /reload is pending/);
  assert.equal(zoneServing(undefined, decided).served, false);

  state.zones['example.com'] = memory({ IP: '192.0.2.1' });
  state.zones['example.org'] = memory({ IP: '198.51.100.7' });
  const { zones: _listed, ...everyZone } = cfg;
  assert.deepEqual([...groupsServed(everyZone as Config, state)], [['default', false]]);
  assert.deepEqual([...groupsServed({ ...cfg, zones: ['example.org'] } as Config, state)], [['default', true]], 'only the zones configured count');
});
