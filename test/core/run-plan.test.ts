// The run plan (core/run-plan.ts) and its readers' words (core/zone-outcomes.ts): one pure value from
// what the run gathered; safety as one pass; the new state a value (the input untouched); one
// describer per outcome, in three moods.
import { overlay, type Overlay } from '../helpers/overlay.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideGroups, type GroupInput } from '../../src/core/groups.js';
import type { ProbeOutcome, ServerInput } from '../../src/core/health.js';
import { describeOutcome, type Mood, type Outcome } from '../../src/core/zone-outcomes.js';
import { planAsJson } from '../../src/core/plan-json.js';
import { planRun, type RunInputs, type ZoneSummary } from '../../src/core/run-plan.js';
import { emptyState, type State } from '../../src/core/state.js';
import type { ZoneMemory } from '../../src/core/zone-plan.js';

const server = (name: string, address: string, checked = true): ServerInput => ({ name, address, checked, failAfter: 1, recoverAfter: 1 });
const up: ProbeOutcome = { up: true, reason: 'HTTP 200', latencyMs: 1, attempts: 1, at: 1 };
const GROUPS: GroupInput[] = [{ name: 'default', servers: [server('main', '192.0.2.1'), server('backup', '198.51.100.7', false)], allDown: 'keep' }];
const NOW = Date.UTC(2026, 10, 22, 10);
const today = { year: 2026, month: 11, day: 22 };

const memory: ZoneMemory = { serial: 2026112203, contentHash: 'c1', baseHash: 'b1', fileHash: 'f1', values: { IP: '192.0.2.1' }, publishedAt: 1, pending: [], records: 14 };
function summary(over: Overlay<ZoneSummary> = {}): ZoneSummary {
  return overlay<ZoneSummary>({
    zone: 'example.com', zoneFile: '/z/example.com', shown: { base: 'base/example.com.base', file: 'zones/example.com' },
    baseHash: 'b1', contentHash: 'c1', values: { IP: '192.0.2.1' }, identity: { base: 'i1', file: 'i2', included: {} },
    counts: { records: 14, ns: 2 }, expect: [], owners: { IP: ['www'] },
    installed: { hash: 'f1', serial: 2026112203, matchesRender: true, records: 14 },
  }, over);
}
function inputs(state: State, zones: ZoneSummary[], over: Partial<RunInputs> = {}): RunInputs {
  const decided = decideGroups({ groups: GROUPS, outcomes: new Map([['main', up]]), memory: state, now: NOW });
  return { decided, state, zones, problems: [], warnings: [], gone: { orphaned: [], retired: [] }, served: new Map(), options: { force: false, onBaseChange: 'publish', today, now: NOW, maxShrink: 0.5 }, ...over };
}
const withZone = (): State => ({ ...emptyState(), zones: { 'example.com': memory } });

test('a steady zone is kept; the plan is a value and the state handed in is not changed', () => {
  const state = withZone();
  const frozen = JSON.stringify(state);
  const plan = planRun(inputs(state, [summary()]));
  assert.equal(JSON.stringify(state), frozen);
  assert.deepEqual(plan.zones.map((z) => z.action), ['keep']);
  assert.deepEqual(plan.safety, []);
  assert.deepEqual(plan.state.zones['example.com'], { ...memory, inputs: { base: 'i1', file: 'i2', included: {} } });
  assert.equal(plan.state.groups.default?.favoured?.server, 'main');
  assert.deepEqual(JSON.parse(JSON.stringify(planAsJson(plan))).zones, [{ zone: 'example.com', action: 'keep', serial: 2026112203, say: null }]);
});

test('a publish takes a serial above the one served (a signer numbered ahead); the plan holds no zone text', () => {
  const changed = summary({ contentHash: 'c2', values: { IP: '198.51.100.7' } });
  const plan = planRun(inputs(withZone(), [changed], { served: new Map([['example.com', 2026112250]]) }));
  const step = plan.zones[0]!;
  assert.equal(step.action, 'publish');
  assert.equal(step.action === 'publish' && step.publish.serial, 2026112251);
  assert.equal(step.action === 'publish' && step.line, 'example.com: serial 2026112251, www -> 198.51.100.7');
  assert.doesNotMatch(JSON.stringify(plan), /IN SOA/);
  const hooksOf = (p: typeof plan, v?: Parameters<typeof planAsJson>[1]) => (planAsJson(p, v) as { hooks: { on: string; reason: string }[] }).hooks;
  assert.deepEqual(hooksOf(plan).map((h) => h.on), ['publish']);
  // a publish the checker refuses raises what the run would: the error hook, no publish
  assert.deepEqual(hooksOf(plan, new Map([['example.com', { verdict: 'refused', checker: 'nsd-checkzone', line: 'example.com: refused by nsd-checkzone' }]])).map((h) => [h.on, h.reason]), [['error', 'example.com: refused by nsd-checkzone']]);
});

test('safety is one pass over the plan: max_shrink and no NS refuse, --force lets both through', () => {
  const shrunk = summary({ contentHash: 'c2', baseHash: 'b2', counts: { records: 4, ns: 1 } });
  const noNs = summary({ zone: 'b.example', contentHash: 'c2', baseHash: 'b2', counts: { records: 3, ns: 0 }, installed: undefined });
  const state = withZone();
  const plan = planRun(inputs(state, [shrunk, noNs]));
  assert.deepEqual(plan.safety, [
    { zone: 'example.com', rule: 'max_shrink', problem: 'it would drop from 14 records to 4 (71% fewer; max_shrink is 50%)' },
    { zone: 'b.example', rule: 'no_ns', problem: 'the rendered zone has no NS records (3 records in all)' },
  ]);
  assert.deepEqual(plan.zones.map((z) => z.action), ['refuse', 'refuse']);
  assert.deepEqual((planAsJson(plan) as { hooks: { on: string }[] }).hooks.map((h) => h.on), ['error'], 'nothing published; the refusals raise the error hook, as the run does');
  const forced = planRun(inputs(state, [shrunk, noNs], { options: { force: true, onBaseChange: 'publish', today, now: NOW, maxShrink: 0.5 } }));
  assert.deepEqual(forced.safety, []);
  assert.deepEqual(forced.zones.map((z) => z.action), ['publish', 'publish']);
});

test('gathered problems and gone base files are in the plan, in order; a retired zone is forgotten in the new state', () => {
  const state: State = { ...withZone(), zones: { 'example.com': memory, 'old.example': memory, 'gone.example': { ...memory, pending: ['reload'] } } };
  const plan = planRun(inputs(state, [summary()], {
    problems: [{ kind: 'baseFile', line: 'base/x.base: bad' }],
    gone: { orphaned: [{ zone: 'gone.example', shown: { base: 'base/gone.example.base', file: 'zones/gone.example' } }], retired: [{ zone: 'old.example', shown: { base: 'base/old.example.base', file: 'zones/old.example' } }] },
  }));
  assert.deepEqual(plan.problems.map((p) => [p.kind, p.line.slice(0, 24)]), [['baseFile', 'base/x.base: bad'], ['baseFile', 'base/gone.example.base i']]);
  assert.deepEqual(Object.keys(plan.state.zones).sort(), ['example.com', 'gone.example']);
  assert.deepEqual(plan.retired.map((r) => r.zone), ['old.example']);
  assert.deepEqual(plan.retries, [{ zone: 'gone.example', steps: ['reload'] }]);
});

test('one describer per outcome, in three moods', () => {
  const rows: [Outcome, Record<Mood, string>][] = [
    [{ kind: 'publish', line: 'a.example: serial 2' }, { done: 'a.example: serial 2', would: 'would publish a.example: serial 2', check: 'a.example: serial 2' }],
    [{ kind: 'refuse', zone: 'a.example', base: 'base/a.example.base', problem: 'it would drop' }, {
      done: 'a.example: not published, it would drop: check base/a.example.base, or publish it anyway with zonerw --force',
      would: 'a.example: would not be published, it would drop: check base/a.example.base, or publish it anyway with zonerw --force',
      check: 'a.example: the next run would not publish it, it would drop: check base/a.example.base, or publish it anyway with zonerw --force',
    }],
    [{ kind: 'write', zone: 'a.example', message: 'cannot write x: ENOSPC' }, { done: 'a.example: cannot write x: ENOSPC', would: 'a.example: cannot write x: ENOSPC', check: 'a.example: cannot write x: ENOSPC' }],
    [{ kind: 'unfinished', zone: 'a.example', checker: 'nsd-checkzone', reason: 'timed out after 10s' }, {
      done: 'a.example: nsd-checkzone timed out after 10s; the zone was not installed',
      would: 'a.example: nsd-checkzone timed out after 10s; the zone would not be installed',
      check: 'a.example: nsd-checkzone timed out after 10s; not validated',
    }],
    [{ kind: 'checker', zone: 'a.example', checker: 'kzonecheck', words: 'base/a.example.base:5: bad' }, {
      done: 'a.example: refused by kzonecheck, not installed (the old zone stays): base/a.example.base:5: bad',
      would: 'a.example: would be refused by kzonecheck: base/a.example.base:5: bad',
      check: 'a.example: refused by kzonecheck: base/a.example.base:5: bad',
    }],
  ];
  rows.push([{ kind: 'checker', zone: 'a.example', checker: 'kzonecheck', words: 'bad', first: true }, {
    done: 'a.example: refused by kzonecheck, not installed (there is no zone file yet): bad',
    would: 'a.example: would be refused by kzonecheck: bad',
    check: 'a.example: refused by kzonecheck: bad',
  }]);
  // a zone that could not be loaded: no claim about a zone file that does not exist
  rows.push([{ kind: 'unloaded', zone: 'a.example' }, {
    done: 'a.example: not published; the installed zone file is unchanged',
    would: 'a.example: would not be published; the installed zone file would stay unchanged',
    check: 'a.example: the next run would not publish it; the installed zone file would stay unchanged',
  }]);
  rows.push([{ kind: 'unloaded', zone: 'a.example', first: true }, {
    done: 'a.example: not published; there is no zone file yet',
    would: 'a.example: would not be published; there is no zone file yet',
    check: 'a.example: the next run would not publish it; there is no zone file yet',
  }]);
  for (const [outcome, moods] of rows) {
    for (const mood of ['done', 'would', 'check'] as const) assert.equal(describeOutcome(outcome, mood), moods[mood], `${outcome.kind} ${mood}`);
  }
});
