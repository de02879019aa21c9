// The Prometheus side that ships in the .deb (/usr/share/zonerw): the alerting rules pass their
// `promtool test rules` test, and they and the Grafana dashboard name only metrics zonerw writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderMetrics } from '../../src/core/metrics.js';
import { renderWatchMetrics } from '../../src/core/watch-metrics.js';
import { skipUnlessCI } from '../helpers/need.js';
import { repoRoot } from '../helpers/paths.js';

const prometheus = join(repoRoot, 'packaging', 'prometheus');
const rules = readFileSync(join(prometheus, 'zonerw.rules.yml'), 'utf8');
const dashboard = JSON.parse(readFileSync(join(repoRoot, 'packaging', 'grafana', 'zonerw-dashboard.json'), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
  templating: { list: { query?: unknown }[] };
};

/** Every metric name zonerw writes: a metrics file rendered with every optional part present, and the watch's. */
const written = new Set(
  [...(renderMetrics({
    servers: [{ name: 'main', group: 'web', raw: true, undecided: false, up: true, favoured: true, served: true, latencySeconds: 0.1, consecutiveFailures: 0 }],
    zones: [{ zone: 'example.com', serial: 2026112201, lastPublishSeconds: 1, served: true, primarySerial: 2026112201, signaturesExpirySeconds: 2, secondaries: [{ secondary: '192.0.2.53', serial: 2026112201 }] }],
    runDurationSeconds: 1, lastRunSeconds: 1, lastSuccessSeconds: 1, pins: [{ group: 'web', active: false }], exitCode: 0,
    votes: [{ server: 'main', vantage: 'fra', up: true }], vantages: [{ vantage: 'fra', reachable: true }], failedOver: [{ failedOver: false }],
  }) + renderWatchMetrics({ startedAt: 0, lastProbeAt: 1, intervalMs: 2000 })).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!),
);
const named = (text: string) => [...new Set(text.match(/\bzonerw_[a-z_]+/g) ?? [])];

test('the rules name only metrics zonerw writes', () => {
  const names = named(rules.replace(/^\s*#.*$/gm, ''));
  assert.ok(names.length >= 6, names.join(' '));
  assert.deepEqual(names.filter((n) => !written.has(n)), []);
  for (const alert of ['ZonerwFailedOver', 'ZonerwSecondaryBehind', 'ZonerwVantageUnreachable', 'ZonerwNotRun', 'ZonerwRunFailing']) assert.match(rules, new RegExp(`- alert: ${alert}\\n`));
});

/** The alert, by name: its expression and whether the promtool test file makes it fire. */
const alertExpr = (name: string) => new RegExp(`- alert: ${name}\\n\\s+expr: (.+)\\n`).exec(rules)?.[1];
const rulesTest = readFileSync(join(prometheus, 'zonerw.rules.test.yml'), 'utf8');

test('every alert issue 19 lists exists, over the metric it is about, and its test makes it fire', () => {
  const issue19: [what: string, alert: string, metric: string][] = [
    ['failed over', 'ZonerwFailedOver', 'zonerw_failed_over'],
    ['zones not served as published', 'ZonerwZoneNotServed', 'zonerw_zone_served'],
    ['secondaries behind', 'ZonerwSecondaryBehind', 'zonerw_secondary_serial'],
    ['a vantage unreachable', 'ZonerwVantageUnreachable', 'zonerw_vantage_reachable'],
    ['signatures expiring', 'ZonerwSignaturesExpiring', 'zonerw_zone_signatures_expiry_timestamp_seconds'],
    ['zonerw not run', 'ZonerwNotRun', 'zonerw_last_run_timestamp_seconds'],
    ['watch not probing for too long', 'ZonerwWatchNotProbing', 'zonerw_watch_last_probe_timestamp_seconds'],
  ];
  for (const [what, alert, metric] of issue19) {
    const expr = alertExpr(alert);
    assert.ok(expr, `no alert for "${what}" (${alert})`);
    assert.ok(named(expr).includes(metric), `${alert} does not look at ${metric}: ${expr}`);
    assert.ok(written.has(metric), `${metric} is not a metric zonerw writes`);
    // a case where it fires: an alertname followed by a non-empty exp_alerts list
    assert.match(rulesTest, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `the promtool test never makes ${alert} fire`);
  }
});

test('the dashboard: every expression names metrics zonerw writes, and nothing else', () => {
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
  const queries = dashboard.templating.list.flatMap((v) => (v.query === undefined ? [] : [JSON.stringify(v.query)]));
  for (const expr of exprs) assert.ok(named(expr).length > 0, `names no zonerw metric: ${expr}`);
  assert.deepEqual([...exprs, ...queries].flatMap(named).filter((n) => !written.has(n)), []);
  const shown = new Set(exprs.flatMap(named));
  for (const must of ['zonerw_server_favoured', 'zonerw_server_vote_up', 'zonerw_zone_serial', 'zonerw_secondary_serial', 'zonerw_run_duration_seconds', 'zonerw_last_run_timestamp_seconds', 'zonerw_failed_over']) {
    assert.ok(shown.has(must), `the dashboard does not show ${must}`);
  }
});

const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((p) => existsSync(p));
test('promtool check rules and promtool test rules pass', { skip: skipUnlessCI(promtool === undefined && 'promtool is not installed (apt-get install prometheus)') }, () => {
  const check = spawnSync(promtool!, ['check', 'rules', 'zonerw.rules.yml'], { cwd: prometheus, encoding: 'utf8' });
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
  const run = spawnSync(promtool!, ['test', 'rules', 'zonerw.rules.test.yml'], { cwd: prometheus, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /SUCCESS/);
});
