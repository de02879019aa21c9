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
const cfg = { servers, allDown: 'keep', nameserver: { kind: 'nsd', address: { name: '127.0.0.1:53', host: '127.0.0.1', port: 53 } } } as unknown as Config;
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
  // nothing answered after the reload: unknown, never "not served"
  const silent = zoneServing({ ...memory({ IP: '198.51.100.7' }, ['reload', 'notify']), primarySilent: true }, decided);
  assert.deepEqual([silent.served, silent.served === true ? '' : silent.why], [undefined, 'installed and reloaded, but nothing answered at [nameserver] address to confirm it']);
  assert.equal(zoneServing(undefined, decided).served, false);

  state.zones['example.com'] = memory({ IP: '192.0.2.1' });
  state.zones['example.org'] = memory({ IP: '198.51.100.7' });
  const { zones: _listed, ...everyZone } = cfg;
  assert.deepEqual([...groupsServed(everyZone as Config, state)], [['default', false]]);
  assert.deepEqual([...groupsServed({ ...cfg, zones: ['example.org'] } as Config, state)], [['default', true]], 'only the zones configured count');
});

test('groupsServed: no zone published is not served; a listed zone never published is not; no primary asked is unknown', () => {
  const state = emptyState();
  state.groups.default = { favoured: { server: 'main', address: '192.0.2.1', since: 0 }, pool: ['main'] };
  // a fresh state whose only zone was refused: nothing serves the decision (it was "every" over no zone)
  assert.deepEqual([...groupsServed(cfg, state, ['example.com'])], [['default', false]]);
  assert.deepEqual([...groupsServed(cfg, state)], [['default', false]], 'no zone at all serves nothing');
  state.zones['example.org'] = memory({ IP: '192.0.2.1' });
  assert.deepEqual([...groupsServed(cfg, state, ['example.com', 'example.org'])], [['default', false]], 'example.com was never published');
  assert.deepEqual([...groupsServed(cfg, state, ['example.org'])], [['default', true]]);
  const none = { ...cfg, nameserver: { kind: 'none', address: undefined } } as unknown as Config;
  assert.deepEqual([...groupsServed(none, state, ['example.org'])], [['default', undefined]], 'kind none: not claimed');
  assert.equal(zoneServing(state.zones['example.org'], decidedValues(none, state), false).served, undefined);
  state.zones['example.org'] = memory({ IP: '198.51.100.7' });
  assert.deepEqual([...groupsServed(none, state, ['example.org'])], [['default', false]], 'a file without the decision is known unserved, asked or not');
});
