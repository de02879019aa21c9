// Service groups in the pure core: markers that name their group, the values each group fills,
// the decision per group (hysteresis, pins, all_down per group; reference hosts judged once for
// all), the plan's words and events, the hooks, the metrics and the state's migration from the
// version before groups (a state.json written by that release, test/fixtures/state/v1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decideGroups, namesGroups, type GroupInput } from '../../src/core/groups.js';
import type { ProbeOutcome, ServerInput } from '../../src/core/health.js';
import { raisedEvents } from '../../src/core/hooks.js';
import { fill, formatProblem, markerBase, markerGroup, markerKey, markersUsed, parseBase, SERIAL, slotsOf, type Template } from '../../src/core/markers.js';
import { renderMetrics } from '../../src/core/metrics.js';
import { planDecision } from '../../src/core/run-plan.js';
import { emptyState, parseState, serializeState, STATE_VERSION, type State } from '../../src/core/state.js';
import { groupMarkerValues, markerValues } from '../../src/core/values.js';
import { fixturesDir } from '../helpers/paths.js';

const SOA = '@ IN SOA ns1 hostmaster ( @serial number@ 300 60 1209600 300 )\n@ IN NS ns1\n';

function parse(text: string, groups?: string[]): { template?: Template; problems: string[] } {
  const r = parseBase(text, 'b.base', 'example.com', groups);
  return r.ok ? { template: r.template, problems: [] } : { problems: r.problems.map(formatProblem) };
}

test('markers name their group: value and comment forms; the plain forms are the default group', () => {
  const { template, problems } = parse(
    `${SOA}www IN A @IP@\nmail IN A 192.0.2.25 ; @IP:mail@\nmx IN A @IPS:mail@\nmx6 IN AAAA @IP6:mail@\nrr6 IN AAAA ::1 ; @IPS6:mail@\nold IN A @IP:default@\n`,
    ['default', 'mail'],
  );
  assert.deepEqual(problems, []);
  assert.deepEqual([...markersUsed(template!)].sort(), [SERIAL, 'IP', 'IP6:mail', 'IP:mail', 'IPS6:mail', 'IPS:mail'].sort());
  assert.deepEqual(slotsOf(template!, 'IP').map((s) => s.owner), ['www', 'old'], '@IP:default@ is @IP@');
  const text = fill(template!, { [SERIAL]: '1', IP: '192.0.2.1', 'IP:mail': '192.0.2.25', 'IPS:mail': ['192.0.2.25', '198.51.100.25'], 'IP6:mail': '2001:db8::25', 'IPS6:mail': ['2001:db8::25'] });
  assert.equal(
    text,
    `@ IN SOA ns1 hostmaster ( 1 300 60 1209600 300 )\n@ IN NS ns1\nwww IN A 192.0.2.1\nmail IN A 192.0.2.25 ; @IP:mail@\nmx IN A 192.0.2.25\nmx IN A 198.51.100.25\nmx6 IN AAAA 2001:db8::25\nrr6 IN AAAA 2001:db8::25 ; @IPS6:mail@\nold IN A 192.0.2.1\n`,
  );
  assert.deepEqual([markerKey('IP'), markerKey('IP', 'default'), markerKey('IPS', 'mail')], ['IP', 'IP', 'IPS:mail']);
  assert.deepEqual([markerBase('IPS:mail'), markerGroup('IPS:mail'), markerBase('IP'), markerGroup('IP')], ['IPS', 'mail', 'IP', 'default']);
});

test('an unknown group, or a plain marker without a default group, is a problem naming file, line and the groups', () => {
  const rows: [string, string[], string][] = [
    ['www IN A @IP:nosuch@', ['default', 'mail'], 'b.base:3: unknown group "nosuch" in @IP:nosuch@; the groups are default, mail'],
    ['www IN A 192.0.2.1 ; @IP:mial@', ['default', 'mail'], 'b.base:3: unknown group "mial" in @IP:mial@ (did you mean @IP:mail@?); the groups are default, mail'],
    ['www IN A @IPS:web@', ['default'], 'b.base:3: unknown group "web" in @IPS:web@; the groups are default'],
    ['www IN A @IP:@', ['default', 'mail'], 'b.base:3: unknown group "" in @IP:@; the groups are default, mail'],
    ['www IN A @IP@', ['mail', 'web'], 'b.base:3: @IP@ is for the default group, and the config has none (no top-level [[server]]): name a group, like @IP:mail@; the groups are mail, web'],
    ['www IN AAAA ::1 ; @IP6@', ['mail'], 'b.base:3: @IP6@ is for the default group, and the config has none (no top-level [[server]]): name a group, like @IP6:mail@; the groups are mail'],
    ['www IN A @IP:default@', ['mail'], 'b.base:3: unknown group "default" in @IP:default@; the groups are mail'],
  ];
  for (const [line, groups, want] of rows) assert.deepEqual(parse(`${SOA}${line}\n`, groups).problems, [want], line);
  // without the config's groups (older callers): the default group alone
  assert.deepEqual(parse(`${SOA}www IN A @IP:mail@\n`).problems, ['b.base:3: unknown group "mail" in @IP:mail@; the groups are default']);
});

test('near misses keep their hints with a group; the serial and directives take no group', () => {
  const rows: [string, string][] = [
    ['www IN A @ip:mail@', 'b.base:3: unknown marker @ip:mail@ (did you mean @IP:mail@?)'],
    ['www IN A 192.0.2.1 ; @Ip:mail@', 'b.base:3: unknown marker @Ip:mail@ (did you mean @IP:mail@?)'],
    ['www IN A @IPv6:mail@', 'b.base:3: unknown marker @IPv6:mail@ (did you mean @IP6:mail@?)'],
    ['www IN A @I_PS:mail@', 'b.base:3: unknown marker @I_PS:mail@ (did you mean @IPS:mail@?)'],
    ['www IN A @serial:mail@', 'b.base:3: unknown marker @serial:mail@'],
    ['$TTL @IP:mail@', 'b.base:3: a marker in a $TTL directive is not supported; markers go in records'],
    ['www IN A @IP:mail@ ; @IP@', 'b.base:3: @IP:mail@ and @IP@ mark the same value'],
    ['www IN A @IPS:mail@ ; @IPS@', 'b.base:3: @IPS:mail@ and @IPS@ mark the same value'],
  ];
  for (const [line, want] of rows) assert.deepEqual(parse(`${SOA}${line}\n`, ['default', 'mail']).problems, [want], line);
  assert.deepEqual(parse(`${SOA}mx IN MX 10 @IPS:mail@\nmx IN A @IPS:mail@ ; @IPS:mail@\n`, ['default', 'mail']).problems, [], 'one marker on one value is one slot');
  assert.deepEqual(parse(`${SOA}@ IN SOA ( @IPS:mail@ 1 2 3 4 5 6 )\n`, ['default', 'mail']).problems.at(-1), 'b.base:3: @IPS:mail@ belongs on an address record');
});

const server = (name: string, address: string, checked = true, failAfter = 1, recoverAfter = 1): ServerInput => ({ name, address, checked, failAfter, recoverAfter });
const up: ProbeOutcome = { up: true, reason: 'HTTP 200', latencyMs: 1, attempts: 1, at: 1 };
const down = (reason = 'connection refused'): ProbeOutcome => ({ up: false, reason, latencyMs: 1, attempts: 1, at: 1 });
const GROUPS: GroupInput[] = [
  { name: 'default', servers: [server('main', '192.0.2.1'), server('backup', '198.51.100.7', false)], allDown: 'keep' },
  { name: 'mail', servers: [server('mx1', '192.0.2.25', true, 2), server('mx2', '198.51.100.25', false)], allDown: 'last' },
];

test('each group is decided on its own: its servers, its hysteresis, its pin', () => {
  const memory = { groups: {}, servers: {} };
  const one = decideGroups({ groups: GROUPS, outcomes: new Map([['main', down()], ['mx1', down()]]), memory, now: 10 });
  assert.deepEqual(one.map((g) => [g.group, g.first, g.decision.favoured.server]), [['default', 'main', 'backup'], ['mail', 'mx1', 'mx1']], 'mx1 fails after 2 runs');
  const remembered = planDecision(one, memory, 10).health;
  const two = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up], ['mx1', down()]]), memory: remembered, now: 20 });
  assert.deepEqual(two.map((g) => g.decision.favoured.server), ['main', 'mx2']);
  const pinned = { ...remembered, groups: { ...remembered.groups, mail: { ...remembered.groups.mail, pin: { server: 'mx2', setAt: 5 } } } };
  const three = decideGroups({ groups: GROUPS, outcomes: new Map([['main', down()], ['mx1', up]]), memory: pinned, now: 20 });
  assert.deepEqual(three.map((g) => [g.decision.favoured.server, g.decision.pin?.server]), [['backup', undefined], ['mx2', 'mx2']], 'a pin holds in its own group only');
});

test('reference hosts are global: a server down while no reference answers changes nothing in any group', () => {
  const before = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up], ['mx1', up]]), memory: { groups: {}, servers: {} }, now: 1 });
  const memory = planDecision(before, { groups: {}, servers: {} }, 1).health;
  // main fails (and no reference answers): mail, all up, must not move either, nor count this run
  const d = decideGroups({ groups: GROUPS, outcomes: new Map([['main', down()], ['mx1', down()]]), memory, referencesUp: false, now: 2 });
  assert.deepEqual(d.map((g) => [g.decision.networkDown, g.decision.favoured.server, g.decision.favouredChanged]), [[true, 'main', false], [true, 'mx1', false]]);
  const plan = planDecision(d, memory, 2);
  assert.equal(plan.networkDown, "main (connection refused), mx1 (connection refused) look down, and no reference host answers either: zonerw's own network seems down, so nothing was changed");
  assert.deepEqual(plan.say, []);
  // a failure in mail alone decides for default too
  const mailOnly = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up], ['mx1', down()]]), memory, referencesUp: false, now: 2 });
  assert.deepEqual(mailOnly.map((g) => g.decision.networkDown), [true, true]);
  // a reference that answers: each group as usual
  const fine = decideGroups({ groups: GROUPS, outcomes: new Map([['main', down()], ['mx1', up]]), memory, referencesUp: true, now: 2 });
  assert.deepEqual(fine.map((g) => g.decision.favoured.server), ['backup', 'mx1']);
});

test('the plan names the groups (when the config has several), tags the events, and forgets a group no longer configured', () => {
  assert.deepEqual([namesGroups([{ name: 'default' }]), namesGroups([{ name: 'mail' }]), namesGroups([{ name: 'default' }, { name: 'mail' }])], [false, true, true]);
  const first = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up], ['mx1', up]]), memory: { groups: {}, servers: {} }, now: 1 });
  const memory = planDecision(first, { groups: {}, servers: {} }, 1).health;
  const withOld = { ...memory, groups: { ...memory.groups, web: { favoured: { server: 'web1', address: '203.0.113.80', since: 1 } } } };
  const d = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up], ['mx1', down('timed out after 5s')]]), memory: withOld, now: 2 });
  const again = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up], ['mx1', down('timed out after 5s')]]), memory: planDecision(d, withOld, 2).health, now: 3 });
  const plan = planDecision(again, planDecision(d, withOld, 2).health, 3);
  assert.deepEqual(planDecision(d, withOld, 2).say, ['group web: no longer in the config; zonerw forgets it (it favoured web1 203.0.113.80)']);
  assert.deepEqual(Object.keys(plan.health.groups), ['default', 'mail']);
  assert.deepEqual(plan.say, ['group mail: mx1 192.0.2.25 down (timed out after 5s, 1 attempt); favouring mx2 198.51.100.25']);
  assert.deepEqual(plan.trace, [
    'group default: check: main 192.0.2.1: up this run (HTTP 200, 1 attempt, 1 ms); counts as up since 1970-01-01T00:00:00.001Z',
    'group default: check: backup 198.51.100.7: no check, always up',
    'group default: decision: main is the first server and it is up',
    'group mail: check: mx1 192.0.2.25: down this run (timed out after 5s, 1 attempt, 1 ms); counts as down since 1970-01-01T00:00:00.003Z',
    'group mail: check: mx2 198.51.100.25: no check, always up',
    'group mail: decision: mx1 down: mx2 is the first server that is up',
  ]);
  assert.deepEqual(plan.events, [{ t: 3, type: 'failover', group: 'mail', from: 'mx1', to: 'mx2', address: '198.51.100.25', reason: 'mx1 192.0.2.25 down (timed out after 5s, 1 attempt); favouring mx2 198.51.100.25' }]);
  assert.deepEqual(planDecision(d, withOld, 2).events, [{ t: 2, type: 'check', group: 'mail', server: 'mx1', up: false, reason: 'timed out after 5s' }], 'the default group\'s events carry no group, as before groups');
  // hooks: the group's move, with its from and to; publish and error once, for the run
  const raised = raisedEvents(plan.groups, ['example.com'], []);
  assert.deepEqual(raised.map((e) => [e.on, e.group, e.from?.server, e.to.server]), [['failover', 'mail', 'mx1', 'mx2'], ['change', 'mail', 'mx1', 'mx2'], ['publish', undefined, 'main', 'main']]);
});

test('values: each group fills its own markers; IPv6 markers need address6 on every server of their group', () => {
  const web = [{ name: 'main', address: '192.0.2.1', address6: '2001:db8::1' }, { name: 'backup', address: '198.51.100.7', address6: '2001:db8::7' }];
  const mail = [{ name: 'mx1', address: '192.0.2.25' }, { name: 'mx2', address: '198.51.100.25' }];
  const { values, unavailable } = groupMarkerValues([
    { name: 'default', servers: web, favoured: web[1]!, pool: [web[1]!] },
    { name: 'mail', servers: mail, favoured: mail[0]!, pool: mail },
  ]);
  assert.deepEqual(values, { IP: '198.51.100.7', IPS: ['198.51.100.7'], IP6: '2001:db8::7', IPS6: ['2001:db8::7'], 'IP:mail': '192.0.2.25', 'IPS:mail': ['192.0.2.25', '198.51.100.25'] });
  assert.deepEqual(unavailable, {
    'IP6:mail': 'server "mx1", "mx2" of group mail have no address6; add address6 to every server of the group, or use @IP6:mail@ and @IPS6:mail@ nowhere',
    'IPS6:mail': 'server "mx1", "mx2" of group mail have no address6; add address6 to every server of the group, or use @IP6:mail@ and @IPS6:mail@ nowhere',
  });
  assert.deepEqual(markerValues(mail, mail[0]!, mail).unavailable.IP6, 'server "mx1", "mx2" have no address6; add address6 to every [[server]], or use IPv6 markers nowhere', 'the default group words it as before');
});

test('metrics: a group label when the config names groups; none for the default group alone, as before', () => {
  const run = { zones: [], runDurationSeconds: 0.1, lastRunSeconds: 1, exitCode: 0 };
  const grouped = renderMetrics({
    ...run,
    servers: [
      { name: 'main', group: 'default', raw: true, up: true, favoured: true, consecutiveFailures: 0 },
      { name: 'mx1', group: 'mail', raw: false, up: false, favoured: false, latencySeconds: 5, consecutiveFailures: 3 },
      { name: 'mx2', group: 'mail', raw: true, up: true, favoured: true, consecutiveFailures: 0 },
    ],
    pins: [{ group: 'default', active: false }, { group: 'mail', active: true }],
  });
  const favoured = grouped.split('\n').filter((l) => l.startsWith('zonerw_server_favoured{') && l.endsWith(' 1'));
  assert.deepEqual(favoured, ['zonerw_server_favoured{group="default",server="main"} 1', 'zonerw_server_favoured{group="mail",server="mx2"} 1']);
  assert.match(grouped, /^zonerw_pin_active\{group="mail"\} 1$/m);
  const plain = renderMetrics({ ...run, servers: [{ name: 'main', raw: true, up: true, favoured: true, consecutiveFailures: 0 }], pins: [{ active: false }] });
  assert.match(plain, /^zonerw_server_favoured\{server="main"\} 1$/m);
  assert.match(plain, /^zonerw_pin_active 0$/m);
});

test('state: a state.json written by the release before groups (version 1) loads as the default group\'s decision', () => {
  const text = readFileSync(join(fixturesDir, 'state', 'v1', 'state.json'), 'utf8');
  const old = JSON.parse(text) as Record<string, unknown>;
  assert.equal(old.version, 1);
  const r = parseState(text);
  assert.ok('state' in r, JSON.stringify(r));
  const { state } = r;
  assert.equal(state.version, STATE_VERSION);
  assert.equal(STATE_VERSION, 2);
  assert.deepEqual(state.groups, { default: { favoured: old.favoured, pool: old.pool, pin: old.pin, rule: old.rule } });
  assert.deepEqual([state.servers, state.zones, state.intents, state.lastSuccess], [old.servers, old.zones, old.intents, old.lastSuccess], 'the rest as it was');
  assert.ok(!('favoured' in state) && !('pin' in state) && !('rule' in state) && !('pool' in state));
  // written again, it is version 2 and reads back the same
  const again = parseState(serializeState(state));
  assert.deepEqual('state' in again && again.state, state);
  // a version 1 state that had not decided yet, and the empty state
  const fresh = parseState('{"version": 1, "servers": {}, "zones": {}, "intents": {}}');
  assert.deepEqual('state' in fresh && fresh.state, emptyState() satisfies State);
});

test('state: malformed group memories, newer and unknown versions', () => {
  const rows: [string, string][] = [
    ['{"version": 1, "favoured": {"server": 3}}', 'malformed "favoured" of group "default"'],
    ['{"version": 2, "groups": {"mail": {"pin": {"server": "mx2"}}}}', 'malformed "pin" of group "mail"'],
    ['{"version": 2, "groups": {"mail": {"pool": "mx2"}}}', 'malformed "pool" of group "mail"'],
    ['{"version": 2, "groups": []}', 'malformed "groups"'],
    ['{"version": 0}', 'unknown version 0'],
    ['{"version": 3}', 'written by a newer zonerw (version 3; this one reads 2)'],
  ];
  for (const [text, problem] of rows) {
    const r = parseState(text);
    assert.equal('problem' in r && r.problem, problem, text);
  }
  const rule = parseState('{"version": 2, "groups": {"mail": {"rule": 7}}}');
  assert.deepEqual('state' in rule && rule.state.groups, { mail: {} }, 'a rule that is not text is dropped');
});
